"""Opening a market in a new language: `kb readiness --lang` (the launch gate) and `kb translations scaffold`
(the translators' work list)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, time

import click

from kbtools.cli.commands.common import day, knowledge_base, today_option
from kbtools.cli.commands.governance import _service_database, translations
from kbtools.model.errors import UsageError
from kbtools.model.project import KnowledgeBase

VIEW_DAYS = 90  # the window kb review ranks by, too


def _market_language(kb: KnowledgeBase, lang: str) -> str:
    codes = kb.taxonomy.language_codes
    if lang not in codes:
        raise UsageError(
            f"'{lang}' is not a language taxonomy.yml declares ({', '.join(codes)}); declare it under `languages` first"
        )
    if lang == kb.taxonomy.default_language:
        raise UsageError(f"{lang} is the source language; name the language of the market (--lang)")
    return lang


@click.command()
@click.option("--lang", required=True, help="The market's language (declared in taxonomy.yml).")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text", show_default=True)
@click.option(
    "--min-score",
    type=click.FloatRange(0, 100),
    default=None,
    help="Exit with status 1 when the score is below this (0-100): a launch checklist's gate.",
)
@click.option(
    "--database",
    help="The service's database URL, for the view weights (default: the one `kb serve` uses).",
)
@click.option("--days", type=click.IntRange(1), default=VIEW_DAYS, show_default=True, help="Views of the last N days.")
@today_option
@click.pass_context
def readiness(
    ctx: click.Context,
    lang: str,
    fmt: str,
    min_score: float | None,
    database: str | None,
    days: int,
    today: object,
) -> None:
    """What a market in LANG still needs before go-live, and a score (0-100).

    Checks: each type of page customers get translated (articles weighted by their source's views when the
    service's database is there), translations up to date, case reasons routed to a queue answering in the
    language, taxonomy labels and interface strings. The score is the average of the checks' percentages.
    """
    from kbtools.governance.readiness import readiness as build_report
    from kbtools.model.history import read_history

    kb = knowledge_base(ctx)
    code = _market_language(kb, lang)
    when = day(today)
    url = database or _service_database(kb.root)
    views = None
    note = "no service database (see --database)"
    if url is not None:  # the store's library is imported only when there is a store to read
        from kbtools.analytics.pageviews import ViewsUnavailableError, read_views

        try:
            views = read_views(url, now=datetime.combine(when, time.max, tzinfo=UTC), days=days)
            note = f"views of the last {days} days"
        except ViewsUnavailableError as exc:
            note = str(exc)
    report = build_report(kb.root, kb.load(), kb.taxonomy, read_history(kb.root), code, when, views, note)
    click.echo(report.render(fmt))
    if min_score is not None and not report.passes(min_score):
        click.echo(f"kb: {code} scores {report.score}%, under the required {min_score:g}%", err=True)
        sys.exit(1)


@translations.command("scaffold")
@click.option("--lang", required=True, help="The language to write drafts in (declared in taxonomy.yml).")
@click.option("--dry-run", is_flag=True, help="List the drafts without writing them.")
@click.pass_context
def translations_scaffold(ctx: click.Context, lang: str, dry_run: bool) -> None:
    """Write an untranslated draft of every page a market needs that LANG has no file for.

    Each draft is the source file with `status: draft`, `source_commit` set to the source's last commit and a
    marker line before the body; drafts are never published, existing files never overwritten. Translate,
    delete the marker line, set `status: published`.
    """
    from kbtools.model.history import read_history
    from kbtools.workflows.scaffold import drafts_needed, write_drafts

    kb = knowledge_base(ctx)
    code = _market_language(kb, lang)
    drafts = drafts_needed(kb.load(), read_history(kb.root), kb.root, code)
    written = {draft.path for draft in drafts} if dry_run else set(write_drafts(drafts))
    for draft in drafts:
        if draft.path in written:
            commit = draft.source_commit or "none: the source was never committed"
            click.echo(f"{draft.rel}  ({draft.source.type}, source_commit {commit})")
    verb = "would write" if dry_run else "wrote"
    click.echo(f"{verb} {len(written)} draft{'s' * (len(written) != 1)} in {code}", err=True)


COMMANDS: list[click.Command] = [readiness]
