"""Content workflows over the model: lint, exports, imports, scaffolding, the untrusted mkdocs.yml check. Beside
search, governance and analytics; below the site build, the service and the command.
"""
