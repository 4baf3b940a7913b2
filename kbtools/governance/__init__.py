"""Governance from git and the content model: reviews, translations and their freshness, change digests, owners,
summaries. Beside search and analytics; below the site build, the service and the command.
"""
