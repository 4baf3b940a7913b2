"""The kb command: the click group (main.py), one module per feature (commands/), and `kb docs`' reference tables,
which read every layer's declarations. The top layer.
"""

from kbtools.cli.main import main

__all__ = ["main"]
