"""Agent-only blocks: kb finds exactly what the renderer shows as an agent note, and no public output holds it.

The proof is against the real renderer: Python-Markdown with the build's extension list renders each
shape (and documents generated from shape fragments), and the lines kb marks as agent-only must be exactly
the lines whose canary word ends up inside an element with the `agent` class.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from agent_render import canaries, canary, render
from agent_shapes import AMBIGUOUS, CLEAN, SHAPES, canaries_on, with_canaries
from click.testing import CliRunner
from conftest import TODAY, MiniKB, page
from gitrepo import GitRepo
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbtools.cli import main
from kbtools.model.markdown import outline
from kbtools.model.project import KnowledgeBase
from kbtools.workflows.lint import lint
from site_plugins.audience.filter import strip_agent_blocks
from site_plugins.build import BuildError, BuildOptions, build_sites


def _marked(body: str) -> set[str]:
    """Canary words on the lines kb's outline marks as agent-only."""
    blocks = outline(body).agent_blocks
    return canaries_on(body, {line - 1 for block in blocks for line in range(block.start, block.end + 1)})


def _assert_same_reading(body: str) -> None:
    inside, outside = canaries(render(body))
    written = canaries_on(body, set(range(body.count("\n") + 1)))
    assert inside | outside == written, "every canary shows somewhere (the shape is meaningful)"
    assert _marked(body) == inside, f"kb and the renderer disagree on:\n{body}"


@pytest.mark.parametrize("name", list(SHAPES))
def test_kb_marks_exactly_what_the_renderer_shows_as_agent_notes(name: str) -> None:
    _assert_same_reading(with_canaries(SHAPES[name]))


@pytest.mark.parametrize("name", list(SHAPES))
def test_stripping_removes_every_agent_note_and_nothing_else(name: str) -> None:
    body = with_canaries(SHAPES[name])
    inside, outside = canaries(render(body))
    stripped_inside, stripped_outside = canaries(render(strip_agent_blocks(body)))
    assert stripped_inside == set()
    assert not (stripped_outside & inside), "agent text survives stripping"
    assert stripped_outside == outside, "public text was lost"


# Documents generated from block-shape fragments: markers of every kind with `agent` anywhere in their
# classes (and misspelt or misplaced), bodies with blank lines, fences, tabs, lists, quotes, tables and
# nested blocks, at every indentation (the right one, and 1 to 5 spaces).

_CLASS_LISTS = st.lists(
    st.sampled_from(["note", "tip", "agent", "warning", "Agent", "agent-x"]), min_size=1, max_size=3
)
_MARKERS = st.sampled_from(["!!! ", "??? ", "???+ ", "!!!", "???"])
_LEAVES = {
    "text": ["Some text."],
    "lazy": ["Line one.", "line two."],
    "heading": ["## A heading"],
    "setext": ["A title", "---"],
    "rule": ["***"],
    "table": ["| a | b |", "|---|---|", "| c | d |"],
    "indented code": ["    code", "", "    more code"],
}


@st.composite
def _fragment(draw: st.DrawFn, depth: int) -> list[str]:
    kinds = [*_LEAVES, "text", "fence", "list", "ordered", "quote"] + (["block"] * 5 if depth < 3 else [])
    kind = draw(st.sampled_from(kinds))
    if kind in _LEAVES:
        return list(_LEAVES[kind])
    if kind == "fence":
        inner = ["code one"] + [""] * draw(st.integers(0, 2)) + ["code two"]
        return ["```", *inner, "```"]
    if kind in ("list", "ordered"):
        first, second = ("- An item.", "- Another item.") if kind == "list" else ("1. An item.", "2. Another.")
        item = [first]
        if depth < 3 and draw(st.booleans()):
            item += [""] * draw(st.integers(0, 2)) + [
                "    " + line if line else "" for line in draw(_fragment(depth + 1))
            ]
        return [*item, *[""] * draw(st.integers(0, 1)), second]
    if kind == "quote":
        return ["> " + line if line else ">" for line in draw(_fragment(depth + 1))]
    classes = " ".join(draw(_CLASS_LISTS))
    title = draw(st.sampled_from(["", ' "Title"', ' ""']))
    lines = [draw(st.sampled_from(["", "", "", " ", "  "])) + draw(_MARKERS) + classes + title]
    indent = draw(st.sampled_from(["    ", "\t", "    ", "  ", "     "]))
    for number in range(draw(st.integers(1, 3))):
        if number:
            lines += [""] * draw(st.integers(0, 3))
        lines += [indent + line if line else "" for line in draw(_fragment(depth + 1))]
    return lines


@st.composite
def _document(draw: st.DrawFn) -> str:
    lines: list[str] = []
    for number in range(draw(st.integers(1, 4))):
        if number:
            lines += [""] * draw(st.integers(0, 3))
        lines += draw(_fragment(0))
    return "\n".join(lines)


@settings(
    max_examples=500, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(_document())
def test_generated_documents_are_read_as_the_renderer_reads_them(body: str) -> None:
    _assert_same_reading(with_canaries(body))


# Lint: every ambiguous shape is an error with its file and line; the clean shapes pass.


def _lint_body(kb: MiniKB, body: str) -> list:
    kb.both("cards/a.md", page("a", body=""), page("a", body=""))
    path = kb.root / "content/en/cards/a.md"
    path.write_text(path.read_text(encoding="utf-8") + body + "\n", encoding="utf-8")
    return [f for f in lint(KnowledgeBase(kb.root), today=TODAY).findings if f.path.name == "a.md"]


@pytest.mark.parametrize(("name", "line", "says"), AMBIGUOUS, ids=[name for name, _, _ in AMBIGUOUS])
def test_lint_refuses_ambiguous_shapes(mini_kb: MiniKB, name: str, line: int, says: str) -> None:
    found = [f for f in _lint_body(mini_kb, SHAPES[name]) if f.rule == "agent-block-shape"]
    assert found, f"no finding for {name}"
    assert (found[0].path.relative_to(mini_kb.root).as_posix(), found[0].line) == ("content/en/cards/a.md", 11 + line)
    assert says in found[0].message
    assert found[0].severity.value == "error"


@pytest.mark.parametrize("name", CLEAN)
def test_lint_accepts_clear_shapes(mini_kb: MiniKB, name: str) -> None:
    assert [f for f in _lint_body(mini_kb, SHAPES[name]) if f.rule == "agent-block-shape"] == []


@pytest.mark.parametrize(
    "body",
    ["Text.\n{: .agent }", '<div class="agent">Secret.</div>', "<p class='note agent'>Secret.</p>"],
    ids=["attr_list", "html div", "html p"],
)
def test_lint_refuses_agent_classes_set_by_hand(mini_kb: MiniKB, body: str) -> None:
    found = [f for f in _lint_body(mini_kb, body) if f.rule == "agent-block-shape"]
    assert found and "not an agent-only block" in found[0].message


def test_links_inside_every_agent_shape_may_point_to_internal_pages(mini_kb: MiniKB) -> None:
    """public-links-internal follows the same definition: a link the renderer hides is an agent link."""
    mini_kb.write("en/playbooks/s.md", page("s", type="sop", audience="internal", category="playbooks"))
    body = (
        '!!! note agent "Agent notes"\n    First.\n\n\n    [SOP](../playbooks/s.md)\n\n'
        '???+ agent "More"\n    ```\n    a\n\n    b\n    ```\n\n    [SOP again](../playbooks/s.md)\n'
    )
    findings = _lint_body(mini_kb, body)
    assert [f for f in findings if f.rule == "public-links-internal"] == []
    leaky = _lint_body(mini_kb, '!!! agent "Agent notes"\n    First.\n[SOP](../playbooks/s.md)\n')
    assert [(f.rule, f.line) for f in leaky if f.rule == "public-links-internal"] == [("public-links-internal", 14)]


@pytest.mark.parametrize("marker", ['!!! note "Public"', '??? tip "Public"', "???+ warning"])
@pytest.mark.parametrize("blanks", [2, 3])
def test_links_after_blank_lines_in_a_public_block_are_checked(mini_kb: MiniKB, marker: str, blanks: int) -> None:
    """The renderer keeps a public block open across blank lines, so lint checks the links it shows there."""
    mini_kb.write("en/playbooks/s.md", page("s", type="sop", audience="internal", category="playbooks"))
    body = f"{marker}\n    First.{chr(10) * (blanks + 1)}    See [the SOP](../playbooks/s.md) and [gone](gone.md).\n"
    findings = {(f.rule, f.line) for f in _lint_body(mini_kb, body)}
    line = 12 + 1 + blanks + 1
    assert ("public-links-internal", line) in findings
    assert ("broken-link", line) in findings


# Every public output of a real build, export and service, for every shape at once.

_SECRET = re.compile(r"z[0-9]{3}q")


def _all_shapes_body() -> tuple[str, set[str], set[str]]:
    """One body with every shape, each with its own canaries: (body, agent canaries, public canaries)."""
    parts, start = [], 0
    for name in SHAPES:
        part = with_canaries(SHAPES[name], first=start)
        parts.append(part)
        start += part.count("\n") + 2
    body = "\n\n".join(parts) + "\n"
    inside, outside = canaries(render(body))
    assert inside and outside
    return body, inside, outside


@pytest.fixture(scope="module")
def every_shape(tmp_path_factory: pytest.TempPathFactory) -> tuple[MiniKB, set[str], set[str]]:
    kb = MiniKB(tmp_path_factory.mktemp("shapes") / "kb")
    (kb.root / "mkdocs.yml").write_text("site_name: Acme Help\nsite_url: http://127.0.0.1:8000/\n")
    body, inside, outside = _all_shapes_body()
    kb.both("cards/shapes.md", page("shapes", "Card shapes", body=""), page("shapes", "Formes", body="Texte.\n"))
    article = kb.root / "content/en/cards/shapes.md"
    article.write_text(article.read_text(encoding="utf-8") + body, encoding="utf-8")
    kb.write(
        "en/billing/macro-shapes.md",
        page(
            "macro-shapes",
            "Refund approved",
            type="macro",
            audience="internal",
            category="billing",
            owner="billing",
            summary="Use when a refund is approved.",
            extra="actions:\n  status: solved\n",
            body="",
        ),
    )
    macro = kb.root / "content/en/billing/macro-shapes.md"
    macro.write_text(macro.read_text(encoding="utf-8") + body, encoding="utf-8")
    GitRepo(kb.root).commit("Shapes", date="2026-03-02T09:00:00+00:00")
    return kb, inside, outside


def test_built_public_site_holds_no_agent_text_in_any_file(every_shape, tmp_path: Path) -> None:
    kb, inside, outside = every_shape
    # kb build refuses the ambiguous shapes (lint runs first); the site build itself must still be safe.
    refused = CliRunner().invoke(main, ["--root", str(kb.root), "build"])
    assert refused.exit_code == 1 and "agent-block-shape" in refused.output
    assert "Traceback" not in refused.output
    build_sites(KnowledgeBase(kb.root), BuildOptions())
    texts = {
        path: path.read_bytes().decode("utf-8", errors="replace")
        for path in (kb.root / "site/public").rglob("*")
        if path.is_file()
    }
    assert any(path.name == "search_index.json" for path in texts)
    assert any(path.name == "sitemap.xml" for path in texts)
    for path, text in texts.items():
        leaked = set(_SECRET.findall(text)) & inside
        assert not leaked, f"{path.relative_to(kb.root)} holds agent text {sorted(leaked)[:5]}"
    page_html = (kb.root / "site/public/cards/shapes/index.html").read_text(encoding="utf-8")
    assert outside <= set(_SECRET.findall(page_html)), "public text of the page was lost"
    index = json.loads((kb.root / "site/public/search/search_index.json").read_text(encoding="utf-8"))
    assert not set(_SECRET.findall(json.dumps(index))) & inside
    wiki = (kb.root / "site/internal/cards/shapes/index.html").read_text(encoding="utf-8")
    assert inside <= set(_SECRET.findall(wiki)), "the wiki shows every agent note"


def test_bot_export_holds_no_agent_text(every_shape, tmp_path: Path) -> None:
    kb, inside, outside = every_shape
    out = tmp_path / "kb.jsonl"
    result = CliRunner().invoke(main, ["--root", str(kb.root), "export", "bot", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert not set(_SECRET.findall(text)) & inside
    assert outside <= set(_SECRET.findall(text))


def test_macro_export_holds_no_agent_text(every_shape, tmp_path: Path) -> None:
    kb, inside, outside = every_shape
    for fmt in ("zendesk", "csv"):
        out = tmp_path / fmt
        result = CliRunner().invoke(
            main, ["--root", str(kb.root), "export", "macros", "--format", fmt, "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        text = "\n".join(path.read_text(encoding="utf-8") for path in out.rglob("*") if path.is_file())
        assert not set(_SECRET.findall(text)) & inside, fmt
        assert set(_SECRET.findall(text)) & outside, fmt


def test_public_search_api_never_answers_or_suggests_agent_text(every_shape) -> None:
    from kbtools.service import create_app

    kb, inside, outside = every_shape
    result = CliRunner().invoke(main, ["--root", str(kb.root), "index"])
    assert result.exit_code == 0, result.output
    app = create_app(
        {
            "root": str(kb.root),
            "database_url": f"sqlite:///{kb.root / 'events.db'}",
            "rate_limit": "off",
            "api_tokens": ["secret-token"],
        }
    )
    client = app.test_client()
    for word in sorted(inside):
        for query in (word, word[:-1] + "x", "q" + word[1:]):  # the word, and misspellings of it
            body = client.get("/api/v1/search", query_string={"q": query}).get_json()
            shown = json.dumps({key: value for key, value in body.items() if key != "query"})  # not the echo
            assert body["total"] == 0 and body["suggestion"] is None, f"{query!r} answered {shown[:300]}"
            assert not set(_SECRET.findall(shown)) & inside, f"{query!r} answered {shown[:300]}"
    public = sorted(outside)[0]
    assert client.get("/api/v1/search", query_string={"q": public}).get_json()["total"] == 1
    signed_in = client.get(
        "/api/v1/search", query_string={"q": canary(1)}, headers={"Authorization": "Bearer secret-token"}
    ).get_json()
    assert canary(1) in inside and signed_in["total"] >= 1, "agents still find agent notes"
    # The wiki's Copy reply (a macro's reply in signed-in answers) is what the customer reads: no agent note.
    macro = client.get(
        "/api/v1/search",
        query_string={"q": public, "type": "macro"},
        headers={"Authorization": "Bearer secret-token"},
    ).get_json()["hits"]
    assert macro and macro[0]["reply"] and not set(_SECRET.findall(macro[0]["reply"])) & inside
    assert outside <= set(_SECRET.findall(macro[0]["reply"]))


def test_public_build_refuses_a_page_that_still_renders_an_agent_note(mini_kb: MiniKB) -> None:
    """Defence in depth: inside a container kb's finder does not model (pymdownx.tabbed, added in mkdocs.yml)
    an agent block looks like code to kb. Lint refuses the shape; and the public build, run without lint,
    still refuses to publish the page, naming it, without a traceback."""
    secret = canary(999)
    (mini_kb.root / "mkdocs.yml").write_text(
        "site_name: Acme\nsite_url: http://127.0.0.1:8000/\nmarkdown_extensions:\n  - pymdownx.tabbed\n"
    )
    body = f'Intro.\n\n=== "Tab"\n\n    !!! agent "Agent notes"\n        {secret}\n'
    mini_kb.both("cards/tabs.md", page("tabs", "Tabs", body=body), page("tabs", "Onglets", body="Texte.\n"))
    GitRepo(mini_kb.root).commit("Tabs", date="2026-03-02T09:00:00+00:00")
    linted = CliRunner().invoke(main, ["--root", str(mini_kb.root), "lint"])
    assert linted.exit_code == 1 and "content/en/cards/tabs.md:16" in linted.output
    assert "agent-block-shape" in linted.output
    with pytest.raises(BuildError) as failure:
        build_sites(KnowledgeBase(mini_kb.root), BuildOptions(audiences=("public",)))
    assert "cards/tabs.md" in str(failure.value) and "agent-only text" in str(failure.value)
    assert "Traceback" not in str(failure.value)
    public = mini_kb.root / "site/public"
    leaked = [p for p in public.rglob("*") if p.is_file() and secret in p.read_text(errors="replace")]
    assert leaked == []


_DEEP = 400  # far beyond MAX_DEPTH, and deep enough to exhaust Python's stack without a guard
DEEP_SHAPES = {
    "blockquotes": ">" * _DEEP + ' !!! agent "Agent notes"\n' + ">" * _DEEP + "     z998q",
    "admonitions": "\n".join(" " * (4 * level) + '!!! note agent "Agent notes"' for level in range(_DEEP)) + " z998q",
    "collapsibles": "\n".join(" " * (4 * level) + "??? tip agent" for level in range(_DEEP))
    + "\n"
    + " " * 4 * _DEEP
    + "z998q",
}


@pytest.mark.parametrize("name", list(DEEP_SHAPES))
def test_blocks_nested_hundreds_deep_are_refused_and_hidden_whole(mini_kb: MiniKB, name: str) -> None:
    """Hostile nesting never crashes kb (lint reports it with its line) and nothing of the body goes public."""
    body = "Public intro.\n\n" + DEEP_SHAPES[name]
    findings = [f for f in _lint_body(mini_kb, body) if f.rule == "agent-block-shape"]
    assert [(f.line, "nested more than" in f.message) for f in findings] == [(12, True)]
    assert "z998q" not in strip_agent_blocks(body) and "Public intro" not in strip_agent_blocks(body)
    result = CliRunner().invoke(main, ["--root", str(mini_kb.root), "lint"])
    assert result.exit_code == 1 and "Traceback" not in result.output
