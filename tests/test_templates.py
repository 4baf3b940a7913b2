"""The HTML kb writes from its Jinja templates (the change digest, the contact step, the wiki's search page,
alias redirects) with hostile text in every value a writer or operator controls: the page keeps its elements
and attributes, and the text comes back as it was written, never as markup."""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import MiniKB, page
from markupsafe import Markup

from kbtools.governance.changes import Change, Digest, Since, render_html
from kbtools.model.project import KnowledgeBase
from site_plugins.navigation.redirects import redirect_html
from site_plugins.rendering import fragment, render

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "</textarea></title></a><b>bold",
    "&amp; &lt;b&gt; & < >",
    "{{ 7*7 }} {% raw %}",  # template syntax in a value is text, not evaluated
    'l\'été "chaud" — 東京',
]
BENIGN = "Plain words"


class Shape(HTMLParser):
    """The elements and attribute names of a page, and every text and attribute value as a reader gets it."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.values: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(name for name, _ in attrs)))
        self.values += [value for _, value in attrs if value]

    def handle_data(self, data: str) -> None:
        self.values.append(data)


def _assert_inert(render_with) -> None:
    expected = Shape(render_with(BENIGN)).tags
    for hostile in HOSTILE:
        shape = Shape(render_with(hostile))
        assert shape.tags == expected, hostile  # no element or attribute added, none broken
        assert any(hostile in value for value in shape.values), hostile  # shown as written


def _digest(kb_root: Path, text: str) -> str:
    kb = KnowledgeBase.at(kb_root)
    content = kb.load()
    (doc,) = [d for d in content if d.id == "hostile"]
    doc = dataclasses.replace(doc, meta={**doc.meta, "title": text})
    change = Change("new", doc, summary=text, url=f"https://help.example.com/{text}")
    digest = Digest(Since(None, text), "public", "en", None, None, [change])
    return render_html(digest, kb.taxonomy)


@pytest.fixture
def hostile_kb(mini_kb: MiniKB) -> MiniKB:
    mini_kb.write("en/cards/hostile.md", page("hostile", title=json.dumps("placeholder")))
    return mini_kb


def test_the_change_digest_shows_hostile_text_as_text(hostile_kb: MiniKB) -> None:
    _assert_inert(lambda text: _digest(hostile_kb.root, text))


def test_alias_redirects_show_hostile_text_as_text() -> None:
    _assert_inert(lambda text: redirect_html(f"../{text}/", f"https://help.example.com/{text}", text, "en"))


def test_the_contact_step_shows_hostile_text_as_text() -> None:
    _assert_inert(
        lambda text: render(
            "contact_step.html",
            lang="fr",
            root="../",
            text=defaultdict(lambda: text),
            contact_url=f"https://help.example.com/new?subject={{subject}}&x={text}",
            contact_href=f"https://help.example.com/new?x={text}",
        )
    )


def test_the_wiki_search_page_shows_hostile_labels_as_text() -> None:
    def search_page(text: str) -> str:
        pairs = [(text, text), ("cards", text)]
        return render(
            "search_page.html",
            lang="en",
            text=defaultdict(lambda: text),
            messages=[("none", text), ("copy", text)],
            types=pairs,
            categories=pairs,
            tags=pairs,
            languages=pairs,
        )

    _assert_inert(search_page)


def _page_fragments(text: str) -> dict[str, str]:
    """Each fragment kb adds around a page's content (site_plugins/page/decorations.py), every value `text`."""
    words = defaultdict(lambda: text)
    return {
        "fallback_notice": fragment("page/fallback_notice.html", notice=text),
        "outdated_notice": fragment(
            "page/outdated_notice.html", notice=text, original_url=text, original_lang=text, read_original=text
        ),
        "fallback_heading": fragment("page/fallback_heading.html", lang=text, title=text),
        "fallback_text": fragment("page/fallback_text.html", lang=text, content=text),
        "last_updated": fragment("page/last_updated.html", label=text, when=text, who=text),
        "contact_link": fragment("page/contact_link.html", href=text, label=text),
        "wiki_info": fragment(
            "page/wiki_info.html", rows=[(text, text)], review={"label": text, "due": text, "overdue": True}
        ),
        "home_search": render("home_search.html", text=words),
        "popular_section": render(
            "popular_section.html", lang=text, root=text, text=words, featured=[(text, text), ("cards/x/", text)]
        ),
        "macro_panel": fragment(
            "page/macro_panel.html",
            text=words,
            id=text,
            summary=text,
            when_label=text,
            reply_html=Markup("<p>cleaned</p>"),
            reply=text,
            actions=[(text, text, text)],
        ),
    }


@pytest.mark.parametrize("name", sorted(_page_fragments(BENIGN)))
def test_page_fragments_show_hostile_text_as_text(name: str) -> None:
    _assert_inert(lambda text: _page_fragments(text)[name])


@pytest.mark.parametrize(
    "name",
    ["contact_step.html", "search_page.html", "redirect.html", "page/macro_panel.html", "page/wiki_info.html"],
)
def test_the_templates_ship_with_the_package(name: str) -> None:
    import site_plugins

    assert (Path(site_plugins.__file__).parent / "templates" / name).is_file()
