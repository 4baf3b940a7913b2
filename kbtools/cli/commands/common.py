"""What every command module shares: finding the knowledge base, the --today option."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from kbtools.model.project import KnowledgeBase


def knowledge_base(ctx: click.Context) -> KnowledgeBase:
    """The knowledge base named by `kb --root`, or the one the current folder is in."""
    root: Path | None = ctx.obj.get("root") if ctx.obj else None
    return KnowledgeBase.at(root) if root else KnowledgeBase.discover()


today_option = click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Evaluate review dates as of this day (YYYY-MM-DD) instead of today.",
)


def day(value: object) -> date:
    return value.date() if value is not None else date.today()  # type: ignore[attr-defined]
