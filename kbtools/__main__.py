"""`python -m kbtools` runs the kb command."""

from kbtools.cli import main

main()
