"""Agent search versus a plain SQLite FTS5 BM25 baseline, in one run: speed on a large corpus, relevance on
the sample help center.

1. Generates --articles pages (default 20,000: half English, half French; bench/corpus.py), reads them once,
   then indexes them with our Whoosh index (search.build_index) and into an SQLite FTS5 table (the same
   rendered text from search.documents, unicode61 tokenizer folding accents, bm25() with the same column
   weights). Prints documents per second and index size for both.
2. Runs the same 500 mixed queries in process on both (1 to 3 words, English and French, public and
   internal, some misspelled, some with a type or category filter; top 10 with the total count and a
   snippet) and prints latency p50 and p95.
3. Runs the same queries again through the service's HTTP endpoint, GET /api/v1/search (the kb service's
   Flask app on a single-threaded Werkzeug server in this process, as one gunicorn sync worker serves, one
   keep-alive client on loopback; each search is also logged to an SQLite event store) and prints p50 and p95.
   tantivy (bench/engines.py, `en_stem`, the same boosts; no type or category filter) is timed the same way.
4. Scores both on the sample help center (content/) with tests/relevance/queries.tsv: MRR@10, recall@3.

All in the same run.

Run: python bench/search_bench.py [--articles 20000] [--queries 500]
"""

from __future__ import annotations

import argparse
import logging
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import CATEGORIES, WORDS, generate
from engines import TantivyBaseline

from kbtools.model.content import ContentSet
from kbtools.model.history import ContentHistory, read_history
from kbtools.model.project import KnowledgeBase
from search import Searcher, build_index
from search.analysis import fold
from search.documents import INTERNAL, PUBLIC, indexed_text, records
from search.evaluation import Evaluation, evaluate, read_cases
from search.planning import AGENT_WEIGHT
from search.schema import WEIGHTS

REPO = Path(__file__).resolve().parent.parent
QUERIES = REPO / "tests" / "relevance" / "queries.tsv"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class BenchQuery:
    text: str
    lang: str | None
    audience: str
    type: str | None
    category: str | None


def mixed_queries(count: int, seed: int = 11) -> list[BenchQuery]:
    rng = random.Random(seed)
    queries = []
    for _ in range(count):
        lang = rng.choice(["en", "fr"])
        words = [rng.choice(WORDS[lang]) for _ in range(rng.choices([1, 2, 3], weights=[40, 35, 25])[0])]
        if rng.random() < 0.1:  # a typo: two letters swapped
            long = [n for n, word in enumerate(words) if len(word) >= 5]
            if long:
                n = rng.choice(long)
                at = rng.randrange(1, len(words[n]) - 2)
                words[n] = words[n][:at] + words[n][at + 1] + words[n][at] + words[n][at + 2 :]
        kind = rng.random()
        queries.append(
            BenchQuery(
                " ".join(words),
                lang if rng.random() < 0.8 else None,
                rng.choice([PUBLIC, INTERNAL]),
                rng.choice(["article", "troubleshooting", "macro"]) if kind < 0.1 else None,
                rng.choice(CATEGORIES) if 0.1 <= kind < 0.2 else None,
            )
        )
    return queries


class Fts5Baseline:
    """Plain SQLite FTS5: one row per page, the same rendered text, bm25() with our field weights."""

    COLUMNS = ("title", "keywords", "summary", "headings", "body", "agent")

    def __init__(self, path: Path):
        self.path = path
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE VIRTUAL TABLE pages USING fts5(title, keywords, summary, headings, body, agent, "
            "id UNINDEXED, path UNINDEXED, lang UNINDEXED, type UNINDEXED, category UNINDEXED, "
            "sites UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')"
        )
        weights = [WEIGHTS["title"], WEIGHTS["keywords"], WEIGHTS["summary"], WEIGHTS["headings"], WEIGHTS["body"]]
        self.rank = {
            PUBLIC: "bm25(pages, " + ", ".join(map(str, [*weights, 0.0])) + ")",
            INTERNAL: "bm25(pages, " + ", ".join(map(str, [*weights, AGENT_WEIGHT])) + ")",
        }

    def index(self, content: ContentSet, kb: KnowledgeBase, history: ContentHistory) -> int:
        rows = []
        for record in records(content, kb.taxonomy, history):
            sites = " ".join(f"{audience}:{lang}" for audience, langs in record.shown_in.items() for lang in langs)
            rows.append(
                (
                    record.title,
                    " ; ".join(record.keywords),
                    record.summary,
                    " ; ".join(record.headings),
                    indexed_text(record.body),
                    indexed_text(record.agent_text),
                    record.id,
                    record.key,
                    record.lang,
                    record.type,
                    record.category,
                    f" {sites} " + " ".join(f"{audience}:*" for audience in record.shown_in) + " ",
                )
            )
        self.db.executemany("INSERT INTO pages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        self.db.commit()
        return len(rows)

    def query(self, query: BenchQuery, limit: int = 10) -> tuple[int, list[tuple[str, str]]]:
        tokens = [fold(token) for token in _WORD.findall(query.text)]
        if not tokens:
            return 0, []
        match = " OR ".join(f'"{token}"' for token in tokens)
        if query.audience == PUBLIC:  # agent notes are for the wiki only
            match = "{title keywords summary headings body} : (" + match + ")"
        where = ["pages MATCH ?", "instr(sites, ?) > 0"]
        params: list[object] = [match, f" {query.audience}:{query.lang or '*'} "]
        if query.type:
            where.append("type = ?")
            params.append(query.type)
        if query.category:
            where.append("category = ?")
            params.append(query.category)
        condition = " AND ".join(where)
        total = self.db.execute(f"SELECT count(*) FROM pages WHERE {condition}", params).fetchone()[0]
        found = self.db.execute(
            f"SELECT id, path, snippet(pages, 4, '<mark>', '</mark>', '…', 24) FROM pages WHERE {condition} "
            f"ORDER BY {self.rank[query.audience]} LIMIT ?",
            [*params, limit],
        ).fetchall()
        return total, [(hit_id, path) for hit_id, path, _ in found]


def latencies(run: Callable[[BenchQuery], object], queries: Sequence[BenchQuery]) -> list[float]:
    timings = []
    for query in queries:
        start = time.perf_counter()
        run(query)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [item for item in path.rglob("*") if item.is_file()]
    return sum(item.stat().st_size for item in files) / 1e6


def whoosh_run(searcher: Searcher) -> Callable[[BenchQuery], list[tuple[str, str]]]:
    def run(query: BenchQuery) -> list[tuple[str, str]]:
        found = searcher.query(
            query.text, lang=query.lang, audience=query.audience, type=query.type, category=query.category
        )
        return [(hit.id, hit.path) for hit in found.hits]

    return run


def relevance(folder: Path) -> tuple[Evaluation, Evaluation]:
    """Both engines on the sample help center with the relevance queries."""
    kb = KnowledgeBase.at(REPO)
    content, history = kb.load(), read_history(kb.root)
    build_index(kb, folder / "sample-whoosh", content=content, history=history)
    baseline = Fts5Baseline(folder / "sample-fts5.sqlite")
    baseline.index(content, kb, history)
    cases = read_cases(QUERIES)
    with Searcher(folder / "sample-whoosh") as searcher:
        ours = evaluate(
            cases,
            lambda text, lang, audience, depth: [
                (hit.id, hit.path) for hit in searcher.query(text, lang=lang, audience=audience, per_page=depth).hits
            ],
        )
    theirs = evaluate(
        cases,
        lambda text, lang, audience, depth: baseline.query(BenchQuery(text, lang, audience, None, None), depth)[1],
    )
    return ours, theirs


def http_latencies(root: Path, index_dir: Path, database: Path, queries: Sequence[BenchQuery]) -> list[float]:
    """The same queries through the service's HTTP endpoint (a Werkzeug server in this process)."""
    from http.client import HTTPConnection
    from urllib.parse import urlencode

    from werkzeug.serving import make_server

    from kbtools.service import create_app

    app = create_app(
        {
            "root": str(root),
            "database_url": f"sqlite:///{database}",
            "rate_limit": "off",
            "search_index": str(index_dir),
            "api_tokens": ["bench-token-0000"],
        }
    )
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # one thread serving every request, as a gunicorn sync worker does (its Searcher stays open)
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    connection = HTTPConnection("127.0.0.1", server.server_port)
    timings = []
    try:
        for query in queries:
            params = {
                "q": query.text,
                **{k: v for k, v in (("lang", query.lang), ("type", query.type), ("category", query.category)) if v},
            }
            headers = {"Authorization": "Bearer bench-token-0000"} if query.audience == "internal" else {}
            start = time.perf_counter()
            connection.request("GET", "/api/v1/search?" + urlencode(params), headers=headers)
            answer = connection.getresponse()
            answer.read()
            timings.append((time.perf_counter() - start) * 1000)
            assert answer.status == 200, answer.status
    finally:
        connection.close()
        server.shutdown()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20_000, help="pages in all (half per language)")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--words-only", action="store_true", help="kb without ranking by meaning (search/semantic.py)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        start = time.perf_counter()
        root = generate(folder / "kb", args.articles // 2)
        print(f"corpus: {args.articles:,} pages generated in {time.perf_counter() - start:.1f} s")
        kb = KnowledgeBase.at(root)
        start = time.perf_counter()
        content = kb.load(jobs=2)
        history = read_history(kb.root)
        print(f"content read and parsed (2 processes) in {time.perf_counter() - start:.1f} s")

        report = build_index(
            kb,
            folder / "whoosh",
            content=content,
            history=history,
            semantic=not args.words_only,
            vector_cache=folder / "vector-cache",  # every vector computed: the first build on a machine
        )
        whoosh_size = size_mb(report.generation)
        print(
            f"whoosh: {report.documents:,} pages indexed in {report.seconds:.1f} s "
            f"({report.documents_per_second:,.0f} docs/s), index {whoosh_size:.1f} MB; "
            f"ranking by meaning: {report.semantic or 'off'} ({report.encoded:,} page vectors computed)"
        )
        baseline = Fts5Baseline(folder / "fts5.sqlite")
        start = time.perf_counter()
        count = baseline.index(content, kb, history)
        seconds = time.perf_counter() - start
        print(
            f"fts5:   {count:,} pages indexed in {seconds:.1f} s ({count / seconds:,.0f} docs/s), "
            f"index {size_mb(baseline.path):.1f} MB"
        )

        tantivy = TantivyBaseline(folder / "tantivy")
        start = time.perf_counter()
        count = tantivy.index(content, kb, history)
        seconds = time.perf_counter() - start
        print(
            f"tantivy: {count:,} pages indexed in {seconds:.1f} s ({count / seconds:,.0f} docs/s), "
            f"index {size_mb(folder / 'tantivy'):.1f} MB"
        )

        queries = mixed_queries(args.queries)
        with Searcher(folder / "whoosh") as searcher:
            run = whoosh_run(searcher)
            run(queries[0])  # open the index
            ours = latencies(run, queries)
        theirs = latencies(baseline.query, queries)
        tantivy_timings = latencies(lambda query: tantivy.query(query.text, query.lang, query.audience), queries)
        for label, timings in (("whoosh", ours), ("fts5  ", theirs), ("tantivy", tantivy_timings)):
            print(
                f"{label}: {len(timings)} mixed queries in process, p50 {percentile(timings, 0.5):.1f} ms, "
                f"p95 {percentile(timings, 0.95):.1f} ms, mean {statistics.mean(timings):.1f} ms"
            )

        http = http_latencies(kb.root, folder / "whoosh", folder / "events.sqlite3", queries)
        print(
            f"whoosh through GET /api/v1/search (kb service, one keep-alive client, loopback): "
            f"p50 {percentile(http, 0.5):.1f} ms, p95 {percentile(http, 0.95):.1f} ms"
        )

        ours_eval, theirs_eval = relevance(folder)
        print(f"relevance on the sample help center ({QUERIES.relative_to(REPO)}):")
        print(f"  whoosh: {ours_eval.summary()}")
        print(f"  fts5:   {theirs_eval.summary()}")


if __name__ == "__main__":
    main()
