"""The analytics layer sits below the web service: reports and reviews run without Flask, and only
kbtools/analytics/ talks to the database."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import REPO_ROOT

from kbtools.analytics.store import connect, insert_events, migrate

WEB = ("flask", "flask_cors", "flask_limiter")
DATABASE_LIBRARIES = ("sqlalchemy", "sqlite3", "psycopg", "psycopg2")

# Runs in a fresh interpreter, so that nothing imported by pytest or another test is counted
PROBE = f"""
import json, sys
from click.testing import CliRunner
from kbtools.cli import main

args = json.loads(sys.argv[1])
if args:
    result = CliRunner().invoke(main, args)
    code, output = result.exit_code, result.output
else:
    import kbtools.analytics.metrics, kbtools.analytics.pageviews, kbtools.analytics.report  # noqa: F401
    code, output = 0, ""
web = sorted(name for name in sys.modules if name.split(".")[0] in {set(WEB)!r})
print(json.dumps({{"code": code, "output": output, "web": web}}))
"""


@pytest.fixture
def store(tmp_path: Path) -> str:
    """A service database with a page view in it, as `kb serve` leaves it."""
    url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    engine = connect(url)
    migrate(engine)
    with engine.begin() as connection:
        insert_events(
            connection,
            [{"type": "view", "article": "reset-password", "lang": "en", "site": "public", "session": "s" * 8,
              "created_at": datetime.now(UTC)}],
        )  # fmt: skip
    engine.dispose()
    return url


@pytest.mark.parametrize(
    "command",
    [
        pytest.param([], id="import-analytics"),
        pytest.param(["report", "--since", "7d", "--out", "{tmp}/report.html"], id="kb-report"),
        pytest.param(["review", "--format", "json"], id="kb-review"),
        pytest.param(["review", "--format", "md"], id="kb-review-md"),
    ],
)
def test_reports_and_reviews_import_no_web_framework(command: list[str], store: str, tmp_path: Path) -> None:
    args = ["--root", str(REPO_ROOT), *(arg.format(tmp=tmp_path) for arg in command)] if command else []
    environ = {**os.environ, "KB_DATABASE_URL": store}
    environ.pop("KB_CONFIG", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True, text=True, env=environ, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 0, result["output"]
    assert result["web"] == [], f"{' '.join(command) or 'import'} imported {', '.join(result['web'])}"
    if command[:1] == ["report"]:
        assert "dashboard" in (tmp_path / "report.html").read_text(encoding="utf-8").lower()


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_analytics_package_talks_to_the_database() -> None:
    inside = REPO_ROOT / "kbtools" / "analytics"
    offenders = {
        str(path.relative_to(REPO_ROOT)): sorted(_imported_modules(path) & set(DATABASE_LIBRARIES))
        for package in ("kbtools", "search", "site_plugins")
        for path in (REPO_ROOT / package).rglob("*.py")
        if inside not in path.parents
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_analytics_package_imports_nothing_above_it() -> None:
    above = ("kbtools.service", "kbtools.cli.commands", "kbtools.cli", "site_plugins", "flask")
    found = {}
    for path in (REPO_ROOT / "kbtools" / "analytics").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
        names += [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module]
        bad = [name for name in names if name.startswith(above)]
        if bad:
            found[path.name] = bad
    assert found == {}
