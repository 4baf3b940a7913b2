"""Symbolic links from a pull request: lint names each one, the build refuses them, no site ever publishes one.

git stores a link as its target, so a pull request can point a file of content/ anywhere the build can read:
the build's environment, /etc/passwd, a folder outside the repository, an internal page under a public name.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MiniKB, page
from gitrepo import GitRepo

from kbtools.cli import main
from kbtools.model.errors import KbError
from kbtools.model.project import KnowledgeBase
from site_plugins.build import BuildOptions, build_sites, dump_config, mkdocs_config

ENV_CANARY = "CANARY-ENVIRON-5ec7e7"  # in the build's environment, as a CI secret would be
OUTSIDE_CANARY = "CANARY-OUTSIDE-0a1b"  # in a folder next to the repository
SOP_CANARY = "CANARY-SOP-BODY-77aa"  # the body of an internal page
PASSWD_MARK = "root:x:0:0"


@dataclass(frozen=True)
class Shape:
    name: str
    link: str  # path of the link under content/
    target: Callable[[Path], str]  # what it points to, given the knowledge base's root
    linked_as: str | None  # how the public page links to it (None: not linked)


SHAPES = [
    Shape("the build's environment", "en/cards/env.txt", lambda root: "/proc/self/environ", "env.txt"),
    Shape("/etc/passwd", "en/cards/passwd.txt", lambda root: "/etc/passwd", "passwd.txt"),
    Shape(
        "a folder outside the repository",
        "en/cards/shared",
        lambda root: str(root.parent / "outside"),
        "shared/notes.txt",
    ),
    Shape("the folder /etc", "en/etc", lambda root: "/etc", "../etc/passwd"),
    Shape("an internal page as guide.txt", "en/cards/guide.txt", lambda root: "../playbooks/sop.md", "guide.txt"),
    Shape("an internal page as page.md", "en/cards/page.md", lambda root: "../playbooks/sop.md", "page.md"),
    Shape("a dangling link", "en/cards/gone.png", lambda root: "../../nowhere/gone.png", "gone.png"),
    Shape("a link in an asset folder", "en/cards/img/logo.png", lambda root: "/etc/passwd", "img/logo.png"),
    Shape("an asset folder that is a link", "en/cards/images", lambda root: str(root.parent / "outside"), None),
    Shape("a language folder that is a link", "fr", lambda root: str(root.parent / "outside"), None),
]
LINKING_LINE = 12  # the line of the public page's link (page(): front-matter lines 1-10, a blank line, the body)


def _tree(root: Path, shapes: list[Shape]) -> MiniKB:
    kb = MiniKB(root)
    outside = root.parent / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "notes.txt").write_text(f"{OUTSIDE_CANARY}\n")
    (outside / "a.md").write_text(page("outside", "Outside page", body=f"{OUTSIDE_CANARY}\n"))
    links = "\n".join(f"[{shape.name}]({shape.linked_as})\n" for shape in shapes if shape.linked_as)
    kb.write("en/cards/a.md", page("a", "Card help", body=links or "Text.\n"))
    if not any(shape.link == "fr" for shape in shapes):
        kb.write("fr/cards/a.md", page("a", "Aide carte"))
    kb.write(
        "en/playbooks/sop.md",
        page("sop", "Refund SOP", type="sop", audience="internal", category="playbooks", body=f"{SOP_CANARY}\n"),
    )
    for shape in shapes:
        link = kb.root / "content" / shape.link
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(shape.target(kb.root))
    GitRepo(kb.root).commit("A pull request with a link")
    return kb


def _lint(kb: MiniKB) -> tuple[int, list[dict[str, object]]]:
    result = CliRunner().invoke(main, ["--root", str(kb.root), "lint", "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.output)["findings"]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.name)
def test_lint_names_the_link_its_target_and_the_page_linking_to_it(shape: Shape, tmp_path: Path) -> None:
    kb = _tree(tmp_path / "kb", [shape])
    code, findings = _lint(kb)
    assert code == 1
    found = [f for f in findings if f["rule"] == "symlink"]
    assert len(found) == 1, findings
    assert found[0]["path"] == f"content/{shape.link}" and found[0]["severity"] == "error"
    message = str(found[0]["message"])
    assert f"symbolic link to {shape.target(kb.root)}" in message
    if shape.linked_as:
        assert f"linked from content/en/cards/a.md:{LINKING_LINE}" in message
    for canary in (ENV_CANARY, OUTSIDE_CANARY, SOP_CANARY, PASSWD_MARK):  # the message never shows the target
        assert canary not in json.dumps(findings)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.name)
def test_kb_build_refuses_the_link_cleanly_and_builds_nothing(
    shape: Shape, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_TEST_SECRET", ENV_CANARY)
    kb = _tree(tmp_path / "kb", [shape])
    result = CliRunner().invoke(main, ["--root", str(kb.root), "build"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert f"content/{shape.link}:1: error: symbolic link to {shape.target(kb.root)}" in result.output
    assert not (kb.root / "site/public").exists() and not (kb.root / "site/internal").exists()
    # The library refuses too, for callers that skip lint
    with pytest.raises(KbError, match=f"content/{shape.link}: symbolic link to"):
        build_sites(KnowledgeBase(kb.root), BuildOptions(out_dir=tmp_path / "lib-site"))
    assert not (tmp_path / "lib-site/public").exists()


@pytest.mark.parametrize("name", ["mkdocs.yml", "content/taxonomy.yml"])
def test_configuration_files_that_are_links_are_refused_unread(name: str, tmp_path: Path) -> None:
    kb = _tree(tmp_path / "kb", [])
    real = tmp_path / "real-config.yml"
    (kb.root / name).rename(real)
    (kb.root / name).symlink_to(real)
    code, findings = _lint(kb)
    assert code == 1
    assert any(f["path"] == name and "symbolic link" in str(f["message"]) for f in findings), findings
    result = CliRunner().invoke(main, ["--root", str(kb.root), "build"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert not (kb.root / "site/public").exists()


def _built_texts(folder: Path) -> str:
    texts = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            texts.append((gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8", "replace"))
    return "\n".join(texts)


def test_a_plain_mkdocs_build_of_kbs_config_publishes_nothing_through_a_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence in depth: MkDocs follows links; kb-audience drops whatever was reached through one."""
    monkeypatch.setenv("KB_TEST_SECRET", ENV_CANARY)
    shapes = [shape for shape in SHAPES if shape.link != "fr"]
    kb = _tree(tmp_path / "kb", shapes)
    knowledge_base = KnowledgeBase(kb.root)
    base = {"site_name": "Test", "site_url": "http://127.0.0.1:8000/"}
    for audience in ("public", "internal"):
        out = tmp_path / "site" / audience
        config = mkdocs_config(knowledge_base, base, BuildOptions(), audience, "en", out)
        config_path = tmp_path / f"mkdocs-{audience}.yml"
        config_path.write_text(dump_config(config), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "site_plugins.worker", str(config_path)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        built = _built_texts(out)
        assert "Card help" in built  # the site was built
        for canary in (ENV_CANARY, OUTSIDE_CANARY, PASSWD_MARK):
            assert canary not in built, f"{canary} published on the {audience} site"
        for shape in shapes:
            assert not (out / shape.link.removeprefix("en/")).exists(), f"{shape.name} published on the {audience} site"
        if audience == "public":
            assert SOP_CANARY not in built
        else:  # the SOP itself is on the wiki, once, under its own name
            assert SOP_CANARY in (out / "playbooks/sop/index.html").read_text()
            assert not (out / "cards/page/index.html").exists()


def test_codeowners_is_never_read_or_written_through_a_link(tmp_path: Path) -> None:
    import resource

    kb = _tree(tmp_path / "kb", [])
    (kb.root / ".github").mkdir()
    (kb.root / ".github/CODEOWNERS").symlink_to("/dev/zero")  # reading it would never end

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))

    command = [sys.executable, "-m", "kbtools", "--root", str(kb.root)]
    lint = subprocess.run([*command, "lint"], capture_output=True, text=True, preexec_fn=cap, timeout=300)
    assert lint.returncode == 0 and "Traceback" not in lint.stderr, lint.stderr[-2000:]
    write = subprocess.run([*command, "codeowners"], capture_output=True, text=True, preexec_fn=cap, timeout=300)
    assert write.returncode == 1 and "is (or is in) a symbolic link" in write.stderr, write.stderr[-2000:]
    assert (kb.root / ".github/CODEOWNERS").is_symlink()
