"""Words known to a language, beyond those of the index: a query word that is one of them is never a typo.

A small index does not hold most words of its language: "collègue" absent from a help center is not a
typo of "collecte", nor "info" of "into". The dictionaries are pyspellchecker's word lists (English,
French and a few more), folded as index words are (lower case, no accents), loaded once per language.
A language without a list knows only its stop words and the index's own words.
"""

from __future__ import annotations

from functools import cache

from search.analysis import fold, stop_words

# pyspellchecker's language codes (its dictionaries ship inside the package: nothing is downloaded).
_DICTIONARIES = {"en", "es", "fr", "pt", "de", "it", "ru", "ar", "lv", "eu", "nl", "fa"}


@cache
def known_words(lang: str) -> frozenset[str]:
    """Folded words of `lang`'s dictionary and its stop words."""
    found = set(stop_words(lang))
    if lang in _DICTIONARIES:
        from spellchecker import SpellChecker  # loaded on first use: a few tenths of a second per language

        found |= {fold(word) for word in SpellChecker(language=lang, distance=1).word_frequency.dictionary}
    return frozenset(found)


def is_known(lang: str, word: str) -> bool:
    """Whether `word` (as typed) is a word of `lang`: a typo correction must leave it alone."""
    return fold(word) in known_words(lang)
