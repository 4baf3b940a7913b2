"""Governance commands, from the content's git history: history, translations, review, changes,
codeowners, export."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kbtools.cli.commands.common import day, knowledge_base, today_option
from kbtools.model.errors import UsageError
from kbtools.model.vocabulary import AUDIENCES, Audience

if TYPE_CHECKING:
    from kbtools.model.content import ContentSet, Document
    from kbtools.model.project import KnowledgeBase


def _find(kb: KnowledgeBase, content: ContentSet, id_or_path: str, lang: str | None) -> Document:
    """A document by id, by path inside a language folder, or by a file path (content/en/x.md)."""
    lang = lang or content.default_language
    candidate = Path(id_or_path)
    if candidate.suffix == ".md" and candidate.exists():
        try:
            parts = candidate.resolve().relative_to(kb.content_dir).parts
        except ValueError:
            parts = ()
        if len(parts) > 1:
            found = content.get(parts[0], "/".join(parts[1:]))
            if found is not None:
                return found
    found = content.find(id_or_path.removeprefix("content/"), lang)
    if found is None:
        raise UsageError(f"no page with id or path '{id_or_path}' in {lang}")
    return found


def _languages(kb: KnowledgeBase, lang: str | None) -> list[str]:
    codes = kb.taxonomy.language_codes
    if lang is None:
        return codes
    if lang not in codes:
        raise UsageError(f"'{lang}' is not a language of this knowledge base; languages: {', '.join(codes)}")
    return [lang]


def _translation_language(kb: KnowledgeBase, lang: str | None) -> str:
    codes = kb.taxonomy.language_codes
    if lang is not None:
        return _languages(kb, lang)[0]
    if len(codes) == 2:
        return codes[1]
    raise UsageError(f"name the translation's language with --lang ({', '.join(codes[1:])})")


def _base_url(kb: KnowledgeBase, given: str | None) -> str:
    from kbtools.model.publishing import normal_base_url, site_base_url

    return normal_base_url(given) if given else site_base_url(kb.root)


lang_option = click.option("--lang", help="Language code (default: the source language).")
base_url_option = click.option("--base-url", help="URL the sites are served from [mkdocs.yml site_url].")


# kb history -------------------------------------------------------------------------------------------


@click.command()
@click.argument("page")
@lang_option
@click.option("--diff", "diff_from", metavar="REV", help="Show what changed in the page since commit REV.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def history(ctx: click.Context, page: str, lang: str | None, diff_from: str | None, fmt: str) -> None:
    """List the commits that changed PAGE (an id or a path), renames followed: date, author, lines, message."""
    from kbtools.governance.translations import content_path
    from kbtools.model.history import PageHistory, read_history, require_repository

    kb = knowledge_base(ctx)
    content = kb.load()
    doc = _find(kb, content, page, lang)
    log = require_repository(read_history(kb.root, lines=diff_from is None))
    assert log.repository is not None
    path = content_path(doc.lang, doc.rel)
    if diff_from is not None:
        sha = log.repository.resolve(diff_from)
        diff = log.repository.diff(sha, log.names_of(path))
        click.echo(diff if diff else f"{path}: no change since {diff_from}")
        return
    found = PageHistory(path, doc.id, doc.title, log.file_changes(path), log.repository.is_modified(path), log.shallow)
    click.echo(found.render(fmt))


# kb translations ---------------------------------------------------------------------------------------


@click.group(invoke_without_command=True)
@click.option("--lang", help="Only this translation language (default: every one).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text", show_default=True)
@click.option("--all", "include_internal", is_flag=True, help="Internal pages (SOPs, macros) too, not only public.")
@click.pass_context
def translations(ctx: click.Context, lang: str | None, fmt: str, include_internal: bool) -> None:
    """Translation state of every public article: up to date, outdated, missing, orphaned or untracked.

    \b
    kb translations diff ID   the source's diff since the translation's source_commit
    kb translations mark ID   record the source's current commit after translating
    """
    if ctx.invoked_subcommand is not None:
        return
    from kbtools.governance.translations import TranslationReport, translation_report
    from kbtools.model.history import read_history

    kb = knowledge_base(ctx)
    content = kb.load()
    log = read_history(kb.root)
    languages = [code for code in _languages(kb, lang) if code != content.default_language]
    if not languages:
        raise UsageError(f"{lang} is the source language; name a translation language")
    report = TranslationReport(content, languages, translation_report(content, log, languages, include_internal))
    click.echo(report.render(fmt))
    if not log.is_repository:
        click.echo("(not a git repository: outdated translations cannot be told apart)", err=True)


@translations.command("diff")
@click.argument("page")
@click.option("--lang", help="Language of the translation (default: the only one).")
@click.pass_context
def translations_diff(ctx: click.Context, page: str, lang: str | None) -> None:
    """Show the source file's diff since the commit PAGE's translation was made from."""
    from kbtools.governance.translations import source_diff
    from kbtools.model.history import read_history

    kb = knowledge_base(ctx)
    content = kb.load()
    code = _translation_language(kb, lang)
    doc = _find(kb, content, page, content.default_language)
    state, diff = source_diff(content, read_history(kb.root), doc.rel, code)
    click.echo(f"# {code}/{doc.rel}: {state.describe(content.default_language)}")
    click.echo(diff if diff else f"# {content.default_language}/{doc.rel} has not changed since {state.source_commit}")


@translations.command("mark")
@click.argument("page")
@click.option("--lang", help="Language of the translation (default: the only one).")
@click.pass_context
def translations_mark(ctx: click.Context, page: str, lang: str | None) -> None:
    """Record the source's current commit as PAGE's source_commit, once the translation is up to date."""
    from kbtools.governance.translations import content_path, mark_translated
    from kbtools.model.history import read_history

    kb = knowledge_base(ctx)
    content = kb.load()
    code = _translation_language(kb, lang)
    doc = _find(kb, content, page, content.default_language)
    commit = mark_translated(content, read_history(kb.root), doc.rel, code)
    click.echo(
        f"{content_path(code, doc.rel)}: source_commit {commit.sha[:12]} "
        f'({commit.date.date()}, {commit.author}: "{commit.subject}")'
    )


# kb review ---------------------------------------------------------------------------------------------


def _service_database(root: Path) -> str | None:
    """The database `kb serve` would use; None when it is the default SQLite file and no service made it."""
    from kbtools.analytics.location import default_database_url
    from kbtools.service.settings import load_settings

    configured = load_settings()["database_url"]
    if configured:
        return configured
    default = default_database_url(root)
    return default if Path(default.removeprefix("sqlite:///")).exists() else None


@click.command()
@click.option("--owner", help="Only pages owned by this team (a team id from taxonomy.yml).")
@click.option("--due-within", default="30d", show_default=True, help="Also list pages due within this interval.")
@click.option("--lang", help="Only pages in this language (default: all).")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text", show_default=True)
@click.option(
    "--macros",
    "macros",
    is_flag=True,
    help="Rank macros by low customer satisfaction (tickets solved in the last 90 days) instead of pages by review "
    "date; needs the service's database.",
)
@click.option(
    "--min-ratings",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="With --macros: rated tickets a macro needs to be ranked.",
)
@today_option
@click.pass_context
def review(
    ctx: click.Context,
    owner: str | None,
    due_within: str,
    lang: str | None,
    fmt: str,
    macros: bool,
    min_ratings: int,
    today: object,
) -> None:
    """List pages overdue or soon due for review, by owning team, most urgent first.

    With the service's database (the one `kb serve` uses: KB_DATABASE_URL, KB_CONFIG, or var/kb.sqlite3),
    overdue pages are ranked by their views in the last 90 days times days overdue, so the most-read stale
    pages come first. --format md gives text for a weekly review ticket. --macros ranks macros instead, least
    satisfying first (Wilson lower bound of the satisfaction rate of the tickets they solved).
    """
    from kbtools.governance.reviews import ReviewReport, by_owner, review_queue
    from kbtools.model.durations import parse_interval

    kb = knowledge_base(ctx)
    taxonomy = kb.taxonomy
    if owner is not None and owner not in taxonomy.teams:
        raise UsageError(f"'{owner}' is not a team in taxonomy.yml; teams: {', '.join(taxonomy.teams)}")
    try:
        within = parse_interval(due_within)
    except ValueError as exc:
        raise UsageError(f"--due-within: {exc}") from None
    when = day(today)
    url = _service_database(kb.root)
    if macros:
        _review_macros(kb, url, when, lang, owner, fmt, min_ratings)
        return
    views = None
    if url is not None:  # the store's library is imported only when there is a store to read
        from kbtools.analytics.pageviews import ViewsUnavailableError, read_views

        try:
            views = read_views(url, now=datetime.combine(when, time.max, tzinfo=UTC))
        except ViewsUnavailableError as exc:
            click.echo(f"kb: note: {exc}; ranking by days overdue only", err=True)
    content = kb.load()
    docs = [d for d in content if lang is None or d.lang in _languages(kb, lang)]
    items = review_queue(docs, taxonomy, when, within, owner, views)
    report = ReviewReport(items, by_owner(items, taxonomy), when, within, ranked_by_views=views is not None)
    click.echo(report.render(fmt))


def _review_macros(
    kb: KnowledgeBase, url: str | None, when: date, lang: str | None, owner: str | None, fmt: str, min_rated: int
) -> None:
    from kbtools.analytics.pageviews import WINDOW_DAYS, ViewsUnavailableError, read_macro_outcomes
    from kbtools.governance.reviews import MacroReview, macro_ranking

    if url is None:
        raise UsageError("kb review --macros reads the service's database: none found (KB_DATABASE_URL, KB_CONFIG)")
    try:
        outcomes = read_macro_outcomes(url, now=datetime.combine(when, time.max, tzinfo=UTC))
    except ViewsUnavailableError as exc:
        raise UsageError(str(exc)) from None
    docs = [
        d for d in kb.load() if (lang is None or d.lang in _languages(kb, lang)) and (owner is None or d.owner == owner)
    ]
    items = macro_ranking(docs, outcomes, min_rated)
    click.echo(MacroReview(items, when, WINDOW_DAYS, min_rated).render(fmt))


# kb changes --------------------------------------------------------------------------------------------


@click.command()
@click.option("--since", "since_text", required=True, help="7d, 2w, a date YYYY-MM-DD or a commit.")
@click.option("--audience", type=click.Choice(AUDIENCES), default=Audience.INTERNAL.value, show_default=True)
@lang_option
@click.option("--format", "fmt", type=click.Choice(["md", "html", "json"]), default="md", show_default=True)
@base_url_option
@today_option
@click.pass_context
def changes(
    ctx: click.Context,
    since_text: str,
    audience: str,
    lang: str | None,
    fmt: str,
    base_url: str | None,
    today: object,
) -> None:
    """Summarise new, updated and removed articles and macros since a date or commit, by category.

    The weekly rollout note for agents: titles, a one-line summary of each change and links to the wiki
    (--audience public: to the help center).
    """
    from kbtools.governance.changes import build_digest, render_digest, resolve_since
    from kbtools.model.vcs import require_repository

    kb = knowledge_base(ctx)
    repository = require_repository(kb.root, "kb changes")
    code = _languages(kb, lang)[0] if lang else kb.taxonomy.default_language
    since = resolve_since(repository, since_text, day(today))
    content = kb.load()
    digest = build_digest(repository, content, kb.taxonomy, since, audience, code, _base_url(kb, base_url))
    click.echo(render_digest(digest, kb.taxonomy, fmt), nl=False)


# kb codeowners -----------------------------------------------------------------------------------------


@click.command()
@click.option("--check", is_flag=True, help="Exit 1 if CODEOWNERS is out of date instead of writing it.")
@click.pass_context
def codeowners(ctx: click.Context, check: bool) -> None:
    """Write kb's section of .github/CODEOWNERS from the owners in front-matter and the teams' handles."""
    from kbtools.governance.codeowners import locate, stale_section, write_codeowners

    kb = knowledge_base(ctx)
    content = kb.load()
    if check:
        stale = stale_section(kb.root, content, kb.taxonomy)
        where = locate(kb.root).path
        if stale is not None or not where.exists():
            click.echo(f"{where}: out of date; run 'kb codeowners'", err=True)
            sys.exit(1)
        click.echo(f"{where}: up to date")
        return
    path, changed = write_codeowners(kb.root, content, kb.taxonomy)
    click.echo(f"{'wrote' if changed else 'up to date:'} {path}")


# kb export ---------------------------------------------------------------------------------------------


@click.group()
def export() -> None:
    """Export content for helpdesks (macros) and chatbots (bot)."""


@export.command("macros")
@click.option("--format", "fmt", type=click.Choice(["zendesk", "csv"]), default="zendesk", show_default=True)
@click.option("--lang", help="Only this language (default: one file per language).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--group-id", "group_ids", multiple=True, metavar="QUEUE=ID", help="Zendesk group id of a queue.")
@click.option("--case-reason-field", metavar="ID", help="Zendesk custom ticket field that holds the case reason.")
@base_url_option
@click.pass_context
def export_macros(
    ctx: click.Context,
    fmt: str,
    lang: str | None,
    out_dir: Path,
    group_ids: tuple[str, ...],
    case_reason_field: str | None,
    base_url: str | None,
) -> None:
    """Write macros for helpdesk import: Zendesk macro JSON or CSV, one file per language."""
    from kbtools.workflows.exports.macros import MacroOptions
    from kbtools.workflows.exports.macros import export_macros as run_export

    kb = knowledge_base(ctx)
    mapping = {}
    for item in group_ids:
        queue, sep, number = item.partition("=")
        if not sep or queue not in kb.taxonomy.queues:
            raise UsageError(f"--group-id {item}: write QUEUE=ID with a queue from taxonomy.yml")
        mapping[queue] = number
    options = MacroOptions(_base_url(kb, base_url), mapping, case_reason_field)
    result = run_export(kb.load(), kb.taxonomy, fmt, _languages(kb, lang), out_dir, options)
    for note in result.notes:
        click.echo(f"kb: note: {note}", err=True)
    for path in result.files:
        click.echo(f"wrote {path}")
    click.echo(f"{result.macros} macros exported")


@export.command("bot")
@click.option("--audience", type=click.Choice(AUDIENCES), default=Audience.PUBLIC.value, show_default=True)
@click.option("--lang", help="Only this language (default: all).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="JSON lines file.")
@base_url_option
@click.pass_context
def export_bot(ctx: click.Context, audience: str, lang: str | None, out: Path, base_url: str | None) -> None:
    """Write published content chunked by heading, one JSON object a line, for chatbot ingestion."""
    from kbtools.model.history import read_history
    from kbtools.workflows.exports.bot import export_chunks, write_jsonl

    kb = knowledge_base(ctx)
    content = kb.load()
    languages = _languages(kb, lang) if lang else None
    chunks = export_chunks(content, kb.taxonomy, read_history(kb.root), audience, _base_url(kb, base_url), languages)
    write_jsonl(chunks, out)
    pages = len({(c.lang, c.article_id) for c in chunks})
    click.echo(f"wrote {out}: {len(chunks)} chunks from {pages} pages ({audience})")


COMMANDS: list[click.Command] = [history, translations, review, changes, codeowners, export]
