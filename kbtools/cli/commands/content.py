"""Content commands: init, new, lint, summary, docs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kbtools.cli.commands.common import day, knowledge_base, today_option
from kbtools.model.taxonomy import CONTENT_TYPES


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--site-name", default="Help Center", show_default=True, help="Name shown on the sites.")
@click.option(
    "--languages",
    default="en,fr",
    show_default=True,
    help="Language codes, comma-separated; the first is the source language (e.g. fr, or es,en).",
)
def init(directory: Path, site_name: str, languages: str) -> None:
    """Create a new, lint-clean knowledge base in DIRECTORY."""
    from kbtools.workflows.scaffold import init_knowledge_base, parse_languages

    written = init_knowledge_base(directory, site_name, languages=parse_languages(languages))
    click.echo(f"Created a knowledge base in {directory} ({len(written)} files).")
    click.echo(f'Next: cd {directory} && kb lint && kb new --type article --category getting-started "My title"')


@click.command()
@click.option("--type", "content_type", type=click.Choice(CONTENT_TYPES), default="article", show_default=True)
@click.option("--category", required=True, help="Category id from content/taxonomy.yml.")
@click.argument("title")
@click.pass_context
def new(ctx: click.Context, content_type: str, category: str, title: str) -> None:
    """Write a new draft content file for TITLE and print its path."""
    from kbtools.workflows.scaffold import new_document

    kb = knowledge_base(ctx)
    path = new_document(kb, content_type, category, title)
    click.echo(kb.relative(path))


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@today_option
@click.pass_context
def lint(ctx: click.Context, paths: tuple[Path, ...], fmt: str, strict: bool, today: object) -> None:
    """Check content files; report findings for PATHS (default: everything).

    Exit status: 0 clean (warnings allowed unless --strict), 1 findings that fail the check.
    """
    from kbtools.workflows.lint import lint as run_lint
    from kbtools.workflows.lint.formats import render

    kb = knowledge_base(ctx)
    report = run_lint(kb, paths, today=day(today))
    click.echo(render(report, fmt, kb.root))
    for note in report.notes:  # on stderr: the formats on stdout stay machine-readable
        click.echo(f"kb: note: {note}", err=True)
    sys.exit(1 if report.failed(strict) else 0)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@today_option
@click.pass_context
def summary(ctx: click.Context, fmt: str, today: object) -> None:
    """Summarise the content: counts, translation coverage, reviews due."""
    from kbtools.governance.summary import render_text, summarize

    kb = knowledge_base(ctx)
    result = summarize(kb.load(), kb.taxonomy, day(today))
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(result, kb.taxonomy))


@click.command(hidden=True)
@click.option("--check", is_flag=True, help="Exit 1 if a page differs from the code instead of rewriting it.")
@click.argument("pages", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def docs(check: bool, pages: tuple[Path, ...]) -> None:
    """Regenerate the reference tables in PAGES (default: docs/*.md) from the code."""
    from kbtools.cli.reference import stale_pages, update_pages

    targets = list(pages) or sorted(Path("docs").glob("*.md"))
    if check:
        stale = stale_pages(targets)
        for path in stale:
            click.echo(f"{path}: reference tables are out of date; run 'kb docs'", err=True)
        sys.exit(1 if stale else 0)
    for path in update_pages(targets):
        click.echo(f"updated {path}")


COMMANDS = [init, new, lint, summary, docs]
