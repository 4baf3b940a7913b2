"""One open index of a generation (the public or the internal one): its Whoosh searcher, its metadata and
the caches of filters and corrections that its queries share."""

from __future__ import annotations

import json
from collections import OrderedDict
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh import scoring
from whoosh.index import open_dir
from whoosh.query import Query
from whoosh.searching import Searcher as WhooshSearcher

from search import store
from search.corrections import nearest
from search.documents import PUBLIC
from search.indexer import FORMAT, META_FILE, PUBLIC_DIR, SYNONYMS_FILE, WORDS_FILE
from search.ranking import Ranker, mask
from search.semantic import Model, VectorTable, find_model

_BM25F = scoring.BM25F(B=0.75, K1=1.6)
_FILTER_CACHE = 256
_CORRECTION_CACHE = 4096


class OpenIndex:
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
        self.ranker = Ranker(self.searcher, _BM25F)
        self._filters: OrderedDict[tuple[Any, ...], set[int]] = OrderedDict()
        self._masks: OrderedDict[int, tuple[set[int], npt.NDArray[np.bool_]]] = OrderedDict()
        self._corrections: OrderedDict[tuple[str, ...], list[str]] = OrderedDict()

    @cached_property
    def spellings(self) -> dict[str, dict[str, dict[str, str]]]:
        return json.loads((self.path / WORDS_FILE).read_text(encoding="utf-8"))

    @cached_property
    def semantic(self) -> tuple[Model, VectorTable] | None:
        """The encoder and this index's page vectors, when both are there and match (search.semantic)."""
        model = find_model()
        table = VectorTable.read(self.path) if model is not None else None
        if model is None or table is None or table.model != model.fingerprint:
            return None
        return model, table

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

    def mask(self, docs: set[int]) -> npt.NDArray[np.bool_]:
        """`docs` as a boolean array over the index, cached for the sets `docs` returns (filters repeat)."""
        cached = self._masks.get(id(docs))
        if cached is not None and cached[0] is docs:
            self._masks.move_to_end(id(docs))
            return cached[1]
        found = mask(self.ranker.size, docs)
        self._masks[id(docs)] = (docs, found)  # the set is held too, so its id is not reused while cached
        if len(self._masks) > _FILTER_CACHE:
            self._masks.popitem(last=False)
        return found

    def corrections(self, fieldnames: list[str], word: str) -> list[str]:
        """Nearest vocabulary words to an unknown `word`, cached: people retype the same query."""
        key = (*fieldnames, word)
        found = self._corrections.get(key)
        if found is None:
            found = self._corrections[key] = nearest(self.searcher.reader(), fieldnames, word)
            if len(self._corrections) > _CORRECTION_CACHE:
                self._corrections.popitem(last=False)
        return found

    def close(self) -> None:
        self.searcher.close()
