"""The layers are kept by import-linter's contracts (pyproject.toml): an import pointing up, or a cycle, fails.

Each case copies the packages to a temporary folder, adds one wrong import and runs `lint-imports` there.
"""

from __future__ import annotations

import os
import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import REPO_ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("kbtools", "search", "site_plugins")
CONTRACTS = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def _contract(type_name: str, word: str) -> str:
    names = [c["name"] for c in CONTRACTS["contracts"] if c["type"] == type_name and word in c["name"]]
    assert len(names) == 1, names
    return names[0]


LAYERS = _contract("layers", "Layers")
CORE_EXTERNAL = _contract("forbidden", "content model")
SEARCH = _contract("forbidden", "independent")
GOVERNANCE = _contract("forbidden", "Governance")
ANALYTICS = _contract("forbidden", "Analytics")
CYCLES = _contract("acyclic_siblings", "cycles")


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir()
    for package in PACKAGES:
        shutil.copytree(REPO_ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    assert LINT_IMPORTS.exists(), "import-linter is not installed: pip install -e '.[dev]'"
    env = {**os.environ, "PYTHONPATH": str(tree)}  # the copy, not the installed kb
    return subprocess.run(
        [str(LINT_IMPORTS), "pyproject.toml", "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_packages_as_they_are_keep_every_contract(tmp_path: Path) -> None:
    done = _lint_imports(_copy(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(CONTRACTS['contracts'])} kept, 0 broken" in done.stdout


WRONG = [
    # (module file, the line added, the contract it breaks)
    (
        "kbtools/model/content.py",
        "from kbtools.service import create_app",
        LAYERS,
    ),  # the model reaching up to Flask's app
    ("kbtools/model/taxonomy.py", "import search.indexer", LAYERS),
    ("kbtools/workflows/lint/rules.py", "from kbtools.cli.commands import common", LAYERS),
    ("site_plugins/build.py", "import kbtools.service.sites", LAYERS),  # the build and the service are apart
    ("kbtools/service/events.py", "from site_plugins import build", LAYERS),
    ("kbtools/model/schema.py", "import flask", CORE_EXTERNAL),
    ("kbtools/model/markdown.py", "from mkdocs.config import defaults", CORE_EXTERNAL),
    ("kbtools/model/publishing.py", "import whoosh.index", CORE_EXTERNAL),
    ("search/indexer.py", "from kbtools.governance import reviews", SEARCH),
    ("kbtools/governance/reviews.py", "import search", GOVERNANCE),
    ("kbtools/analytics/metrics.py", "from flask import current_app", ANALYTICS),
    ("kbtools/analytics/periods.py", "import flask_limiter", ANALYTICS),
    ("kbtools/analytics/events.py", "import flask", ANALYTICS),
    ("kbtools/analytics/store.py", "from kbtools.service.auth import signed_in", ANALYTICS),
    ("kbtools/analytics/store.py", "import kbtools.service", LAYERS),
    # Cycles between modules of one layer: yamlsource already imports errors; reviews, durations
    ("kbtools/model/errors.py", "from kbtools.model import yamlsource", CYCLES),
    ("kbtools/model/durations.py", "import kbtools.governance.reviews", LAYERS),
    ("search/schema.py", "from search import searcher", CYCLES),
]


@pytest.mark.parametrize(("module", "line", "contract"), WRONG, ids=[f"{m}:{line}" for m, line, _ in WRONG])
def test_an_import_pointing_up_or_a_cycle_breaks_a_contract(tmp_path: Path, module: str, line: str, contract: str):
    tree = _copy(tmp_path)
    path = tree / module
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.parent / "__init__.py").touch()
    with path.open("a", encoding="utf-8") as source:
        source.write(f"\n{line}\n")
    done = _lint_imports(tree)
    assert done.returncode == 1, done.stdout + done.stderr
    report = " ".join(done.stdout.split())  # long contract names are wrapped
    assert f"{contract} BROKEN" in report, done.stdout


def _layered_modules() -> set[str]:
    layers = next(c for c in CONTRACTS["contracts"] if c["type"] == "layers")["layers"]
    names = set()
    for layer in layers:
        for item in layer.replace("|", ":").split(":"):
            names.add(item.strip().strip("()"))
    return names


def test_every_module_of_kbtools_has_a_layer() -> None:
    children = {f"kbtools.{module.name}" for module in pkgutil.iter_modules([str(REPO_ROOT / "kbtools")])}
    assert children - _layered_modules() == set(), "place the new module in a layer of pyproject.toml"


def test_the_analytics_package_once_it_exists_is_held_to_the_analytics_contract() -> None:
    sources = next(c for c in CONTRACTS["contracts"] if c["name"] == ANALYTICS)["source_modules"]
    assert "kbtools.analytics.**" in sources
    if (REPO_ROOT / "kbtools" / "analytics" / "__init__.py").exists():
        # import-linter refuses a source module that does not exist, so the package itself is added once it does
        assert "kbtools.analytics" in sources, "add kbtools.analytics to the analytics contract's source_modules"
