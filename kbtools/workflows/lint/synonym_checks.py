"""Checks of content/synonyms.yml (kbtools.model.synonyms): its shape, replacement words no page holds, cycles."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kbtools.model.content import ContentSet
from kbtools.model.errors import ContentError
from kbtools.model.findings import Finding
from kbtools.model.project import KnowledgeBase
from kbtools.model.synonyms import fold_word, read_synonyms
from kbtools.model.taxonomy import Taxonomy
from kbtools.model.yamlsource import YamlLimitError

_WORD = re.compile(r"\w+")


def check_synonyms(kb: KnowledgeBase, content: ContentSet, taxonomy: Taxonomy) -> Iterator[Finding]:
    try:
        synonyms = read_synonyms(kb.content_dir, list(taxonomy.language_codes))
    except ContentError as problem:
        rule = problem.rule if isinstance(problem, YamlLimitError) else "synonym-file"
        yield Finding(problem.path, problem.line or 1, rule, problem.message, key=problem.key)
        return
    vocabularies: dict[str, set[str]] = {}
    for entry in synonyms.entries:
        if entry.lang not in vocabularies:
            vocabularies[entry.lang] = _vocabulary(content, entry.lang)
        known = vocabularies[entry.lang]
        for replacement in entry.replacements:
            unknown = [word for word in _WORD.findall(replacement) if not _held(fold_word(word), known)]
            if unknown:
                yield Finding(
                    synonyms.path,
                    entry.line,
                    "synonym-unknown-word",
                    f"{replacement!r}: no page in {entry.lang!r} holds {', '.join(map(repr, unknown))}, "
                    "so the synonym finds nothing; write a word the pages use",
                    key=f"{entry.lang}.{entry.word}",
                )
    for lang in sorted({entry.lang for entry in synonyms.entries}):
        for entry in synonyms.cycles(lang):
            yield Finding(
                synonyms.path,
                entry.line,
                "synonym-cycle",
                f"{entry.word!r} leads back to itself through its replacements: map customers' words to the "
                "pages' words in one direction",
                key=f"{entry.lang}.{entry.word}",
            )


def _vocabulary(content: ContentSet, lang: str) -> set[str]:
    words: set[str] = set()
    for doc in content.in_language(lang):
        text = " ".join([doc.title, str(doc.meta.get("summary") or ""), " ".join(doc._list("keywords")), doc.body])
        words.update(fold_word(word) for word in _WORD.findall(text))
    return words


def _held(word: str, known: set[str]) -> bool:
    """A page holds the word, or a form of it (the same word with another ending: supprimer, supprimez)."""
    if word in known:
        return True
    stem = word[:-2] if len(word) >= 6 else None
    return stem is not None and any(candidate.startswith(stem) for candidate in known)
