"""One site process of `kb build`: builds the MkDocs configs it is given (one per language) in turn.

`kb build` starts one of these per audience, so each site is one process call and the two audiences build
in parallel on two cores. The process reads the content once for all its languages (site_plugins.site).

Run: python -m site_plugins.worker [--strict] CONFIG...
"""

from __future__ import annotations

import argparse
import logging
import sys

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m site_plugins.worker", description=__doc__)
    parser.add_argument("--strict", action="store_true", help="fail on any MkDocs warning")
    parser.add_argument("configs", nargs="+", help="MkDocs config files, built in this order")
    args = parser.parse_args(argv)
    # Warnings name the file and the problem; `kb build` shows them when a build fails.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s - %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    for path in args.configs:
        try:
            build(load_config(path, strict=args.strict))
        except MkDocsException as exc:
            print(f"{path}: {exc.format_message()}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
