"""The writers' reference tables are generated from the code and must not drift from it."""

from __future__ import annotations

from conftest import REPO_ROOT

from kbtools.cli.reference import refresh, stale_pages
from kbtools.model.schema import FIELDS
from kbtools.workflows.lint.rules import RULES


def test_docs_reference_tables_match_the_code() -> None:
    pages = sorted((REPO_ROOT / "docs").glob("*.md"))
    assert stale_pages(pages) == [], "run 'kb docs' to regenerate the reference tables"


def test_writers_guide_lists_every_key_and_rule() -> None:
    text = (REPO_ROOT / "docs/writers.md").read_text(encoding="utf-8")
    for field in FIELDS:
        assert f"| `{field.name}` |" in text
    for rule in RULES:
        assert f"| `{rule}` |" in text


def test_refresh_replaces_a_drifted_table() -> None:
    drifted = "<!-- generated:lint-rules -->\n| old |\n<!-- /generated:lint-rules -->\n"
    assert "| old |" not in refresh(drifted)
    assert "`broken-link`" in refresh(drifted)
