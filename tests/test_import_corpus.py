"""The real corpus: 334 Outlook troubleshooting articles in DocFX Markdown (../shared/corpora, CC BY 4.0; never
copied into the repository). Imported into a new knowledge base, it must lint clean, build with --strict and be
searchable. In CI the corpus is there and this runs; elsewhere it skips, saying why."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO_ROOT
from gitrepo import GitRepo

from kbtools.cli import main

MAPPING = Path(__file__).parent / "import_samples" / "outlook-troubleshooting.map.yml"


def corpus_dir() -> Path:
    shared = Path(os.environ["KB_SHARED_DIR"]) if os.environ.get("KB_SHARED_DIR") else REPO_ROOT.parent / "shared"
    return shared / "corpora" / "outlook-troubleshooting"


@pytest.fixture(scope="module")
def corpus() -> Path:
    found = corpus_dir()
    if not (found / "Outlook").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the Outlook corpus is not at {found} (CI must have ../shared/corpora; or set KB_SHARED_DIR)")
        pytest.skip(f"the Outlook corpus is not at {found}: set KB_SHARED_DIR to the folder holding corpora/")
    return found


def kb(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(main, list(args))
    assert "Traceback" not in done.output, done.output
    return done.exit_code, done.output


@pytest.fixture(scope="module")
def imported(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("outlook") / "help"
    assert kb("init", str(root), "--languages", "en", "--site-name", "Outlook help")[0] == 0
    code, output = kb(
        "--root",
        str(root),
        "import",
        "markdown",
        str(corpus),
        "--map",
        str(MAPPING),
        "--report",
        str(root / "import-report.json"),
    )
    assert code == 0, output
    print(output)  # the figures: shown with pytest -s
    GitRepo(root).commit("Import the Outlook troubleshooting articles")
    return root, output


def _count(output: str, what: str) -> int:
    match = re.search(rf"(\d+) {what}\b", output)
    return int(match.group(1)) if match else 0


def test_every_article_is_imported_with_its_syntax_converted(imported: tuple[Path, str]) -> None:
    root, output = imported
    pages = sorted((root / "content/en").rglob("*.md"))
    assert len([p for p in pages if "getting-started" not in p.parts]) == 334
    assert _count(output, "pages") == 334
    assert _count(output, "callouts") > 500 and _count(output, "image blocks") > 400
    assert _count(output, "includes") >= 20 and _count(output, "links rewritten") >= 25
    texts = "\n".join(p.read_text() for p in pages)
    for foreign in ("> [!NOTE]", "> [!IMPORTANT]", ":::image", "[!INCLUDE", "ms.topic:", "](/outlook/"):
        assert foreign not in texts, foreign
    assert "The third-party products that this article discusses" in texts  # an include, inlined


def test_the_imported_corpus_lints_clean(imported: tuple[Path, str]) -> None:
    root, output = imported
    assert "kb lint: no findings" in output
    code, output = kb("--root", str(root), "lint", "--strict")
    assert code == 0, output


def test_the_imported_corpus_builds_strict_and_is_searchable(imported: tuple[Path, str]) -> None:
    root, _ = imported
    code, output = kb("--root", str(root), "build", "--strict")
    assert code == 0, output
    old = root / "site/public/outlook/troubleshoot/authentication/outlook-prompts-credentials/index.html"
    assert "url=../../../../Client/authentication/outlook-prompts-credentials/" in old.read_text()
    code, output = kb("--root", str(root), "search", "prompts for credentials", "--json")
    assert code == 0
    hits = [hit["path"] for hit in json.loads(output)["hits"]]
    assert "en/Client/authentication/outlook-prompts-credentials.md" in hits[:3]


def test_the_report_names_what_needs_a_persons_eye(imported: tuple[Path, str]) -> None:
    root, _ = imported
    report = json.loads((root / "import-report.json").read_text())
    kinds = report["notes_by_kind"]
    assert kinds["missing-image"] > 400  # the corpus ships without its images
    assert kinds["external-link"] > 200  # learn.microsoft.com links outside the set, now full URLs
    assert all(page["notes"] for page in report["pages"])


def test_importing_the_corpus_again_changes_nothing(imported: tuple[Path, str], corpus: Path) -> None:
    root, _ = imported
    code, output = kb("--root", str(root), "import", "markdown", str(corpus), "--map", str(MAPPING))
    assert code == 0 and "0 created, 0 updated, 334 unchanged" in output, output
