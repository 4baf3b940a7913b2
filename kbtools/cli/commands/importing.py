"""`kb import zendesk EXPORT` and `kb import markdown DIR`: bring an existing help center into kb."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kbtools.cli.commands.common import day, knowledge_base, today_option
from kbtools.model.project import KnowledgeBase


@click.group("import")
def import_group() -> None:
    """Import an existing help center or documentation set (then run kb lint and kb build)."""


_common = [
    click.option("--force", is_flag=True, help="Overwrite files edited since the last import."),
    click.option(
        "--report",
        "report_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write the per-article list of what needs a person's eye (Markdown; JSON for *.json).",
    ),
    click.option(
        "--owner",
        help="Team (from taxonomy.yml) that owns the imported pages and categories "
        "(default: platform_owner, else the first team).",
    ),
    today_option,
]


def common_options(function: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(_common):
        function = option(function)
    return function


def _owner(kb: KnowledgeBase, owner: str | None) -> str:
    from kbtools.model.errors import UsageError

    teams = kb.taxonomy.teams
    chosen = owner or kb.taxonomy.platform_owner or next(iter(teams), None)
    if chosen not in teams:
        raise UsageError(f"--owner must be one of the teams in taxonomy.yml: {', '.join(teams)}")
    return str(chosen)


def _progress(label: str) -> Callable[[list[Any]], Any]:
    def wrap(items: list[Any]) -> Any:
        if not sys.stderr.isatty():  # redirected output stays clean
            yield from items
            return
        with click.progressbar(items, label=label, file=sys.stderr) as bar:
            yield from bar

    return wrap


def _finish(
    kb: KnowledgeBase, import_set: Any, force: bool, report_file: Path | None, started: float, today: Any
) -> None:
    from kbtools.workflows.importers.report import summary_lines, write_report
    from kbtools.workflows.importers.writer import write_import
    from kbtools.workflows.lint import lint

    written = write_import(kb, import_set, force=force)
    seconds = time.perf_counter() - started
    report = lint(KnowledgeBase(kb.root), today=day(today))
    lines = summary_lines(import_set, written, seconds, report.findings)
    for line in lines:
        click.echo(line)
    if report_file is not None:
        write_report(report_file, import_set, written, lines)
        click.echo(f"Report: {report_file}")
    click.echo("Next: kb lint (details), kb build --strict, then commit the imported files.")


@import_group.command("zendesk")
@click.argument("export", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--labels-as",
    type=click.Choice(["tags", "keywords"]),
    default="tags",
    show_default=True,
    help="What Zendesk labels become.",
)
@click.option(
    "--internal-segment",
    "internal_segments",
    type=int,
    multiple=True,
    help="A user segment id whose articles are for agents only (staff segments in the export are detected).",
)
@click.option(
    "--locale",
    "locales",
    multiple=True,
    metavar="ZENDESK=KB",
    help="Map a Zendesk locale to a kb language, e.g. --locale pt-br=pt (default: en-us -> en).",
)
@common_options
@click.pass_context
def zendesk(
    ctx: click.Context,
    export: Path,
    labels_as: str,
    internal_segments: tuple[int, ...],
    locales: tuple[str, ...],
    force: bool,
    report_file: Path | None,
    owner: str | None,
    today: Any,
) -> None:
    """Import a Zendesk Guide export: the Help Center API's JSON (a file or a folder of *.json)."""
    from kbtools.model.errors import UsageError
    from kbtools.workflows.importers.writer import read_manifest
    from kbtools.workflows.importers.zendesk import ZendeskOptions, read_zendesk

    started = time.perf_counter()
    kb = knowledge_base(ctx)
    locale_map = {}
    for item in locales:
        zendesk_locale, _, lang = item.partition("=")
        if not lang or lang not in kb.taxonomy.language_codes:
            raise UsageError(f"--locale {item}: write ZENDESK=KB with a language of taxonomy.yml")
        locale_map[zendesk_locale.lower()] = lang
    options = ZendeskOptions(labels_as, set(internal_segments), locale_map)
    manifest = read_manifest(kb, "zendesk")
    recorded = {record.get("id") for record in manifest.values()}
    taken = {doc.id for doc in kb.load()} - recorded
    import_set = read_zendesk(
        export,
        kb.taxonomy.language_codes,
        taken,
        day(today),
        _owner(kb, owner),
        options,
        _progress("Converting"),
        manifest,
    )
    _finish(kb, import_set, force, report_file, started, today)


@import_group.command("markdown")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--map",
    "map_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Mapping file (YAML): front-matter keys, languages, URLs (see docs/writers.md, Importing).",
)
@click.option(
    "--preset",
    type=click.Choice(["docfx", "mkdocs", "docusaurus", "hugo", "jekyll"]),
    help="The tool the set was written for (default: detected from its files, or the mapping's preset).",
)
@common_options
@click.pass_context
def markdown(
    ctx: click.Context,
    directory: Path,
    map_file: Path | None,
    preset: str | None,
    force: bool,
    report_file: Path | None,
    owner: str | None,
    today: Any,
) -> None:
    """Import a Markdown documentation set in DIRECTORY (DocFX, MkDocs, Docusaurus, Hugo, Jekyll)."""
    from kbtools.workflows.importers.markdown import read_markdown_set
    from kbtools.workflows.importers.presets import load_mapping
    from kbtools.workflows.importers.writer import read_manifest

    started = time.perf_counter()
    kb = knowledge_base(ctx)
    mapping = load_mapping(directory, preset, map_file)
    manifest = read_manifest(kb, "markdown")
    recorded = {record.get("id") for record in manifest.values()}
    taken = {doc.id for doc in kb.load()} - recorded
    import_set = read_markdown_set(
        directory,
        mapping,
        kb.taxonomy.language_codes,
        taken,
        day(today),
        _owner(kb, owner),
        manifest,
        _progress("Converting"),
    )
    _finish(kb, import_set, force, report_file, started, today)


COMMANDS = [import_group]
