"""POST /api/v1/autoreply at 2,000 generated articles per language, through the Flask test client.

Prints the latency p50/p95 of the whole request (validation, search, reply rendering, storing the ticket and
its links in SQLite) for realistic ticket bodies of 200 to 2,000 characters, per length band, and the
precision and coverage of the suggestions at the configured threshold:
- each ticket is written from one generated article (a few of its sentences, shuffled, inside a greeting, a line
  of context and a signature): precision is the share of answered tickets whose suggestions hold that article,
  coverage the share of tickets answered;
- the same at the chosen threshold on the real relevance sets (bench/autoreply_threshold.py prints the other
  thresholds).

Run: python bench/autoreply_bench.py [--articles 2000] [--tickets 300]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from autoreply_threshold import REPO, measure
from corpus import generate

from kbtools.model.project import KnowledgeBase
from kbtools.service import create_app
from search import build_index
from search.evaluation import read_cases
from search.suggestions import MIN_CONFIDENCE

TOKEN = "bench-token-0000000001"
BANDS = ((200, 500), (500, 1000), (1000, 2000))
OPENING = {"en": "Hello team, I hope you are well.", "fr": "Bonjour, j'espère que vous allez bien."}
CLOSING = {
    "en": "Thanks in advance for your help. Best regards, Marie Dupont, Finance Manager",
    "fr": "Merci d'avance pour votre aide. Cordialement, Marie Dupont, responsable financière",
}
TEMPLATE = """---
id: autoreply-default
title: Ticket received
type: autoreply
audience: internal
status: published
category: account
owner: support-ops
reviewed: 2026-11-20
---

Hi {{ticket.requester.first_name}},

We have received your request (ticket {{autoreply.ticket_id}}). These articles may already answer it:

{{autoreply.articles}}
"""


def sentences(path: Path) -> list[str]:
    body = path.read_text(encoding="utf-8").split("---", 2)[2]
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", body)
    text = re.sub(r"^(#+|\d+\.|!!!.*)\s*", "", text, flags=re.MULTILINE)
    return [s.strip() + "." for s in re.split(r"\.\s+", text) if len(s.split()) > 4]


def ticket(rng: random.Random, root: Path, lang: str, articles: int, length: int) -> tuple[dict, str]:
    """A ticket of about `length` characters written from one public generated article; (body, its id)."""
    while True:
        index = rng.randrange(articles)
        if index % 10 != 9:  # one page in ten is a macro (internal)
            break
    page = next((root / "content" / lang).glob(f"*/page-{index:05d}.md"))
    pool = sentences(page)
    rng.shuffle(pool)
    middle: list[str] = []
    while pool and len(" ".join(middle)) < length - len(OPENING[lang]) - len(CLOSING[lang]):
        middle.append(pool.pop())
    body = f"{OPENING[lang]} {' '.join(middle)} {CLOSING[lang]}"[:length]
    subject = " ".join(middle[0].split()[:6]) if middle else "Question"
    return {"ticket_id": f"B-{rng.randrange(10**9)}", "subject": subject, "body": body, "lang": lang}, (
        f"page-{index:05d}"
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="generated articles per language")
    parser.add_argument("--tickets", type=int, default=300, help="tickets posted (after 10 warm-up requests)")
    options = parser.parse_args()
    rng = random.Random(13)
    with tempfile.TemporaryDirectory(prefix="kb-autoreply-bench-") as folder:
        work = Path(folder)
        root = generate(work / "kb", options.articles)
        for lang in ("en", "fr"):
            (root / "content" / lang / "account" / "autoreply-default.md").write_text(TEMPLATE, encoding="utf-8")
        started = time.perf_counter()
        build_index(KnowledgeBase.at(root), work / "index")
        print(
            f"{options.articles} articles per language (en, fr): index built in {time.perf_counter() - started:.0f} s"
        )
        app = create_app(
            {
                "root": str(root),
                "database_url": f"sqlite:///{work / 'events.sqlite3'}",
                "rate_limit": "off",
                "api_tokens": [TOKEN],
                "search_index": str(work / "index"),
            }
        )
        client = app.test_client()
        headers = {"Authorization": f"Bearer {TOKEN}"}
        for _ in range(10):  # warm-up: the searcher opens the index, caches fill
            body, _ = ticket(rng, root, "en", options.articles, 500)
            client.post("/api/v1/autoreply", json=body, headers=headers)
        timings: dict[tuple[int, int], list[float]] = {band: [] for band in BANDS}
        answered = right = 0
        for number in range(options.tickets):
            band = BANDS[number % len(BANDS)]
            lang = ("en", "fr")[number % 2]
            body, expected = ticket(rng, root, lang, options.articles, rng.randrange(*band))
            began = time.perf_counter()
            response = client.post("/api/v1/autoreply", json=body, headers=headers)
            timings[band].append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.get_json()
            found = [article["id"] for article in response.get_json()["articles"]]
            answered += bool(found)
            right += expected in found
        app.extensions["kb_engine"].dispose()
        print(f"Latency of POST /api/v1/autoreply ({options.tickets} tickets, en and fr alternating):")
        print("| ticket body | tickets | p50 ms | p95 ms |")
        print("|---|---|---|---|")
        for (low, high), values in timings.items():
            p50, p95 = statistics.median(values), percentile(values, 0.95)
            print(f"| {low}-{high} chars | {len(values)} | {p50:.1f} | {p95:.1f} |")
        every = [value for values in timings.values() for value in values]
        print(f"| all | {len(every)} | {statistics.median(every):.1f} | {percentile(every, 0.95):.1f} |")
        print(
            f"Generated tickets at the threshold {MIN_CONFIDENCE}: coverage {answered / options.tickets:.3f}, "
            f"precision {right / answered if answered else 0:.3f} (suggestions holding the source article)"
        )
        cases = read_cases(REPO / "tests" / "relevance" / "queries.tsv")
        for wrap in (False, True):
            rows = {row[0]: row for row in measure(REPO, cases, work / "sample-index", wrap)}
            _, share, precision, first, count = rows[MIN_CONFIDENCE]
            what = "as tickets" if wrap else "as typed"
            print(
                f"Sample relevance set ({what}) at {MIN_CONFIDENCE}: coverage {share:.3f}, precision {precision:.3f}, "
                f"precision@1 {first:.3f}, {count:.2f} articles per reply"
            )


if __name__ == "__main__":
    main()
