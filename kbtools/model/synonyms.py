"""The knowledge base's synonym list: the words customers use, mapped to the words the pages use.

`content/synonyms.yml`, reviewed like content, one mapping per language::

    fr:
      retirer: [supprimer]        # a customer who writes "retirer" means what the pages call "supprimer"
      enlever: [retirer]          # followed through: enlever also finds supprimer
      collègue: [utilisateur]
    en:
      remove: [delete]

Each key is one word; its replacements are words or short phrases. Search applies the list at query time
(a query word also finds its replacements, and those of its replacements), so a team encodes its customers'
vocabulary once instead of in every page's keywords. Words are compared folded (lower case, no accents).
`kb lint` checks the file: its shape (synonym-file), replacement words no page of the language holds
(synonym-unknown-word), and words that lead back to themselves (synonym-cycle).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kbtools.model.errors import ContentError
from kbtools.model.yamlsource import load_yaml

SYNONYMS_FILE = "synonyms.yml"
_WORD = re.compile(r"\w+")


def fold_word(text: str) -> str:
    """Lower case without accents ('Collègue' -> 'collegue'), the form synonyms are compared in."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass(frozen=True)
class SynonymEntry:
    lang: str
    word: str  # as written
    replacements: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class SynonymList:
    path: Path
    entries: tuple[SynonymEntry, ...] = ()

    def direct(self, lang: str) -> dict[str, list[str]]:
        """Folded word -> its folded replacements, as written in the file."""
        found: dict[str, list[str]] = {}
        for entry in self.entries:
            if entry.lang == lang:
                found.setdefault(fold_word(entry.word), []).extend(fold_word(r) for r in entry.replacements)
        return found

    def expansions(self, lang: str) -> dict[str, list[str]]:
        """Folded word -> every replacement it leads to (replacements of replacements too), nearest first."""
        direct = self.direct(lang)
        expanded = {}
        for word in direct:
            seen: list[str] = []
            queue = list(direct[word])
            while queue:
                item = queue.pop(0)
                if item == word or item in seen:
                    continue
                seen.append(item)
                queue.extend(direct.get(item, []))
            expanded[word] = seen
        return expanded

    def cycles(self, lang: str) -> list[SynonymEntry]:
        """Entries of `lang` whose word is among its own replacements, directly or through others."""
        direct = self.direct(lang)

        def leads_back(word: str) -> bool:
            seen: set[str] = set()
            queue = list(direct.get(word, []))
            while queue:
                item = queue.pop()
                if item == word:
                    return True
                if item not in seen:
                    seen.add(item)
                    queue.extend(direct.get(item, []))
            return False

        return [entry for entry in self.entries if entry.lang == lang and leads_back(fold_word(entry.word))]


def synonyms_path(content_dir: Path) -> Path:
    return content_dir / SYNONYMS_FILE


def read_synonyms(content_dir: Path, languages: list[str]) -> SynonymList:
    """The synonym list of the knowledge base (empty when there is no file).

    Raises ContentError naming the line and key of a malformed entry or an undeclared language.
    """
    path = synonyms_path(content_dir)
    if not path.is_file() or path.is_symlink():
        return SynonymList(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContentError(path, "not UTF-8 text") from None
    source = load_yaml(text, path)
    data = source.data
    if data is None:
        return SynonymList(path)
    if not isinstance(data, dict):
        raise ContentError(path, "expected a mapping of language -> word -> list of words", 1)
    entries = []
    for lang, words in data.items():
        line = source.line_of(str(lang))
        if lang not in languages:
            raise ContentError(path, f"{lang!r} is not a language of taxonomy.yml ({', '.join(languages)})", line)
        if not isinstance(words, dict):
            raise ContentError(path, "expected a mapping of word -> list of words", line, str(lang))
        for word, replacements in words.items():
            key = f"{lang}.{word}"
            line = source.line_of(str(lang), str(word))
            if not isinstance(word, str) or len(_WORD.findall(word)) != 1:
                raise ContentError(path, f"{word!r}: a synonym is one word", line, key)
            if isinstance(replacements, str):
                replacements = [replacements]
            if (
                not isinstance(replacements, list)
                or not replacements
                or not all(isinstance(item, str) and _WORD.search(item) for item in replacements)
            ):
                raise ContentError(path, "expected a list of words the pages use", line, key)
            entries.append(SynonymEntry(str(lang), word, tuple(replacements), line))
    return SynonymList(path, tuple(entries))
