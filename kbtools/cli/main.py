"""The `kb` command. Library code raises KbError; this module turns it into one clean message.

Subcommands live in `kbtools.cli.commands.<feature>`; each module lists them in COMMANDS.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kbtools import __version__
from kbtools.cli.commands import content, experiments, governance, importing, markets, search, service, site, webhooks
from kbtools.model.errors import KbError


class KbGroup(click.Group):
    """A click group that reports KbError as `kb: error: ...` with exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KbError as exc:
            click.echo(f"kb: error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=KbGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Knowledge-base folder (default: the nearest folder at or above the current one with "
    "mkdocs.yml and content/).",
)
@click.version_option(__version__, prog_name="kb")
@click.pass_context
def main(ctx: click.Context, root: Path | None) -> None:
    """kb: a docs-as-code knowledge base and help center for support teams."""
    ctx.ensure_object(dict)
    ctx.obj["root"] = root


for module in (content, site, search, governance, markets, service, importing, webhooks, experiments):
    for command in module.COMMANDS:
        main.add_command(command)
