"""`kb import`: existing help centers (Zendesk Guide exports) and Markdown doc sets into kb content.

Readers (zendesk.py, markdown.py) turn a source into `ImportedPage`s and taxonomy entries; `writer.py` writes
them idempotently and `report.py` tells what needs a person's eye. Imported text is untrusted input like a pull
request: it goes through `kb lint` like any page. This package knows nothing of MkDocs, Flask or Whoosh.
"""
