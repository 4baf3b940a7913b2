"""What lint learned from imports: foreign syntax, site-absolute link hints and length limits, by file and line."""

from __future__ import annotations

import pytest
from conftest import TODAY, MiniKB, page

from kbtools.model.project import KnowledgeBase
from kbtools.workflows.lint import lint

# (name, body line that renders as literal text); the page's body starts at line 12
FOREIGN = [
    ("DocFX note", "> [!NOTE]"),
    ("DocFX warning, lower case", "> [!warning]"),
    ("DocFX image", ':::image type="content" source="media/a.png" alt-text="A":::'),
    ("DocFX include", "[!INCLUDE [disclaimer](../includes/disclaimer.md)]"),
    ("DocFX div", '> [!div class="nextstepaction"]'),
    ("DocFX video", "> [!VIDEO https://www.youtube.com/embed/x]"),
    ("Docusaurus admonition", ":::tip Save time"),
    ("Liquid link", "See [the guide]({{ site.baseurl }}{% link _docs/guide.md %})."),
    ("Jinja link", "See [the guide]({{ url_for('guide') }})."),
    ("Liquid tag", "{% include note.html content='x' %}"),
    ("Hugo shortcode", '{{< ref "guide.md" >}}'),
    ("Hugo percent shortcode", "{{% notice info %}}"),
    ("kramdown attribute block", "{: .warning}"),
    ("kramdown extension", '{::options parse_block_html="true" /}'),
]


@pytest.mark.parametrize(("name", "line"), FOREIGN, ids=[name for name, _ in FOREIGN])
def test_foreign_syntax_is_a_warning_with_file_and_line(mini_kb: MiniKB, name: str, line: str) -> None:
    mini_kb.both("cards/a.md", page("a", body=f"Intro.\n\n{line}\n"), page("a"))
    found = [f for f in lint(KnowledgeBase(mini_kb.root), today=TODAY).findings if f.rule == "foreign-syntax"]
    assert [(f.path.name, f.line, str(f.severity)) for f in found] == [("a.md", 14, "warning")], name
    assert line[:20] in found[0].message


@pytest.mark.parametrize(("name", "line"), FOREIGN, ids=[name for name, _ in FOREIGN])
def test_foreign_syntax_in_code_is_an_example(mini_kb: MiniKB, name: str, line: str) -> None:
    """Only the line outside code is reported (line 20), never the examples in a fence, a block or a span."""
    body = f"```\n{line}\n```\n\n    {line}\n\nWrite `{line}` to get it.\n\n{line}\n"
    mini_kb.both("cards/a.md", page("a", body=body), page("a"))
    found = [f for f in lint(KnowledgeBase(mini_kb.root), today=TODAY).findings if f.rule == "foreign-syntax"]
    assert [f.line for f in found] == [20]


def test_macro_placeholders_and_attributes_after_a_paragraph_are_not_foreign(mini_kb: MiniKB) -> None:
    body = "Hi {{ticket.requester.first_name}}, see [our page](b.md).\nA styled line.\n{: .note}\n\n{: .note}\n"
    mini_kb.both("cards/a.md", page("a", body=body), page("a", body=body))
    mini_kb.both("cards/b.md", page("b"), page("b"))
    found = [f for f in lint(KnowledgeBase(mini_kb.root), today=TODAY).findings if f.rule == "foreign-syntax"]
    assert sorted((f.path.parent.name, f.line) for f in found) == [("cards", 16), ("cards", 16)]


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("/powershell/overview", "write the full URL (https://<that site>/powershell/overview)"),
        ("/docs/intro/", "write the full URL"),
        ("/cards/b/", "it points to cards/b.md: link to it as 'b.md'"),
        ("/cards/b", "it points to cards/b.md: link to it as 'b.md'"),
        ("/hc/en-us/articles/1-b", "it points to cards/b.md: link to it as 'b.md'"),
    ],
)
def test_site_absolute_link_says_what_to_write(mini_kb: MiniKB, target: str, says: str) -> None:
    mini_kb.both("cards/a.md", page("a", body=f"See [b]({target}).\n"), page("a"))
    mini_kb.both("cards/b.md", page("b", aliases="[hc/en-us/articles/1-b]"), page("b"))
    found = [f for f in lint(KnowledgeBase(mini_kb.root), today=TODAY).findings if f.rule == "broken-link"]
    assert len(found) == 1 and found[0].line == 12
    assert says in found[0].message


@pytest.mark.parametrize(("key", "limit"), [("title", 120), ("summary", 300)])
@pytest.mark.parametrize("over", [1, 57])
def test_length_limits_say_by_how_much(mini_kb: MiniKB, key: str, limit: int, over: int) -> None:
    text = "x" * (limit + over)
    mini_kb.both("cards/a.md", page("a", **{key: text}), page("a"))
    found = [f for f in lint(KnowledgeBase(mini_kb.root), today=TODAY).findings if f.key == key]
    assert len(found) == 1
    assert f"{over} too many" in found[0].message


@pytest.mark.parametrize(
    ("value", "ok"),
    [("3", True), ("0", True), ("-1", False), ("yes", False), ("2.5", False), ('"3"', False)],
)
def test_order_is_a_whole_number(mini_kb: MiniKB, value: str, ok: bool) -> None:
    mini_kb.both("cards/a.md", page("a", order=value), page("a", order=value))
    found = [f for f in lint(KnowledgeBase(mini_kb.root), today=TODAY).findings if f.key == "order"]
    if ok:
        assert found == []
    else:
        assert {(f.rule, "whole number" in f.message) for f in found} == {("invalid-value", True)}


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("[hc/en-us/articles/1-x]", True),
        ("[/old/page.html]", True),
        ("[../outside]", False),
        ("[fr/cards/x]", False),
        ("[hc/a b]", False),
        ("hc/x", False),
    ],
)
def test_aliases_are_paths_inside_the_site(mini_kb: MiniKB, value: str, ok: bool) -> None:
    mini_kb.both("cards/a.md", page("a", aliases=value), page("a"))
    found = [f for f in lint(KnowledgeBase(mini_kb.root), today=TODAY).findings if (f.key or "").startswith("aliases")]
    if ok:
        assert found == []
    else:
        assert len(found) == 1 and found[0].rule == "invalid-value", found
        assert any(words in found[0].message for words in ("inside the site", "language folder", "list of old"))
