"""Page structure shared by lint, build and search: anchors, agent blocks, links, placeholders."""

from __future__ import annotations

import pytest
from markdown.extensions.toc import slugify as mkdocs_slugify

from kbtools.model.markdown import outline, slugify


@pytest.mark.parametrize(
    "heading",
    [
        "Étapes de vérification",
        "Why is my card declined?",
        "3-D Secure: «code» non reçu",
        "Frais  --  bancaires",
        "Ça marche !",
    ],
)
def test_anchors_match_the_site_build(heading: str) -> None:
    assert slugify(heading) == mkdocs_slugify(heading, "-")


def test_repeated_headings_get_numbered_anchors_like_mkdocs() -> None:
    result = outline("## FAQ\n\n## FAQ\n\n## Steps {#how-to}\n")
    assert [h.anchor for h in result.headings] == ["faq", "faq_1", "how-to"]
    assert result.headings[2].text == "Steps"


def test_agent_blocks_links_and_lines() -> None:
    body = (
        "Intro with a [public link](a.md)\n"  # line 10
        "and a second line [b](b.md#x).\n"
        "\n"
        '!!! agent "Agent notes"\n'  # line 13
        "    Open [the SOP](../support-playbooks/s.md).\n"
        "\n"
        "After the block.\n"
        "```\n"
        '!!! agent "not a block"\n'
        "    [not a link](c.md) {{not.a.placeholder}}\n"
        "```\n"
    )
    result = outline(body, first_line=10)
    assert [(b.title, b.start) for b in result.agent_blocks] == [("Agent notes", 13)]
    assert [(link.target, link.line, link.in_agent_block) for link in result.links] == [
        ("a.md", 10, False),
        ("b.md#x", 11, False),
        ("../support-playbooks/s.md", 14, True),
    ]
    assert result.placeholders == []


def test_placeholders_with_their_lines() -> None:
    result = outline("Hi {{ ticket.requester.first_name }},\n\nThanks, {{current_user.first_name}}\n", first_line=5)
    assert [(p.name, p.line) for p in result.placeholders] == [
        ("ticket.requester.first_name", 5),
        ("current_user.first_name", 7),
    ]
