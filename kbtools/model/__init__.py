"""The content model: files, front-matter, taxonomy, Markdown, agent-only blocks, URLs, what a page may publish, and
the content's git history. It knows nothing of MkDocs, Flask, Whoosh or the database.
"""
