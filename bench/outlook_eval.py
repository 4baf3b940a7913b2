"""Relevance of kb against plain BM25 engines (SQLite FTS5, tantivy), on the same documents and queries.

Two sets by default: the real Outlook troubleshooting corpus (imported by bench/outlook_import.py into a
temporary knowledge base) with bench/outlook_queries.tsv, and the sample help center (content/) with
tests/relevance/queries.tsv. Prints MRR@10 and recall@3 per engine, side by side.

Any knowledge base: python bench/outlook_eval.py --kb PATH --queries FILE
Run: python bench/outlook_eval.py            (needs the bench extra: pip install -e '.[bench]')
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engines import TantivyBaseline
from outlook_import import corpus_dir, import_outlook
from search_bench import BenchQuery, Fts5Baseline

from kbtools.model.history import read_history
from kbtools.model.project import KnowledgeBase
from search import Searcher, build_index
from search.evaluation import Evaluation, evaluate, read_cases

REPO = Path(__file__).resolve().parent.parent


def compare(root: Path, queries: Path, work: Path) -> dict[str, Evaluation]:
    """kb, FTS5 and tantivy on the knowledge base in `root`, scored on `queries`."""
    kb = KnowledgeBase.at(root)
    content, history = kb.load(), read_history(kb.root)
    cases = read_cases(queries)
    started = time.perf_counter()
    report = build_index(kb, work / "kb", content=content, history=history, vector_cache=work / "vector-cache")
    print(f"  kb index: {time.perf_counter() - started:.1f} s ({report.encoded} page vectors computed)")
    build_index(kb, work / "kb-words", content=content, history=history, semantic=False)
    fts5 = Fts5Baseline(work / "fts5.sqlite")
    fts5.index(content, kb, history)
    tantivy = TantivyBaseline(work / "tantivy")
    tantivy.index(content, kb, history)
    found: dict[str, Evaluation] = {}
    for name, folder in (("kb", "kb"), ("kb, words only", "kb-words")):
        with Searcher(work / folder) as searcher:
            found[name] = evaluate(
                cases,
                lambda text, lang, audience, depth, searcher=searcher: [
                    (hit.id, hit.path)
                    for hit in searcher.query(text, lang=lang, audience=audience, per_page=depth).hits
                ],
            )
    return {
        **found,
        "SQLite FTS5": evaluate(
            cases,
            lambda text, lang, audience, depth: fts5.query(BenchQuery(text, lang, audience, None, None), depth)[1],
        ),
        "tantivy": evaluate(cases, lambda text, lang, audience, depth: tantivy.query(text, lang, audience, depth)),
    }


def table(name: str, results: dict[str, Evaluation]) -> str:
    lines = [f"{name}", "| Engine | MRR@10 | recall@3 |", "|---|---|---|"]
    lines += [f"| {engine} | {found.mrr:.3f} | {found.recall:.3f} |" for engine, found in results.items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, help="a knowledge base (default: the Outlook corpus, then the sample)")
    parser.add_argument("--queries", type=Path, help="its queries file (query<TAB>expected[<TAB>lang<TAB>audience])")
    parser.add_argument("--misses", action="store_true", help="list kb's queries not ranked first")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kb-eval-") as folder:
        work = Path(folder)
        sets: list[tuple[str, Path, Path]] = []
        if options.kb:
            sets.append((str(options.kb), options.kb, options.queries or options.kb / "queries.tsv"))
        else:
            corpus = corpus_dir()
            if corpus is None:
                print("no Outlook corpus on this machine (set KB_SHARED_DIR): the sample set only")
            else:
                import_outlook(corpus, work / "outlook")
                sets.append(
                    ("Outlook troubleshooting (334 articles)", work / "outlook", REPO / "bench" / "outlook_queries.tsv")
                )
            sets.append(("Sample help center", REPO, REPO / "tests" / "relevance" / "queries.tsv"))
        for number, (name, root, queries) in enumerate(sets):
            print(f"{name}: {len(read_cases(queries))} queries")
            results = compare(root, queries, work / f"set-{number}")
            print(table(name, results))
            if options.misses:
                for outcome in results["kb"].not_first:
                    print(f"  {outcome.case.query!r} -> {outcome.case.expected}: rank {outcome.rank}, {outcome.top}")
            print()


if __name__ == "__main__":
    main()
