"""Spelling correction: the vocabulary words nearest to a word the index does not hold, and when a
correction is worth offering as "did you mean"."""

from __future__ import annotations

from typing import Any

from search.analysis import fold

FUZZY_WEIGHT = 0.7  # a correction counts less than a word typed right
# "Did you mean" is offered when the words as typed find nothing, or when the suggested query's best page
# scores at least this many times the best page of the words as typed: a correction that only adds a little
# to what the other words find already is not worth the reader's attention (it still helps the ranking).
MARKEDLY_BETTER = 1.5


def markedly_better(best_as_typed: float, best_suggested: float) -> bool:
    """Whether a suggestion finds markedly better pages than the words as typed (best scores compared)."""
    return best_as_typed <= 0.0 or best_suggested >= MARKEDLY_BETTER * best_as_typed


def nearest(reader: Any, fieldnames: list[str], word: str, limit: int = 3) -> list[str]:
    """Up to `limit` vocabulary words nearest to `word` (fewest edits, then most frequent).

    One edit is tried first (fast); two only for words of 6 letters or more with nothing one edit away.
    The first letter must match: typos there are rare, and the search is many times faster for it.
    """
    folded = fold(word)
    if len(folded) < 4:
        return []
    fieldnames = [name for name in fieldnames if name in reader.schema]
    candidates: dict[str, tuple[int, int]] = {}
    for maxdist in (1, 2) if len(folded) >= 6 else (1,):
        for fieldname in fieldnames:
            for candidate in _within(reader, fieldname, folded, maxdist):
                if candidate != folded and candidate not in candidates:
                    frequency = sum(reader.doc_frequency(name, candidate) for name in fieldnames)
                    candidates[candidate] = (distance(folded, candidate), -frequency)
        if candidates:
            break
    ranked = sorted(candidates, key=lambda candidate: (candidates[candidate], candidate))
    best = candidates[ranked[0]][0] if ranked else 0
    return [candidate for candidate in ranked if candidates[candidate][0] == best][:limit]


def _within(reader: Any, fieldname: str, word: str, maxdist: int) -> set[str]:
    """Vocabulary words within `maxdist` edits of `word`, sharing its first letter, segment by segment: Whoosh's
    reader of several segments (an updated index) measures edits otherwise than a segment's own (its automaton),
    and an updated index must correct as a rebuilt one does."""
    return {
        candidate
        for leaf, _ in reader.leaf_readers()
        if fieldname in leaf.schema
        for candidate in leaf.terms_within(fieldname, word, maxdist, prefix=1)
    }


def distance(first: str, second: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): a swap of two letters is one edit."""
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        row = [i] + [0] * len(second)
        for j, b in enumerate(second, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a != b))
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                row[j] = min(row[j], previous2[j - 2] + 1)
        previous2, previous = previous, row
    return previous[-1]
