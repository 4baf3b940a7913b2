"""The kb subcommands, one module per feature; `kbtools.cli` registers each module's COMMANDS.

Command modules import heavy libraries (MkDocs, Whoosh, Flask...) inside the command functions, so that
`kb lint` starts fast.
"""
