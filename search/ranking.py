"""BM25F scores of a query's terms over a whole index at once, with numpy.

Whoosh scores a query one document at a time through a tree of matchers, and with a filter it scores every
matching document (its block-quality skipping is off, and on help-center text nearly every block holds a title
match, so it skips little anyway). Here each term's postings are read in whole blocks (search.whoosh_internals),
scored as Whoosh's BM25F scores them (the same IDF, average field length, lengths and boosts) in a few array
operations, and summed into one array of scores per document: the same scores and order, an order of magnitude
faster on a large index.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.scoring import BM25F
from whoosh.searching import Searcher as WhooshSearcher

from search.whoosh_internals import decode_positions, field_lengths, postings_arrays

_POSTINGS_BUDGET = 1_500_000  # decoded postings kept per open index (some 100 MB at most): frequent terms repeat


@dataclass(frozen=True)
class Clause:
    """One scored term: a field, its term, and the boost its score is multiplied by."""

    fieldname: str
    term: str
    boost: float


class Ranker:
    """Scores queries against one open Whoosh index; caches field lengths and decoded postings."""

    def __init__(self, searcher: WhooshSearcher, weighting: BM25F):
        self.searcher = searcher
        self.weighting = weighting
        self.size = searcher.reader().doc_count_all()
        self._lengths: dict[str, npt.NDArray[np.float64]] = {}
        self._postings: OrderedDict[
            tuple[str, str], tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], list[Any]]
        ] = OrderedDict()
        self._held = 0

    def lengths(self, fieldname: str) -> npt.NDArray[np.float64]:
        found = self._lengths.get(fieldname)
        if found is None:
            found = self._lengths[fieldname] = np.asarray(
                field_lengths(self.searcher.reader(), fieldname), dtype=np.float64
            )
        return found

    def postings(self, fieldname: str, term: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """Document numbers and weights of a term's postings (deleted documents included)."""
        ids, weights, _ = self._read(fieldname, term)
        return ids, weights

    def positions(self, fieldname: str, term: str, docnums: Iterable[int]) -> dict[int, list[int]]:
        """Positions of `term` in `fieldname` of each of `docnums` that holds it."""
        ids, _, values = self._read(fieldname, term)
        wanted = np.fromiter(docnums, dtype=np.int64)
        if not len(ids) or not len(wanted):
            return {}
        at = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
        reader = self.searcher.reader()
        return {
            int(docnum): decode_positions(reader, fieldname, values[index])
            for docnum, index in zip(wanted, at, strict=True)
            if ids[index] == docnum
        }

    def _read(self, fieldname: str, term: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], list[Any]]:
        key = (fieldname, term)
        found = self._postings.get(key)
        if found is not None:
            self._postings.move_to_end(key)
            return found
        blocks = postings_arrays(self.searcher.reader(), fieldname, term)
        ids = np.fromiter((id for block, _, _ in blocks for id in block), dtype=np.int64)
        weights = np.fromiter((weight for _, block, _ in blocks for weight in block), dtype=np.float64)
        values = [value for _, _, block in blocks for value in block]
        found = self._postings[key] = (ids, weights, values)
        self._held += len(ids)
        while self._held > _POSTINGS_BUDGET and len(self._postings) > 1:
            _, (old, _, _) = self._postings.popitem(last=False)
            self._held -= len(old)
        return found

    def scores(self, clauses: Iterable[Clause]) -> npt.NDArray[np.float64]:
        """Every document's summed BM25F score for `clauses` (0 for a document matching none)."""
        total = np.zeros(self.size, dtype=np.float64)
        k1 = self.weighting.K1
        for clause in clauses:
            ids, weights = self.postings(clause.fieldname, clause.term)
            if not len(ids):
                continue
            b = self.weighting._field_B.get(clause.fieldname, self.weighting.B)
            idf = self.searcher.idf(clause.fieldname, clause.term)
            average = self.searcher.avg_field_length(clause.fieldname) or 1
            lengths = self.lengths(clause.fieldname)[ids]
            # As whoosh.scoring.bm25, then the term's boost, in the same order (the same floating-point rounding).
            total[ids] += (
                idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / average)))
            ) * clause.boost
        return total


def top(scores: npt.NDArray[np.float64], allowed: npt.NDArray[np.bool_], limit: int) -> list[tuple[int, float]]:
    """The `limit` best allowed documents with a score, best first (ties: lower document number first)."""
    candidates = np.flatnonzero(allowed & (scores > 0))
    if len(candidates) > limit:
        kept = np.argpartition(-scores[candidates], limit - 1)[:limit]
        threshold = scores[candidates[kept]].min()
        candidates = candidates[scores[candidates] >= threshold]  # every tie with the last one, then ordered
    order = np.lexsort((candidates, -scores[candidates]))
    chosen = candidates[order][:limit]
    return [(int(docnum), float(scores[docnum])) for docnum in chosen]


def matching(scores: npt.NDArray[np.float64], allowed: npt.NDArray[np.bool_]) -> int:
    """How many allowed documents match at least one clause."""
    return int(np.count_nonzero(allowed & (scores > 0)))


def mask(size: int, docs: Iterable[int]) -> npt.NDArray[np.bool_]:
    found = np.zeros(size, dtype=np.bool_)
    found[np.fromiter(docs, dtype=np.int64)] = True
    return found
