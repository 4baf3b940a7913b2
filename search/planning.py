"""Query planning and ranking: a query's words, their terms per language, synonyms and corrections, the
BM25F query over the fields a reader may search, phrase bonuses on the best pages, and the page of results.

A query is analyzed once per language searched. Every word becomes an optional term of the BM25F text
field (and of the agent field for internal readers); adjacent words also form phrases that rank pages
holding them together up, in the text and, more, inside one front-matter keyword.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from whoosh.query import And, Every, Or, Term

from search.analysis import TOKEN_PATTERN, analyzer, compatible, fold
from search.corrections import FUZZY_WEIGHT, markedly_better
from search.documents import AUDIENCES, INTERNAL, PUBLIC
from search.generation import OpenIndex
from search.hits import hit
from search.lexicon import is_known
from search.ranking import Clause, matching, top
from search.results import SearchResults
from search.schema import agent_field, heading_field, keywords_field, shown_value, text_field, words_field
from search.semantic import query_vector
from search.whoosh_internals import occurs

_WORD = re.compile(TOKEN_PATTERN)  # words as the index cuts them (see search.analysis.query_words)
_NOT_TEXT = re.compile(r"[^\w\s'’.,-]")  # left out of a suggestion: query syntax is not what people meant
# Ranking knobs, set on tests/relevance/queries.tsv (see tests/relevance/test_relevance.py).
AGENT_WEIGHT = 0.6  # an agent-note match counts less than the page's own text
PHRASE_BOOST = 0.5  # two query words next to each other: bonus of this times their summed IDF
KEYWORD_PHRASE_BOOST = 1.0  # the same, inside one front-matter keyword (the customer's own words)
HEAD_WEIGHT = 3.0  # the title-and-summary field, scored on its own length (see search.schema.heading_field)
SYNONYM_WEIGHT = 0.9  # a word of the synonym list's replacements counts almost as the word typed
RESCORE_WINDOW = 100  # pages whose phrase bonuses are computed
SEMANTIC_WINDOW = 20  # the best pages by words that closeness in meaning re-orders (search.semantic)
SEMANTIC_WEIGHT = 0.7  # cosine similarity, against the words' score as a share of the best page's


@dataclass
class Word:
    """A word of the query and the index terms it stands for, per language."""

    text: str
    position: int
    terms: dict[str, list[str]] = field(default_factory=dict)  # lang -> its terms (empty for a stop word)
    matched: bool = True
    corrections: list[str] = field(default_factory=list)  # folded vocabulary words, best first
    synonyms: dict[str, list[str]] = field(default_factory=dict)  # lang -> terms of its synonyms


class QueryPlan:
    """One query against one open generation."""

    def __init__(self, index: OpenIndex, text: str, audience: str, lang: str | None):
        self.index = index
        self.searcher = index.searcher
        self.text = text
        self.audience = audience
        self.lang = lang
        # The languages whose fields are searched: the one asked for, plus the default language when
        # pages not translated yet are shown in it on that language's site.
        if lang is None:
            self.languages = list(index.languages)
        elif lang != index.default_language and index.fallbacks.get(lang):
            self.languages = [lang, index.default_language]
        else:
            self.languages = [lang]
        self.own_languages = [lang] if lang is not None else list(index.languages)  # the reader's, not fallbacks
        self.normalised = compatible(text)  # ligatures and full-width letters folded, accents composed
        self.words = [Word(match.group(0), number) for number, match in enumerate(_WORD.finditer(self.normalised))]
        self.pairs: dict[str, list[tuple[str, str, int]]] = {}  # lang -> adjacent terms and the slop between
        self._idf: dict[tuple[str, str], float] = {}
        self._corrected = False
        for word in self.words:
            word.terms = {language: analyzed(language, word.text) for language in self.languages}
            folded = fold(word.text)
            for language in self.languages:
                replacements = index.synonyms.get(language, {}).get(folded, [])
                terms = [term for item in replacements for term in analyzed(language, item)]
                word.synonyms[language] = [term for term in dict.fromkeys(terms) if term not in word.terms[language]]

    def visible(self) -> set[int]:
        """Documents this reader may see in the languages searched (before the other filters)."""
        shown = shown_value(self.audience, self.lang)
        return self.index.docs(("shown_in", shown), Term("shown_in", shown))

    def filter_docs(self, filters: dict[str, tuple[str, ...]]) -> set[int]:
        """Documents this reader may see that pass every filter (a filter's values are alternatives)."""
        queries = [Term("shown_in", shown_value(self.audience, self.lang))]
        queries += [Or([Term(name, value) for value in values]) for name, values in filters.items() if values]
        if len(queries) == 1:
            return self.visible()
        key = (self.audience, self.lang, *sorted((name, values) for name, values in filters.items() if values))
        return self.index.docs(key, And(queries))

    def fields(self, lang: str) -> list[tuple[str, float]]:
        found = [(text_field(lang), 1.0), (heading_field(lang), HEAD_WEIGHT)]
        if self.audience == INTERNAL:
            found.append((agent_field(lang), AGENT_WEIGHT))
        return found

    def correct(self) -> None:
        """Words matching nothing this reader may see get the nearest words of the reader's vocabulary.

        A word of the reader's language (search.lexicon) is never a typo, even when no page holds it; on
        the French site an English word may still be corrected to a French one.
        """
        visible = self.visible()
        for word in self.words:
            if not any(word.terms.values()) or any(word.synonyms.values()):
                continue  # a stop word, or a customer's word of the synonym list
            word.matched = any(
                occurs(self.searcher, name, term, visible)
                for lang, terms in word.terms.items()
                for term in terms
                for name, _ in self.fields(lang)
            )
            if not word.matched and not any(is_known(lang, word.text) for lang in self.own_languages):
                readable = [PUBLIC] if self.audience == PUBLIC else list(AUDIENCES)
                fieldnames = [words_field(audience, lang) for lang in self.languages for audience in readable]
                # A correction must find something the word does not: a page this reader sees holding it.
                word.corrections = [
                    correction
                    for correction in self.index.corrections(fieldnames, word.text)
                    if any(
                        occurs(self.searcher, name, term, visible)
                        for lang in self.languages
                        for term in analyzed(lang, correction)
                        for name, _ in self.fields(lang)
                    )
                ]

    def build(self, with_corrections: bool = True) -> list[Clause] | None:
        """The BM25F query's clauses: every word's terms (or its corrections), optional, in every language searched.

        Also records, per language, the pairs of adjacent words that phrase bonuses look for.
        Without corrections: the words as typed only (what "did you mean" is compared with).
        """
        if not self._corrected:
            self.correct()
            self._corrected = True
        per_language: list[Clause] = []
        for lang in self.languages:
            clauses: list[Clause] = []
            typed: list[tuple[str, int]] = []  # (term, word position) of words typed right, for phrases
            for word in self.words:
                options = [(term, 1.0) for term in word.terms[lang]] if word.matched else []
                options += [(term, SYNONYM_WEIGHT) for term in word.synonyms.get(lang, [])]
                for rank, correction in enumerate(word.corrections if with_corrections else []):
                    weight = FUZZY_WEIGHT if rank == 0 else FUZZY_WEIGHT / 2
                    options += [(term, weight) for term in analyzed(lang, correction)]
                if word.matched and word.terms[lang]:
                    typed.append((word.terms[lang][0], word.position))  # a technical token's whole form
                clauses += [
                    Clause(name, term, weight * field_weight)
                    for term, weight in unique(options)
                    for name, field_weight in self.fields(lang)
                ]
            per_language += clauses
            if clauses and with_corrections:
                self.pairs[lang] = [
                    (first, second, second_at - first_at + 1)
                    for (first, first_at), (second, second_at) in itertools.pairwise(typed)
                    if first != second
                ]
        return per_language or None

    def results(self, allowed: set[int], page: int, per_page: int) -> SearchResults:
        if not allowed:  # nothing this reader may see passes the filters (and Whoosh ignores an empty filter)
            return SearchResults(self.text, 0, page, per_page)
        query = self.build()
        if query is None and (self.words or self.text.strip()):  # only stop words, or no word at all
            return SearchResults(self.text, 0, page, per_page)
        if query is None:  # no words, only filters: every page that passes them, in path order
            found = self.searcher.search(Every(), limit=page * per_page, filter=allowed, sortedby="key")
            ranked = [(item.docnum, 0.0) for item in found]
            total = len(allowed)
        else:
            scores = self.index.ranker.scores(query)
            mask = self.index.mask(allowed)
            ranked = self.rescore(top(scores, mask, max(RESCORE_WINDOW, page * per_page)), page * per_page)
            ranked = self.by_meaning(ranked)
            total = matching(scores, mask)
        # The filter decides what a reader may see: check each hit against it rather than trust the engine.
        chosen = [(docnum, score) for docnum, score in ranked[(page - 1) * per_page : page * per_page]]
        hits = [hit(self, docnum, score) for docnum, score in chosen if docnum in allowed]
        corrected = {word.text: self._spelling(word.corrections[0]) for word in self.words if word.corrections}
        if corrected and not self.worth_offering(corrected, allowed):
            corrected = {}
        return SearchResults(self.text, total, page, per_page, hits, self.suggestion(corrected), corrected)

    def worth_offering(self, corrected: dict[str, str], allowed: set[int]) -> bool:
        """Whether the suggestion finds markedly better pages than the words as typed (corrections.MARKEDLY_BETTER)."""
        before = self.best_score(self.build(with_corrections=False), allowed)
        if before <= 0.0:
            return True
        suggested = QueryPlan(self.index, self.suggestion(corrected) or "", self.audience, self.lang)
        return markedly_better(before, suggested.best_score(suggested.build(), allowed))

    def best_score(self, query: list[Clause] | None, allowed: set[int]) -> float:
        """The BM25F score of the best page `query` finds among `allowed` (0 when it finds none)."""
        if query is None:
            return 0.0
        found = top(self.index.ranker.scores(query), self.index.mask(allowed), 1)
        return found[0][1] if found else 0.0

    def count(self, query: list[Clause], allowed: set[int]) -> int:
        """Pages matching any term of `query` among `allowed`."""
        return matching(self.index.ranker.scores(query), self.index.mask(allowed))

    def rescore(self, ranked: list[tuple[int, float]], wanted: int) -> list[tuple[int, float]]:
        """Phrase bonuses for the best RESCORE_WINDOW pages: adjacent query words found together.

        Checked on term positions of these pages only, which costs far less than phrase queries over
        the whole index; pages beyond the window keep their BM25F order. Only pages that can still reach
        the first `wanted` ones get their bonuses computed (a page whose score plus every bonus stays below
        the `wanted`-th score cannot), and only where both words of a pair occur: the first `wanted` pages are
        those of computing every bonus of the window.
        """
        window = ranked[:RESCORE_WINDOW]
        checks = [
            (
                fieldname,
                first,
                second,
                slop,
                weight * (self.idf(text_field(lang), first) + self.idf(text_field(lang), second)),
            )
            for lang, pairs in self.pairs.items()
            for fieldname, weight in ((text_field(lang), PHRASE_BOOST), (keywords_field(lang), KEYWORD_PHRASE_BOOST))
            for first, second, slop in pairs
        ]
        if not window or not checks:
            return ranked
        most = sum(value for *_, value in checks)
        bar = window[min(wanted, len(window)) - 1][1] - most
        candidates = np.array(sorted(docnum for docnum, score in window if score >= bar), dtype=np.int64)
        bonus: dict[int, float] = {}
        ranker = self.index.ranker
        for fieldname, first, second, slop, value in checks:
            both = np.intersect1d(
                np.intersect1d(candidates, ranker.postings(fieldname, first)[0]), ranker.postings(fieldname, second)[0]
            )
            if not len(both):
                continue
            docnums = [int(docnum) for docnum in both]
            firsts = self.positions(fieldname, first, docnums)
            seconds = self.positions(fieldname, second, docnums)
            for docnum in firsts.keys() & seconds.keys():
                if near(firsts[docnum], seconds[docnum], slop):
                    bonus[docnum] = bonus.get(docnum, 0.0) + value
        rescored = sorted(
            ((docnum, score + bonus.get(docnum, 0.0)) for docnum, score in window), key=lambda item: -item[1]
        )
        return rescored + ranked[RESCORE_WINDOW:]

    def by_meaning(self, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """The best SEMANTIC_WINDOW pages re-ordered by their words' score, as a share of the best one's, plus
        SEMANTIC_WEIGHT times the cosine of page and query vectors. Scores stay the words' (auto-reply
        thresholds are set on them); only the order changes. Pages in the encoder's languages are re-ordered
        among themselves: a page in another language keeps its place, and a query on another language's
        site is ranked by words alone."""
        semantic = self.index.semantic
        if semantic is None or not ranked or ranked[0][1] <= 0.0:
            return ranked
        model, table = semantic
        if self.lang is not None and self.lang not in model.languages:
            return ranked
        window = ranked[:SEMANTIC_WINDOW]
        found = [table.get(self.searcher.stored_fields(docnum)["key"]) for docnum, _ in window]
        vectors = {place: vector for place, vector in enumerate(found) if vector is not None}
        if len(vectors) < 2:
            return ranked
        query = query_vector(model, self.meant())
        best = window[0][1]
        slots = list(vectors)
        fused = sorted(
            slots, key=lambda place: -(window[place][1] / best + SEMANTIC_WEIGHT * float(vectors[place] @ query))
        )
        reordered = list(window)
        for place, chosen in zip(slots, fused, strict=True):
            reordered[place] = window[chosen]
        return reordered + ranked[SEMANTIC_WINDOW:]

    def meant(self) -> str:
        """The query as the reader meant it, for the encoder: its words that carry meaning (no stop word, no
        query syntax), each as typed when a page or the language knows it, else as corrected."""
        kept: list[str] = []
        for word in self.words:
            if not any(word.terms.values()):
                continue  # a stop word, or no word at all ("^9")
            if word.matched or any(is_known(lang, word.text) for lang in self.own_languages):
                kept.append(word.text)
            elif word.corrections:
                kept.append(self._spelling(word.corrections[0]))
        return " ".join(kept)

    def positions(self, fieldname: str, term: str, docnums: list[int]) -> dict[int, list[int]]:
        """Positions of `term` in `fieldname` of each of `docnums` that holds it."""
        return self.index.ranker.positions(fieldname, term, docnums)

    def pair_idf(self, lang: str, first: str, second: str) -> float:
        return self.idf(text_field(lang), first) + self.idf(text_field(lang), second)

    def idf(self, fieldname: str, term: str) -> float:
        key = (fieldname, term)
        if key not in self._idf:
            self._idf[key] = self.searcher.idf(fieldname, term)
        return self._idf[key]

    def suggestion(self, corrected: dict[str, str]) -> str | None:
        if not corrected:
            return None
        text = _WORD.sub(lambda match: corrected.get(match.group(0), match.group(0)), self.normalised)
        return " ".join(_NOT_TEXT.sub(" ", text).split())

    def _spelling(self, folded: str) -> str:
        for lang in self.languages:
            spelled = self.index.spellings.get(lang, {}).get(self.audience, {}).get(folded)
            if spelled:
                return spelled
        return folded

    def terms(self, lang: str) -> list[str]:
        """The terms a snippet highlights in `lang`: the words as typed, their synonyms and corrections."""
        found: list[str] = []
        for word in self.words:
            found += word.terms.get(lang, analyzed(lang, word.text)) if word.matched else []
            found += word.synonyms.get(lang, [])
            for correction in word.corrections:
                found += analyzed(lang, correction)
        return list(dict.fromkeys(found))


def analyzed(lang: str, text: str) -> list[str]:
    return [token.text for token in analyzer(lang)(text, mode="query")]


def unique(options: Iterable[tuple[str, float]]) -> list[tuple[str, float]]:
    best: dict[str, float] = {}
    for term, weight in options:
        best[term] = max(weight, best.get(term, 0.0))
    return list(best.items())


def near(firsts: list[int], seconds: list[int], slop: int) -> bool:
    """Whether some position of the second word follows one of the first within `slop` positions."""
    following = set(seconds)
    return any(first + gap in following for first in firsts for gap in range(1, slop + 1))
