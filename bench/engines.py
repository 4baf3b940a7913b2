"""Plain BM25 baselines over the same documents kb indexes: SQLite FTS5 and tantivy (both with kb's field weights).

Used by bench/outlook_eval.py and bench/search_bench.py. FTS5 is bench/search_bench.py's Fts5Baseline;
tantivy uses its `en_stem` tokenizer (English stemming, lower case) and the same boosts per field.
"""

from __future__ import annotations

import re
from pathlib import Path

from kbtools.model.content import ContentSet
from kbtools.model.history import ContentHistory
from kbtools.model.project import KnowledgeBase
from search.documents import INTERNAL, PUBLIC, indexed_text, records
from search.planning import AGENT_WEIGHT
from search.schema import WEIGHTS

_WORD = re.compile(r"\w+")
FIELDS = ("title", "keywords", "summary", "headings", "body", "agent")


class TantivyBaseline:
    """tantivy BM25: one document per page, `en_stem` text fields boosted as kb weighs its segments."""

    def __init__(self, path: Path):
        import tantivy  # a bench extra (pip install -e '.[bench]')

        self.tantivy = tantivy
        builder = tantivy.SchemaBuilder()
        for name in FIELDS:
            builder.add_text_field(name, stored=False, tokenizer_name="en_stem")
        for name in ("id", "path", "sites"):
            builder.add_text_field(name, stored=True, tokenizer_name="raw")
        path.mkdir(parents=True, exist_ok=True)
        self.index_ = tantivy.Index(builder.build(), path=str(path))
        self.boosts = {name: WEIGHTS[name] for name in FIELDS if name in WEIGHTS}

    def index(self, content: ContentSet, kb: KnowledgeBase, history: ContentHistory) -> int:
        writer = self.index_.writer(heap_size=100_000_000, num_threads=1)
        count = 0
        for record in records(content, kb.taxonomy, history):
            sites = [f"{audience}:{lang}" for audience, langs in record.shown_in.items() for lang in langs]
            document = self.tantivy.Document(
                title=record.title,
                keywords=" ; ".join(record.keywords),
                summary=record.summary,
                headings=" ; ".join(record.headings),
                body=indexed_text(record.body),
                agent=indexed_text(record.agent_text),
                id=record.id,
                path=record.key,
                sites=sites + [f"{audience}:*" for audience in record.shown_in],
            )
            writer.add_document(document)
            count += 1
        writer.commit()
        writer.wait_merging_threads()
        self.index_.reload()
        self.searcher = self.index_.searcher()
        return count

    def query(self, text: str, lang: str | None, audience: str, limit: int = 10) -> list[tuple[str, str]]:
        words = _WORD.findall(text)
        if not words:
            return []
        fields = list(self.boosts) + (["agent"] if audience == INTERNAL else [])
        boosts = {**self.boosts, "agent": AGENT_WEIGHT}
        parsed = self.index_.parse_query(" ".join(words), fields, field_boosts=boosts)
        site = self.index_.parse_query(f'sites:"{audience}:{lang or "*"}"')
        query = self.tantivy.Query.boolean_query([(self.tantivy.Occur.Must, parsed), (self.tantivy.Occur.Must, site)])
        found = self.searcher.search(query, limit).hits
        return [(doc["id"][0], doc["path"][0]) for doc in (self.searcher.doc(address) for _, address in found)]


__all__ = ["INTERNAL", "PUBLIC", "TantivyBaseline"]
