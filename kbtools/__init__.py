"""kb: a docs-as-code knowledge base and help center for customer-support teams.

Layers, lowest first (a layer never imports a higher one):
content model (`kbtools.model.content`, `kbtools.model.taxonomy`, `kbtools.model.schema`, ...) -> lint, scaffold
-> site plugins, search, service -> CLI.
"""

__version__ = "0.1.0"
