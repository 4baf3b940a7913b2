"""MkDocs plugins that turn kb content into the public help center and the internal agent wiki.

Each plugin is a thin `plugin.py` over plain classes; all read content through `kbtools` (the content
model), never the other way round. `site_plugins.build` runs one MkDocs process per site (audience), which
builds each language in turn.
"""
