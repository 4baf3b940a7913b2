"""The interface strings as data: kb's shipped files, a knowledge base's additions, and what each language lacks."""

from __future__ import annotations

import pytest
from conftest import MiniKB, add_language

from kbtools.model.site_strings import SiteStrings, declared_keys, shipped, shipped_languages


@pytest.mark.parametrize("lang", shipped_languages())
def test_every_shipped_language_is_complete_and_sets_only_declared_keys(lang: str) -> None:
    found = shipped(lang)
    assert found is not None and found.problems == []
    assert list(found.texts) == list(declared_keys())  # the same keys, in the English file's order


@pytest.mark.parametrize(
    ("own", "lang", "key", "expected"),
    [
        ("", "fr", "related", "Articles liés"),  # kb's French
        ("related: Voir aussi\n", "fr", "related", "Voir aussi"),  # reworded by the knowledge base
        ("home: Startseite\n", "de", "home", "Startseite"),  # a language kb does not ship
        ("home: Startseite\n", "de", "search", "Search"),  # missing: English
        ("home: Startseite\nsearch.titel: Suche\n", "de", "search", "Search"),  # an unknown key is not used
        ("home: [Startseite]\n", "de", "home", "Home"),  # not a text: English, and lint says so
    ],
)
def test_texts_come_from_the_knowledge_base_then_kb_then_english(
    mini_kb: MiniKB, own: str, lang: str, key: str, expected: str
) -> None:
    add_language(mini_kb, "de", "Deutsch")
    if own:
        mini_kb.write(f"strings/{lang}.yml", own)
    texts = SiteStrings(mini_kb.root).texts(lang)
    assert texts[key] == expected
    assert set(texts) == set(declared_keys())
