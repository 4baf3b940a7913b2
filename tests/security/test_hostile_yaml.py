"""Hostile YAML from a pull request (front-matter, taxonomy.yml, mkdocs.yml): a lint error with file and line,
found in bounded memory, and never a traceback from any command.

Each command runs as a real `kb` process under an address-space limit, as CI would run it.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import MINI_TAXONOMY, MiniKB, page

MEMORY_CAP = 1024 * 1024 * 1024  # 1 GiB of address space: a billion laughs needs far more
HANG_GUARD = 300  # seconds; only so a regression fails instead of hanging the suite
DEPTH = 2000


def _laughs(item: Callable[[str], str], first: str) -> str:
    """A billion-laughs value under a key: nine levels, each repeating the one before nine times."""
    lines = [f"  l0: &l0 {first}"]
    for level in range(1, 10):
        lines.append(f"  l{level}: &l{level} {item(f'*l{level - 1}')}")
    return "\n" + "\n".join(lines)


@dataclass(frozen=True)
class Shape:
    name: str
    value: str  # YAML written after `key:`
    line: int  # the offending line, counted from the key's line (0)
    says: str


ALIAS = "YAML alias '*l0' refused"
DEEP = "nested more than 20 levels deep"
SHAPES = [
    Shape("aliases of scalars", _laughs(lambda a: "[" + ", ".join([a] * 9) + "]", "lol"), 2, ALIAS),
    Shape("aliases of lists", _laughs(lambda a: "[" + ", ".join([a] * 9) + "]", "[lol, lol, lol]"), 2, ALIAS),
    Shape(
        "aliases of maps",
        _laughs(lambda a: "{" + ", ".join(f"k{i}: {a}" for i in range(9)) + "}", "{a: lol, b: lol}"),
        2,
        ALIAS,
    ),
    Shape("merge keys", _laughs(lambda a: "{<<: " + a + ", x: 1}", "{a: lol}"), 2, ALIAS),
    Shape(
        "a wide document of aliases",
        "\n  big: &l0 [" + ", ".join(["lol"] * 2000) + "]\n  wide: [" + ", ".join(["*l0"] * 100_000) + "]",
        2,
        ALIAS,
    ),
    Shape("deep block lists", "\n" + "\n".join("  " * level + "-" for level in range(1, DEPTH)) + " x", 20, DEEP),
    Shape("deep block maps", "\n" + "\n".join("  " * level + "a:" for level in range(1, DEPTH)) + " x", 20, DEEP),
    Shape("deep flow lists", " " + "[" * DEPTH + "]" * DEPTH, 0, DEEP),
    Shape("deep flow maps", " " + "{a: " * DEPTH + "x" + "}" * DEPTH, 0, DEEP),
    Shape("deep flow inside block", "\n  - " + "[" * 30 + "]" * 30, 1, DEEP),
]


@dataclass(frozen=True)
class Place:
    name: str
    file: str  # from the knowledge base's root
    write: Callable[[MiniKB, str], int]  # writes `key: value`, returns the key's line


def _front_matter(kb: MiniKB, text: str) -> int:
    kb.write("en/cards/a.md", page("a", extra=text + "\n"))
    return 10  # page(): the added keys start on line 10


def _taxonomy(kb: MiniKB, text: str) -> int:
    (kb.root / "content/taxonomy.yml").write_text(MINI_TAXONOMY + text + "\n", encoding="utf-8")
    return MINI_TAXONOMY.count("\n") + 1


def _mkdocs_yml(kb: MiniKB, text: str) -> int:
    (kb.root / "mkdocs.yml").write_text("site_name: Test\n" + text + "\n", encoding="utf-8")
    return 2


PLACES = [
    Place("front-matter", "content/en/cards/a.md", _front_matter),
    Place("taxonomy.yml", "content/taxonomy.yml", _taxonomy),
    Place("mkdocs.yml", "mkdocs.yml", _mkdocs_yml),
]
KEYS = {"front-matter": "keywords", "taxonomy.yml": "tags_extra", "mkdocs.yml": "extra"}


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def kb_command(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`kb ARGS` as a process of its own, under the memory cap."""
    return subprocess.run(
        [sys.executable, "-m", "kbtools", "--root", str(root), *args],
        capture_output=True,
        text=True,
        preexec_fn=_cap_memory,
        timeout=HANG_GUARD,
    )


def _hostile_kb(tmp_path: Path, place: Place, shape: Shape) -> tuple[MiniKB, int]:
    kb = MiniKB(tmp_path / "kb")
    kb.write("fr/cards/a.md", page("a"))
    kb.write("en/cards/a.md", page("a"))
    key_line = place.write(kb, f"{KEYS[place.name]}:{shape.value}")
    return kb, key_line + shape.line


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.name)
@pytest.mark.parametrize("place", PLACES, ids=lambda place: place.name)
def test_hostile_yaml_is_a_lint_error_with_file_and_line(place: Place, shape: Shape, tmp_path: Path) -> None:
    kb, line = _hostile_kb(tmp_path, place, shape)
    done = kb_command(kb.root, "lint", "--format", "json")
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.returncode == 1, done.stderr[-2000:]
    findings = json.loads(done.stdout)["findings"]
    found = [f for f in findings if f["rule"] == "yaml-limit"]
    assert found, findings
    assert (found[0]["path"], found[0]["line"]) == (place.file, line)
    assert shape.says in found[0]["message"] and found[0]["severity"] == "error"


SOME_SHAPES = [shape for shape in SHAPES if shape.name in ("aliases of lists", "deep block lists", "deep flow maps")]


@pytest.mark.parametrize("shape", SOME_SHAPES, ids=lambda shape: shape.name)
@pytest.mark.parametrize("place", PLACES, ids=lambda place: place.name)
def test_no_command_shows_a_traceback_for_hostile_yaml(place: Place, shape: Shape, tmp_path: Path) -> None:
    kb, line = _hostile_kb(tmp_path, place, shape)
    build = kb_command(kb.root, "build", "--out", str(tmp_path / "site"))
    assert build.returncode == 1 and "Traceback" not in build.stderr, build.stderr[-2000:]
    assert f"{place.file}:{line}: error:" in build.stderr and "[yaml-limit]" in build.stderr
    assert not (tmp_path / "site/public").exists()
    index = ["--index-dir", str(tmp_path / "index")]
    for args in (
        ["index", *index],
        ["search", "card", *index],
        ["summary"],
        ["export", "bot", "--out", str(tmp_path / "bot.jsonl")],
        ["changes", "--since", "30d"],
    ):
        done = kb_command(kb.root, *args)
        assert "Traceback" not in done.stderr, (args, done.stderr[-2000:])
        assert done.returncode in (0, 1), (args, done.stderr[-2000:])
