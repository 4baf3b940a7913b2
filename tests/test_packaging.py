"""Packaging: every library kb imports is declared, psycopg and redis only in extras, the type hints shipped."""

from __future__ import annotations

import re
import runpy
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from conftest import REPO_ROOT

PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
SCAN = runpy.run_path(str(REPO_ROOT / "scripts" / "imported-libraries"), run_name="imported_libraries")


def _names(requirements: list[str]) -> set[str]:
    """Normalised distribution names of requirement strings (`Flask-Limiter>=4` -> `flask-limiter`)."""
    return {re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", item)[0]).lower() for item in requirements}


def test_every_directly_imported_library_is_declared() -> None:
    declared = _names(PROJECT["dependencies"])
    extras = {name: _names(items) for name, items in PROJECT["optional-dependencies"].items()}
    missing = {}
    for module, distributions in SCAN["imported_distributions"]().items():
        assert distributions, f"{module} is imported but no installed distribution provides it"
        names = _names(distributions)
        if not names & (declared | extras["postgres"] | extras["redis"]):
            missing[module] = distributions
    assert missing == {}, "declare them in pyproject.toml"


@pytest.mark.parametrize(("extra", "distribution"), [("postgres", "psycopg"), ("redis", "redis")])
def test_server_drivers_are_extras_not_requirements(extra: str, distribution: str) -> None:
    assert distribution not in _names(PROJECT["dependencies"])
    assert distribution in _names(PROJECT["optional-dependencies"][extra])
    # and the tests install it: dev asks for kb[postgres,redis]
    dev = [item for item in PROJECT["optional-dependencies"]["dev"] if item.startswith("kb[")]
    assert any(extra in re.split(r"[\[\],]", item) for item in dev)


def test_the_wheel_ships_the_type_hints_and_templates(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy: building writes build/ and *.egg-info next to the sources
    for package in ("kbtools", "search", "site_plugins"):
        shutil.copytree(REPO_ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, source / name)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = (tmp_path / "dist").glob("kb-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in ("kbtools", "search", "site_plugins"):
        assert f"{package}/py.typed" in names
    assert any(name.startswith("kbtools/service/templates/") for name in names)
    # the interface strings are data files: a wheel without them builds sites with no labels
    assert {"kbtools/strings/en.yml", "kbtools/strings/fr.yml", "kbtools/strings/es.yml"} <= names
