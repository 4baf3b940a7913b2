"""The Whoosh schema of the search index and how an `IndexRecord` fills it.

Ranking is BM25F: one weighted text field per language (`text_<lang>`) holds the title, keywords,
summary, tag labels, headings and body of a page, each segment's words counting for its field weight
(see search.analysis.weighted), so a title word weighs `WEIGHTS["title"]` body words before BM25's
saturation. Agent-only text has its own field (`agent_<lang>`), searched for internal readers only.
`head_<lang>` holds the title, summary and keywords again, scored on their own short length: in a long
article a title match is not drowned by the body's length normalisation (as per-field BM25 engines score it).
`keywords_<lang>` holds the front-matter keywords alone, so a query that says exactly what a keyword says
("card refused") ranks that page up. `words_<audience>_<lang>` are the unstemmed vocabularies that typo
corrections come from: `words_public_*` the public text of public pages, `words_internal_*` the other words
(internal pages, agent notes). Public searches correct from the first only, so they never suggest a word
of internal content; internal searches use both. (Public searches also run on an index of public documents
only, search.indexer, so internal content does not weigh on their statistics either.)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from whoosh.fields import ID, KEYWORD, STORED, Schema

from search.analysis import analyzer, fold, weighted, word_analyzer, words
from search.documents import AUDIENCES, INTERNAL, PUBLIC, IndexRecord, indexed_text
from search.whoosh_internals import SharedText

HEAD_WEIGHTS = {"title": 1.0, "summary": 0.5, "keywords": 0.5}  # set on both relevance sets
WEIGHTS = {"title": 6.0, "keywords": 4.0, "summary": 2.0, "tags": 1.5, "headings": 2.5, "body": 1.0}


def text_field(lang: str) -> str:
    return f"text_{lang}"


def heading_field(lang: str) -> str:
    """The page's title and summary alone: a short field whose BM25 is not drowned by a long body."""
    return f"head_{lang}"


def agent_field(lang: str) -> str:
    return f"agent_{lang}"


def keywords_field(lang: str) -> str:
    return f"keywords_{lang}"


def words_field(audience: str, lang: str) -> str:
    return f"words_{audience}_{lang}"


def shown_value(audience: str, lang: str | None = None) -> str:
    """A `shown_in` term: 'public' (on the public site in some language) or 'public:fr'."""
    return f"{audience}:{lang}" if lang else audience


def schema(languages: list[str]) -> Schema:
    fields: dict[str, object] = {
        "key": ID(unique=True, stored=True),
        "id": ID(stored=True),
        "lang": ID(stored=True),
        "type": ID(stored=True),
        "category": ID(stored=True),
        "audience": ID(stored=True),
        "owner": ID(stored=True),
        "tags": KEYWORD(stored=True, scorable=False),
        "case_reason": KEYWORD(scorable=False),  # "card card/declined": a reason finds its sub-reasons
        "shown_in": KEYWORD(scorable=False),
        "facts": STORED,
    }
    for lang in languages:
        fields[text_field(lang)] = SharedText(lang, analyzer=analyzer(lang), phrase=True)
        fields[agent_field(lang)] = SharedText(lang, analyzer=analyzer(lang), phrase=True)
        fields[heading_field(lang)] = SharedText(lang, analyzer=analyzer(lang), phrase=False)
        fields[keywords_field(lang)] = SharedText(lang, analyzer=analyzer(lang), phrase=True)
        for audience in AUDIENCES:
            fields[words_field(audience, lang)] = SharedText("words", analyzer=word_analyzer(), phrase=False)
    return Schema(**fields)


@dataclass
class Segments:
    """The weighted segments of a page's text field, and which section each segment belongs to."""

    text: list[tuple[str, float]]
    text_sections: list[int]  # segment number -> section number, -1 for title, keywords...
    agent: list[tuple[str, float]]  # one segment per section


def segments(record: IndexRecord, tag_labels: list[str]) -> Segments:
    text: list[tuple[str, float]] = [(record.title, WEIGHTS["title"])]
    text += [(keyword, WEIGHTS["keywords"]) for keyword in record.keywords]
    text += [(record.summary, WEIGHTS["summary"])]
    text += [(label, WEIGHTS["tags"]) for label in tag_labels]
    owners = [-1] * len(text)
    for number, section in enumerate(record.sections):
        if section.heading:
            text.append((section.heading, WEIGHTS["headings"]))
            owners.append(number)
        text.append((indexed_text(section.text), WEIGHTS["body"]))
        owners.append(number)
    agent = [(indexed_text(section.agent), WEIGHTS["body"]) for section in record.sections]
    return Segments(text, owners, agent)


def whoosh_document(record: IndexRecord, tag_labels: list[str], vocabulary: Vocabulary) -> dict[str, object]:
    """The fields Whoosh indexes and stores for `record`; records the spelling of its words."""
    lang = record.lang
    parts = segments(record, tag_labels)
    reason = record.case_reason
    document: dict[str, object] = {
        "key": record.key,
        "id": record.id,
        "lang": lang,
        "type": record.type,
        "category": record.category,
        "audience": record.audience,
        "owner": record.owner,
        "tags": " ".join(record.tags),
        "case_reason": f"{reason.partition('/')[0]} {reason}" if reason else "",
        "shown_in": " ".join(
            [shown_value(audience) for audience in record.shown_in]
            + [shown_value(audience, site) for audience, sites in record.shown_in.items() for site in sites]
        ),
        text_field(lang): weighted(parts.text),
        keywords_field(lang): weighted((keyword, 1.0) for keyword in record.keywords),
        heading_field(lang): weighted(
            [(record.title, HEAD_WEIGHTS["title"]), (record.summary, HEAD_WEIGHTS["summary"])]
            + [(keyword, HEAD_WEIGHTS["keywords"]) for keyword in record.keywords]
        ),
        "facts": {
            "rel": record.rel,
            "title": record.title,
            "summary": record.summary,
            "keywords": record.keywords,
            "tags": record.tags,
            "case_reason": record.case_reason,
            "headings": record.headings,
            "url": record.url,
            "version": record.version,
            "sections": [section.to_stored() for section in record.sections],
            "text_sections": parts.text_sections,
        },
    }
    if record.agent_text:
        document[agent_field(lang)] = weighted(parts.agent)
    public_words = set(words(" ".join(text for text, _ in parts.text)))
    agent_words = set(words(indexed_text(record.agent_text)))
    if record.is_public:
        document[words_field(PUBLIC, lang)] = sorted({fold(word) for word in public_words})
        vocabulary.add(lang, public_words, public=True)
        internal_words = agent_words - public_words  # internal readers search both vocabularies
    else:
        internal_words = public_words | agent_words
    document[words_field(INTERNAL, lang)] = sorted({fold(word) for word in internal_words})
    vocabulary.add(lang, internal_words, public=False)
    return document


class Vocabulary:
    """How each folded word is spelled in the content of each language, to show suggestions with accents.

    A word of public content is shown as public content spells it, so public suggestions never reveal
    an internal page's spelling. Counts are kept per spelling (one per page using it), so an incremental
    build can take a changed page's words out again (`remove`).
    """

    def __init__(self) -> None:
        self.forms: dict[tuple[str, str], dict[str, Counter[str]]] = {}

    def add(self, lang: str, found: set[str], public: bool) -> None:
        target = self.forms.setdefault((lang, PUBLIC if public else INTERNAL), {})
        for word in found:
            target.setdefault(fold(word), Counter()).update((word,))

    def page_words(self) -> dict[str, list[str]]:
        """audience -> every spelling held (for the vocabulary of one page)."""
        return {
            audience: sorted(word for spellings in forms.values() for word in spellings)
            for (_, audience), forms in self.forms.items()
        }

    def remove(self, lang: str, found: list[str], audience: str) -> None:
        target = self.forms.get((lang, audience), {})
        for word in found:
            folded = fold(word)
            spellings = target.get(folded)
            if spellings is None:
                continue
            spellings[word] -= 1
            if spellings[word] <= 0:
                del spellings[word]
            if not spellings:
                del target[folded]

    def counts(self) -> dict[str, dict[str, dict[str, dict[str, int]]]]:
        """lang -> audience -> folded word -> spelling -> pages using it (JSON-ready)."""
        found: dict[str, dict[str, dict[str, dict[str, int]]]] = {}
        for (lang, audience), forms in self.forms.items():
            found.setdefault(lang, {})[audience] = {word: dict(spellings) for word, spellings in forms.items()}
        return found

    @classmethod
    def from_counts(cls, counts: dict[str, dict[str, dict[str, dict[str, int]]]]) -> Vocabulary:
        vocabulary = cls()
        for lang, by_audience in counts.items():
            for audience, forms in by_audience.items():
                vocabulary.forms[(lang, audience)] = {word: Counter(spellings) for word, spellings in forms.items()}
        return vocabulary

    def display(self) -> dict[str, dict[str, dict[str, str]]]:
        """lang -> audience -> folded word -> its most common spelling."""
        found: dict[str, dict[str, dict[str, str]]] = {}
        for (lang, audience), forms in self.forms.items():
            found.setdefault(lang, {})[audience] = {
                word: spellings.most_common(1)[0][0] for word, spellings in forms.items()
            }
        for by_audience in found.values():
            by_audience[INTERNAL] = {**by_audience.get(INTERNAL, {}), **by_audience.get(PUBLIC, {})}
        return found
