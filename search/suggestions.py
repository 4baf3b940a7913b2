"""Articles to suggest for a whole ticket (subject and body as one long query), only when the match is strong.

A ticket becomes a query of its distinct words, stop words left out, in the order written, at most
MAX_QUERY_WORDS of them: its subject and first lines say what it is about, and a query of 300 words costs
seconds and finds nothing more. A BM25 score grows with the length of the query, so the confidence is the best
page's score divided by the square root of the number of distinct index terms in that query: a long ticket must
match in proportion to what it says, but less than linearly (its greeting and signature match little). A ticket
about a problem a page covers scores well above one that only shares everyday words with the pages. Pages after
the first are suggested while their score stays within RELATED_SHARE of the best's. The threshold
(MIN_CONFIDENCE) was chosen with bench/autoreply_threshold.py on the relevance sets; docs/operators.md gives its
figures.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from search.analysis import fold, query_words, stop_words, terms
from search.results import Hit, SearchResults

MAX_SUGGESTIONS = 3
MIN_CONFIDENCE = 12.0
RELATED_SHARE = 0.6  # a further page is suggested when its score is at least this share of the best's
DEPTH = 10  # hits read from the engine
MAX_QUERY_WORDS = 48


@dataclass(frozen=True)
class Suggested:
    hits: list[Hit]  # best first; empty when not confident enough
    confidence: float  # of the best hit (0 when nothing matched)


def ticket_query(text: str, lang: str | None) -> str:
    """The query a ticket's text is searched with: its distinct words that are not stop words, in order."""
    stops = stop_words(lang) if lang else frozenset()
    seen: set[str] = set()
    kept: list[str] = []
    for word in query_words(text):
        key = fold(word)
        if key in seen or key in stops:
            continue
        seen.add(key)
        kept.append(word)
        if len(kept) == MAX_QUERY_WORDS:
            break
    return " ".join(kept)


def confidence(text: str, hits: list[Hit], lang: str | None = None) -> float:
    """The best hit's score over the square root of the ticket's distinct terms (in the hit's language)."""
    if not hits or hits[0].score <= 0:
        return 0.0
    count = len(set(terms(lang or hits[0].lang, text)))
    return hits[0].score / math.sqrt(max(count, 1))


def suggest(
    text: str,
    search: Callable[[str, int], SearchResults],
    min_confidence: float = MIN_CONFIDENCE,
    limit: int = MAX_SUGGESTIONS,
    lang: str | None = None,
) -> Suggested:
    """The pages to suggest for the ticket `text`, from `search(query, depth)` (the engine's results, best
    first, for the query `ticket_query` makes of it)."""
    query = ticket_query(text, lang)
    hits = list(search(query, DEPTH).hits) if query else []
    score = confidence(query, hits, lang)
    if score < min_confidence:
        return Suggested([], score)
    best = hits[0].score
    chosen = [hits[0]] + [hit for hit in hits[1:] if hit.score >= RELATED_SHARE * best]
    return Suggested(chosen[:limit], score)
