"""Whatever a writer types as a front-matter value, `kb lint` answers with findings, never a traceback."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import MiniKB, page

from kbtools.cli import main
from kbtools.model.schema import FIELDS

# YAML a writer can produce by mistake: nested lists and mappings, numbers, booleans, null, impossible dates.
ODD_VALUES = [
    "[[cards]]",
    "[{a: 1}]",
    "{a: [1, 2]}",
    "12.5",
    "true",
    "null",
    "2026-02-30",
    "[2026-02-30]",
    "{2026-02-30: x}",  # an impossible date as a key
    "''",
]


@pytest.mark.parametrize("value", ODD_VALUES)
@pytest.mark.parametrize("field", [f.name for f in FIELDS])
def test_any_value_of_any_field_gets_a_finding_not_a_traceback(mini_kb: MiniKB, field: str, value: str) -> None:
    text = page("a")
    old = next((line for line in text.splitlines() if line.startswith(f"{field}: ")), None)
    new = f"{field}: {value}"
    text = text.replace(old, new) if old else text.replace("---\n\n", f"{new}\n---\n\n")
    mini_kb.write("en/cards/a.md", text)
    result = CliRunner().invoke(main, ["--root", str(mini_kb.root), "lint", "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    json.loads(result.output)  # clean findings, nothing else


def test_an_impossible_date_is_named_with_its_file_line_and_key(mini_kb: MiniKB) -> None:
    mini_kb.write("en/cards/a.md", page("a", review_by="2026-02-30"))
    result = CliRunner().invoke(main, ["--root", str(mini_kb.root), "lint"])
    assert result.exit_code == 1
    assert "en/cards/a.md:10: error: review_by: '2026-02-30' is not a date that exists" in result.output
