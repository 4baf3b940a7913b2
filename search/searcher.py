"""Answering queries: a long-lived `Searcher` over the live index generation.

A query is analyzed once per language searched. Every word becomes an optional term of the BM25F text
field (and of the agent field for internal readers); adjacent words also form phrases that rank pages
holding them together up, in the text and, more, inside one front-matter keyword, so a page whose
keywords say what the customer says comes first. A word matching nothing a reader may see is replaced by
its nearest words in the reader's vocabulary (typo tolerance) and offered back as "did you mean".

A query is plain words: it is never parsed as Whoosh query syntax, so `title:*`, `card AND NOT refund` or
`"a phrase"` search for the words they hold (`title`; `card`, `and`, `not`, `refund`...), and text holding
no word at all (punctuation, a lone accent) finds nothing.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from whoosh import scoring
from whoosh.index import open_dir
from whoosh.query import And, Every, Or, Query, Term
from whoosh.searching import Searcher as WhooshSearcher

from kbtools.errors import UsageError
from kbtools.urls import page_url
from search import store
from search.analysis import TOKEN_PATTERN, analyzer, compatible, fold, query_words, segment_of
from search.documents import AUDIENCES, INTERNAL, PUBLIC
from search.indexer import FORMAT, META_FILE, PUBLIC_DIR, SYNONYMS_FILE, WORDS_FILE
from search.lexicon import is_known
from search.results import Hit, SearchResults, Snippet
from search.schema import agent_field, heading_field, keywords_field, shown_value, text_field, words_field
from search.snippets import best_passage, highlight

Filter = str | Sequence[str] | None

MAX_PER_PAGE = 100
_WORD = re.compile(TOKEN_PATTERN)  # words as the index cuts them (see search.analysis.query_words)
_NOT_TEXT = re.compile(r"[^\w\s'’.,-]")  # left out of a suggestion: query syntax is not what people meant
# Ranking knobs, set on tests/relevance/queries.tsv (see tests/relevance/test_relevance.py).
AGENT_WEIGHT = 0.6  # an agent-note match counts less than the page's own text
PHRASE_BOOST = 0.5  # two query words next to each other: bonus of this times their summed IDF
KEYWORD_PHRASE_BOOST = 1.0  # the same, inside one front-matter keyword (the customer's own words)
HEAD_WEIGHT = 3.0  # the title-and-summary field, scored on its own length (see search.schema.heading_field)
SYNONYM_WEIGHT = 0.9  # a word of the synonym list's replacements counts almost as the word typed
FUZZY_WEIGHT = 0.7  # a correction counts less than a word typed right
# "Did you mean" is offered when the words as typed find nothing, or when the suggested query's best page
# scores at least this many times the best page of the words as typed: a correction that only adds a little
# to what the other words find already is not worth the reader's attention (it still helps the ranking).
MARKEDLY_BETTER = 1.5
_BM25F = scoring.BM25F(B=0.75, K1=1.6)
RESCORE_WINDOW = 100  # pages whose phrase bonuses are computed
_FILTER_CACHE = 256
_CORRECTION_CACHE = 4096


@dataclass
class _Word:
    """A word of the query and the index terms it stands for, per language."""

    text: str
    position: int
    terms: dict[str, list[str]] = field(default_factory=dict)  # lang -> its terms (empty for a stop word)
    matched: bool = True
    corrections: list[str] = field(default_factory=list)  # folded vocabulary words, best first
    synonyms: dict[str, list[str]] = field(default_factory=dict)  # lang -> terms of its synonyms


class _Generation:
    """One open index of a generation, the public or the internal one: its Whoosh searcher, metadata, caches."""

    def __init__(self, generation: store.Generation, audience: str):
        self.generation = generation
        self.path = generation.path / PUBLIC_DIR if audience == PUBLIC else generation.path
        try:
            meta = json.loads((self.path / META_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            meta = {}
        if meta.get("format") != FORMAT:
            raise store.IndexNotFoundError(
                f"the search index in {generation.path.parent} was built by another kb version: run 'kb index'"
            )
        self.languages: list[str] = meta["languages"]
        self.default_language: str = meta["default_language"]
        self.fallbacks: dict[str, int] = meta.get("fallbacks", {})
        self.searcher: WhooshSearcher = open_dir(str(self.path)).searcher(weighting=_BM25F)
        self._filters: OrderedDict[tuple[Any, ...], set[int]] = OrderedDict()
        self._corrections: OrderedDict[tuple[str, ...], list[str]] = OrderedDict()

    @cached_property
    def spellings(self) -> dict[str, dict[str, dict[str, str]]]:
        return json.loads((self.path / WORDS_FILE).read_text(encoding="utf-8"))

    @cached_property
    def synonyms(self) -> dict[str, dict[str, list[str]]]:
        """lang -> folded customer word -> the words it also finds (content/synonyms.yml)."""
        return json.loads((self.path / SYNONYMS_FILE).read_text(encoding="utf-8"))

    def docs(self, key: tuple[Any, ...], query: Query) -> set[int]:
        """Document numbers matching a filter query, cached (never modify the set): filters repeat."""
        found = self._filters.get(key)
        if found is None:
            found = set(self.searcher.docs_for_query(query))
            self._filters[key] = found
            if len(self._filters) > _FILTER_CACHE:
                self._filters.popitem(last=False)
        else:
            self._filters.move_to_end(key)
        return found

    def corrections(self, fieldnames: list[str], word: str) -> list[str]:
        """Nearest vocabulary words to an unknown `word`, cached: people retype the same query."""
        key = (*fieldnames, word)
        found = self._corrections.get(key)
        if found is None:
            found = self._corrections[key] = _nearest(self.searcher.reader(), fieldnames, word)
            if len(self._corrections) > _CORRECTION_CACHE:
                self._corrections.popitem(last=False)
        return found

    def close(self) -> None:
        self.searcher.close()


class Searcher:
    """Queries the search index in `index_dir`, following rebuilds without being reopened.

    Cheap to keep open; not safe to share between threads (give each thread its own, or use
    `search.query`, which keeps one per thread).
    """

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        self._open: dict[str, _Generation] = {}  # audience -> its index in the generation in use
        self._marker: tuple[int, int] | None = None

    @property
    def generation(self) -> str:
        """Name of the index generation in use (it changes when a rebuild is picked up)."""
        return self._current(PUBLIC).generation.name

    def close(self) -> None:
        for index in self._open.values():
            index.close()
        self._open = {}

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _current(self, audience: str) -> _Generation:
        """The index `audience` searches: public readers get the public index, built from public text only."""
        marker = store.marker(self.index_dir)
        if marker != self._marker or audience not in self._open:
            generation = store.current(self.index_dir)
            for stale in [name for name, index in self._open.items() if index.generation.name != generation.name]:
                self._open.pop(stale).close()
            if audience not in self._open:
                self._open[audience] = _Generation(generation, audience)
            self._marker = generation.marker
        return self._open[audience]

    def query(
        self,
        text: str,
        *,
        audience: str = "public",
        lang: str | None = None,
        type: Filter = None,
        category: Filter = None,
        tag: Filter = None,
        case_reason: Filter = None,
        page: int = 1,
        per_page: int = 10,
    ) -> SearchResults:
        """Pages matching `text` that `audience` may read, best first; see the module docstring of `search`."""
        if audience not in AUDIENCES:
            raise UsageError(f"audience must be one of {', '.join(AUDIENCES)}, not {audience!r}")
        if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
            raise UsageError(f"page starts at 1 and per_page is between 1 and {MAX_PER_PAGE}")
        index = self._current(audience)
        if lang is not None and lang not in index.languages:
            raise UsageError(f"unknown language {lang!r}: the index has {', '.join(index.languages)}")
        run = _Query(index, text, audience, lang)
        allowed = run.filter_docs(
            {
                "type": _values(type),
                "category": _values(category),
                "tags": _values(tag),
                "case_reason": _values(case_reason),
            }
        )
        return run.results(allowed, page, per_page)

    def count(self, text: str, *, audience: str = "public", lang: str | None = None) -> int:
        """How many pages `query(text, audience=audience, lang=lang)` finds without any filter (what a
        search would find before its type, category, tag and case-reason filters). No ranking, no snippets."""
        if audience not in AUDIENCES:
            raise UsageError(f"audience must be one of {', '.join(AUDIENCES)}, not {audience!r}")
        index = self._current(audience)
        if lang is not None and lang not in index.languages:
            raise UsageError(f"unknown language {lang!r}: the index has {', '.join(index.languages)}")
        run = _Query(index, text, audience, lang)
        visible = run.visible()
        if not run.words:
            return 0 if text.strip() else len(visible)
        built = run.build()
        return run.count(built, visible) if built is not None else 0

    def answers(self, text: str, *, lang: str, audience: str = "public", missing_in: str | None = None) -> list[str]:
        """Paths (`<lang>/<rel>`) of the pages in `lang` that `audience` sees on `lang`'s site and whose text
        holds every meaningful word of `text` as typed: analysed in `lang` (stemmed, accents folded, stop
        words left out), with no typo correction. [] when `text` has no meaningful word.

        With `missing_in` (the language the query was typed in), its stop words are left out too ("le kbis"
        is "kbis"), and only the pages that `audience` does not see in that language on that language's
        site are kept: not translated yet, or their translation is not published.
        """
        if audience not in AUDIENCES:
            raise UsageError(f"audience must be one of {', '.join(AUDIENCES)}, not {audience!r}")
        index = self._current(audience)
        for language in (lang, missing_in):
            if language is not None and language not in index.languages:
                raise UsageError(f"unknown language {language!r}: the index has {', '.join(index.languages)}")
        words = query_words(text)
        if missing_in is not None:
            words = [word for word in words if _analyzed(missing_in, word)]
        wanted = [terms for word in words if (terms := _analyzed(lang, word))]
        if not wanted:
            return []
        reader = index.searcher.reader()
        fieldnames = [text_field(lang)] + ([agent_field(lang)] if audience == INTERNAL else [])
        docs = self._shown(index, audience, lang)
        for terms in wanted:
            docs = docs & {docnum for term in terms for name in fieldnames for docnum in _doc_ids(reader, name, term)}
            if not docs:
                return []
        paths = sorted(index.searcher.stored_fields(docnum)["key"] for docnum in docs)
        if missing_in is None:
            return paths
        there = self._shown(index, audience, missing_in)
        return [
            path
            for path in paths
            if not there.intersection(_doc_ids(reader, "key", f"{missing_in}/{path.partition('/')[2]}"))
        ]

    @staticmethod
    def _shown(index: _Generation, audience: str, lang: str) -> set[int]:
        """Pages of language `lang` that `audience` sees on `lang`'s site (cached: never modify the set)."""
        shown = shown_value(audience, lang)
        return index.docs(("own", shown), And([Term("shown_in", shown), Term("lang", lang)]))


def _values(value: Filter) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    return tuple(item for item in value if item)


class _Query:
    """One query against one open generation."""

    def __init__(self, index: _Generation, text: str, audience: str, lang: str | None):
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
        self.words = [_Word(match.group(0), number) for number, match in enumerate(_WORD.finditer(self.normalised))]
        self.pairs: dict[str, list[tuple[str, str, int]]] = {}  # lang -> adjacent terms and the slop between
        self._positions: dict[tuple[str, str], tuple[dict[int, list[int]], set[int]]] = {}
        self._idf: dict[tuple[str, str], float] = {}
        self._corrected = False
        for word in self.words:
            word.terms = {language: _analyzed(language, word.text) for language in self.languages}
            folded = fold(word.text)
            for language in self.languages:
                replacements = index.synonyms.get(language, {}).get(folded, [])
                terms = [term for item in replacements for term in _analyzed(language, item)]
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
                _occurs(self.searcher, name, term, visible)
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
                        _occurs(self.searcher, name, term, visible)
                        for lang in self.languages
                        for term in _analyzed(lang, correction)
                        for name, _ in self.fields(lang)
                    )
                ]

    def build(self, with_corrections: bool = True) -> Query | None:
        """The BM25F query: every word's terms (or its corrections), optional, in every language searched.

        Also records, per language, the pairs of adjacent words that phrase bonuses look for.
        Without corrections: the words as typed only (what "did you mean" is compared with).
        """
        if not self._corrected:
            self.correct()
            self._corrected = True
        per_language = []
        for lang in self.languages:
            clauses: list[Query] = []
            typed: list[tuple[str, int]] = []  # (term, word position) of words typed right, for phrases
            for word in self.words:
                options = [(term, 1.0) for term in word.terms[lang]] if word.matched else []
                options += [(term, SYNONYM_WEIGHT) for term in word.synonyms.get(lang, [])]
                for rank, correction in enumerate(word.corrections if with_corrections else []):
                    weight = FUZZY_WEIGHT if rank == 0 else FUZZY_WEIGHT / 2
                    options += [(term, weight) for term in _analyzed(lang, correction)]
                if word.matched and word.terms[lang]:
                    typed.append((word.terms[lang][0], word.position))  # a technical token's whole form
                clauses += [
                    Term(name, term, boost=weight * field_weight)
                    for term, weight in _unique(options)
                    for name, field_weight in self.fields(lang)
                ]
            if clauses:
                per_language.append(Or(clauses))
            if clauses and with_corrections:
                self.pairs[lang] = [
                    (first, second, second_at - first_at + 1)
                    for (first, first_at), (second, second_at) in itertools.pairwise(typed)
                    if first != second
                ]
        return Or(per_language) if per_language else None

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
            found = self.searcher.search(query, limit=max(RESCORE_WINDOW, page * per_page), filter=allowed)
            ranked = self.rescore([(item.docnum, item.score or 0.0) for item in found])
            total = self.count(query, allowed)
        # The filter decides what a reader may see: check each hit against it rather than trust the engine.
        chosen = [(docnum, score) for docnum, score in ranked[(page - 1) * per_page : page * per_page]]
        hits = [self.hit(docnum, score) for docnum, score in chosen if docnum in allowed]
        corrected = {word.text: self._spelling(word.corrections[0]) for word in self.words if word.corrections}
        if corrected and not self.worth_offering(corrected, allowed):
            corrected = {}
        return SearchResults(self.text, total, page, per_page, hits, self.suggestion(corrected), corrected)

    def worth_offering(self, corrected: dict[str, str], allowed: set[int]) -> bool:
        """Whether the suggestion finds markedly better pages than the words as typed (MARKEDLY_BETTER)."""
        before = self.best_score(self.build(with_corrections=False), allowed)
        if before <= 0.0:
            return True
        suggested = _Query(self.index, self.suggestion(corrected) or "", self.audience, self.lang)
        return suggested.best_score(suggested.build(), allowed) >= MARKEDLY_BETTER * before

    def best_score(self, query: Query | None, allowed: set[int]) -> float:
        """The BM25F score of the best page `query` finds among `allowed` (0 when it finds none)."""
        if query is None:
            return 0.0
        found = self.searcher.search(query, limit=1, filter=allowed)
        return float(found[0].score or 0.0) if len(found) else 0.0

    def count(self, query: Query, allowed: set[int]) -> int:
        """Pages matching any term of `query` among `allowed`: the union of the terms' posting lists."""
        matching: set[int] = set()
        reader = self.searcher.reader()
        for leaf in query.leaves():
            matching.update(_doc_ids(reader, leaf.fieldname, leaf.text))
        return len(matching & allowed)

    def rescore(self, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """Phrase bonuses for the best RESCORE_WINDOW pages: adjacent query words found together.

        Checked on term positions of these pages only, which costs far less than phrase queries over
        the whole index; pages beyond the window keep their BM25F order.
        """
        window = ranked[:RESCORE_WINDOW]
        docnums = sorted(docnum for docnum, _ in window)
        bonus = dict.fromkeys(docnums, 0.0)
        for lang, pairs in self.pairs.items():
            for fieldname, weight in ((text_field(lang), PHRASE_BOOST), (keywords_field(lang), KEYWORD_PHRASE_BOOST)):
                for first, second, slop in pairs:
                    firsts = self.positions(fieldname, first, docnums)
                    seconds = self.positions(fieldname, second, docnums)
                    value = weight * (self.idf(text_field(lang), first) + self.idf(text_field(lang), second))
                    for docnum in firsts.keys() & seconds.keys():
                        if _near(firsts[docnum], seconds[docnum], slop):
                            bonus[docnum] += value
        rescored = sorted(((docnum, score + bonus[docnum]) for docnum, score in window), key=lambda item: -item[1])
        return rescored + ranked[RESCORE_WINDOW:]

    def positions(self, fieldname: str, term: str, docnums: list[int]) -> dict[int, list[int]]:
        """Positions of `term` in `fieldname` of each of the sorted `docnums` that holds it (cached)."""
        key = (fieldname, term)
        cached = self._positions.get(key)
        if cached is not None and all(docnum in cached[1] for docnum in docnums):
            return cached[0]
        found = _positions(self.searcher, fieldname, term, docnums)
        self._positions[key] = (found, set(docnums))
        return found

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

    def hit(self, docnum: int, score: float) -> Hit:
        stored = self.searcher.stored_fields(docnum)
        facts = stored["facts"]
        lang = stored["lang"]
        site_lang = self.lang or lang
        url = page_url(self.audience, site_lang, facts["rel"], self.index.default_language)
        return Hit(
            id=stored["id"],
            lang=lang,
            title=facts["title"],
            type=stored["type"],
            category=stored["category"],
            audience=stored["audience"],
            tags=facts["tags"],
            case_reason=facts["case_reason"],
            url=url,
            path=f"{lang}/{facts['rel']}",
            version=facts["version"],
            score=score,
            snippet=self.snippet(docnum, lang, facts, url),
        )

    def snippet(self, docnum: int, lang: str, facts: dict[str, Any], url: str) -> Snippet:
        terms = self._terms(lang)
        sections = facts["sections"]
        owners = facts["text_sections"]
        matches: list[tuple[str, int, bool]] = []
        idf: dict[str, float] = {}
        for term in terms:
            idf[term] = self.idf(text_field(lang), term)
            for position in self.positions(text_field(lang), term, [docnum]).get(docnum, []):
                segment = segment_of(position)
                if segment < len(owners):
                    matches.append((term, owners[segment], False))
            if self.audience == INTERNAL:
                for position in self.positions(agent_field(lang), term, [docnum]).get(docnum, []):
                    matches.append((term, segment_of(position), True))
        passage = best_passage(matches, idf, len(sections), include_agent=self.audience == INTERNAL)
        if not sections:
            return Snippet("", "", url, ((facts["summary"], False),) if facts["summary"] else ())
        if passage is None:
            number = next((n for n, section in enumerate(sections) if section["text"]), 0)
            agent = False
        else:
            number, agent = passage.section, passage.agent
        section = sections[number]
        text = section["agent"] if agent else section["text"]
        anchor = section["anchor"]
        return Snippet(
            heading=section["heading"],
            anchor=anchor,
            url=f"{url}#{anchor}" if anchor else url,
            fragments=highlight(lang, text, set(terms)) if text else (),
            agent=agent,
        )

    def _terms(self, lang: str) -> list[str]:
        found: list[str] = []
        for word in self.words:
            found += word.terms.get(lang, _analyzed(lang, word.text)) if word.matched else []
            found += word.synonyms.get(lang, [])
            for correction in word.corrections:
                found += _analyzed(lang, correction)
        return list(dict.fromkeys(found))


def _analyzed(lang: str, text: str) -> list[str]:
    return [token.text for token in analyzer(lang)(text, mode="query")]


def _unique(options: Iterable[tuple[str, float]]) -> list[tuple[str, float]]:
    best: dict[str, float] = {}
    for term, weight in options:
        best[term] = max(weight, best.get(term, 0.0))
    return list(best.items())


def _occurs(searcher: WhooshSearcher, fieldname: str, term: str, docs: set[int]) -> bool:
    """Whether `term` is in `fieldname` of at least one of `docs`."""
    reader = searcher.reader()
    if (fieldname, term) not in reader:
        return False
    matcher = reader.postings(fieldname, term)
    while matcher.is_active():
        if matcher.id() in docs:
            return True
        matcher.next()
    return False


def _positions(searcher: WhooshSearcher, fieldname: str, term: str, docnums: list[int]) -> dict[int, list[int]]:
    """Positions of `term` in each of the sorted `docnums` holding it: one pass over its postings."""
    reader = searcher.reader()
    if not docnums or (fieldname, term) not in reader:
        return {}
    matcher = reader.postings(fieldname, term)
    found: dict[int, list[int]] = {}
    for docnum in docnums:
        if not matcher.is_active():
            break
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                break
        if matcher.id() == docnum:
            found[docnum] = list(matcher.value_as("positions"))
    return found


def _doc_ids(reader: Any, fieldname: str, term: str) -> Iterable[int]:
    """Every document holding `term`.

    Reads Whoosh's posting blocks whole when it can (a private but stable part of whoosh-reloaded 2.7,
    which is no longer developed): twice as fast as its generic one-document-at-a-time iterator, which
    remains the fallback.
    """
    if (fieldname, term) not in reader:
        return ()
    matcher = reader.postings(fieldname, term)
    if not all(hasattr(matcher, name) for name in ("_ids", "_i", "_read_ids", "_next_block")):
        return list(matcher.all_ids())
    found: list[int] = []
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        found.extend(matcher._ids[matcher._i :])
        matcher._next_block()
    return found


def _near(firsts: list[int], seconds: list[int], slop: int) -> bool:
    """Whether some position of the second word follows one of the first within `slop` positions."""
    following = set(seconds)
    return any(first + gap in following for first in firsts for gap in range(1, slop + 1))


def _nearest(reader: Any, fieldnames: list[str], word: str, limit: int = 3) -> list[str]:
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
            for candidate in reader.terms_within(fieldname, folded, maxdist, prefix=1):
                if candidate != folded and candidate not in candidates:
                    frequency = sum(reader.doc_frequency(name, candidate) for name in fieldnames)
                    candidates[candidate] = (_distance(folded, candidate), -frequency)
        if candidates:
            break
    ranked = sorted(candidates, key=lambda candidate: (candidates[candidate], candidate))
    best = candidates[ranked[0]][0] if ranked else 0
    return [candidate for candidate in ranked if candidates[candidate][0] == best][:limit]


def _distance(first: str, second: str) -> int:
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


_local = threading.local()


def _thread_searcher(index_dir: Path) -> Searcher:
    """One long-lived Searcher per thread and folder."""
    searchers: dict[Path, Searcher] = _local.__dict__.setdefault("searchers", {})
    key = Path(index_dir).resolve()
    searcher = searchers.get(key)
    if searcher is None:
        searcher = searchers[key] = Searcher(key)
    return searcher


def query(text: str, *, index_dir: Path, **options: Any) -> SearchResults:
    """`Searcher(index_dir).query(text, **options)` with one long-lived Searcher per thread and folder."""
    return _thread_searcher(index_dir).query(text, **options)


def count_matches(text: str, *, index_dir: Path, **options: Any) -> int:
    """`Searcher(index_dir).count(text, **options)` with the same per-thread Searcher as `query`."""
    return _thread_searcher(index_dir).count(text, **options)
