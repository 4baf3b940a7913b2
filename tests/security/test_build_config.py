"""mkdocs.yml is code: a pull request may not make the build run code, read files outside the knowledge base
or read the build's environment. One declaration (kbtools.workflows.buildconfig) decides; lint and the build use it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO_ROOT, MiniKB, page
from gitrepo import GitRepo
from mkdocs.config.defaults import MkDocsConfig

from kbtools.governance.codeowners import locate

KB = str(Path(sys.executable).parent / "kb")  # the installed command, as CI runs it
SECRET = "CANARY-CI-SECRET-e9f1"
SOP_CANARY = "CANARY-SOP-3c3c"
HOOK = """\
import pathlib, shutil
pathlib.Path(__file__).with_name("PWNED").mkdir()
def on_post_build(config, **kwargs):
    shutil.copy("content/en/playbooks/sop.md", pathlib.Path(config["site_dir"]) / "sop.txt")
"""


@dataclass(frozen=True)
class Shape:
    name: str
    mkdocs_yml: str  # {marker} is replaced by a path that must never be created
    line: int
    key: str
    says: str
    body: str = "Text.\n"


SHAPES = [
    Shape("hooks run any Python file", "site_name: Test\nhooks:\n  - hooks.py\n", 2, "hooks", "runs any Python file"),
    Shape(
        "snippets from the whole disk",
        "site_name: Test\nmarkdown_extensions:\n  - pymdownx.snippets:\n      base_path: /\n",
        3,
        "markdown_extensions.0",
        "'pymdownx.snippets' refused: includes files",
        '--8<-- "etc/passwd"\n',
    ),
    Shape(
        "snippets of an internal page",
        "site_name: Test\nmarkdown_extensions:\n  - pymdownx.snippets:\n      base_path: content/en\n",
        3,
        "markdown_extensions.0",
        "'pymdownx.snippets' refused",
        '--8<-- "playbooks/sop.md"\n',
    ),
    Shape(
        "images embedded from the whole disk",
        "site_name: Test\nmarkdown_extensions:\n  - pymdownx.b64:\n      base_path: /\n",
        3,
        "markdown_extensions.0",
        "'pymdownx.b64' refused",
    ),
    Shape(
        "an extension from the repository",
        "site_name: Test\nmarkdown_extensions:\n  - evil\n",
        3,
        "markdown_extensions.0",
        "extension 'evil' refused",
    ),
    Shape("!ENV reads the environment", "site_name: !ENV [KB_TEST_SECRET, Test]\n", 1, "site_name", "!ENV refused"),
    Shape(
        "!!python/name of any callable",
        "site_name: Test\nmarkdown_extensions:\n  - toc:\n      slugify: !!python/name:os.getcwd\n",
        4,
        "markdown_extensions.0.toc.slugify",
        "!!python/name:os.getcwd refused",
    ),
    Shape(
        "!!python/object/apply runs code while reading",
        "site_name: Test\nextra:\n  x: !!python/object/apply:os.mkdir ['{marker}']\n",
        3,
        "extra.x",
        "runs Python code",
    ),
    Shape(
        "theme templates from the repository",
        "site_name: Test\ntheme:\n  name: material\n  custom_dir: overrides\n",
        4,
        "theme.custom_dir",
        "refused: templates",
    ),
    Shape(
        "another theme", "site_name: Test\ntheme:\n  name: mkdocs\n", 3, "theme.name", "refused: the theme is material"
    ),
    Shape(
        "a script on every page",
        "site_name: Test\nextra_javascript: [evil.js]\n",
        2,
        "extra_javascript",
        "runs a script",
    ),
    Shape(
        "styles on every page", "site_name: Test\nextra_css: [https://evil.example/x.css]\n", 2, "extra_css", "refused"
    ),
    Shape("templates in content", "site_name: Test\nextra_templates: [x.html]\n", 2, "extra_templates", "Jinja"),
    Shape(
        "another config file", "site_name: Test\nINHERIT: ../other.yml\n", 2, "INHERIT", "reads another configuration"
    ),
    Shape(
        "markup in the footer",
        "site_name: Test\ncopyright: <img src=x onerror=alert(1)>\n",
        2,
        "copyright",
        "markup refused",
    ),
    Shape(
        "a script as the repository link",
        "site_name: Test\nrepo_url: javascript:fetch('/api/v1/reports/gaps')\n",
        2,
        "repo_url",
        "must be an http:// or https:// URL",
    ),
    Shape("an unknown setting", "site_name: Test\nsite_favicon: x\n", 2, "site_favicon", "not a MkDocs setting"),
]


def _tree(root: Path, shape: Shape) -> MiniKB:
    kb = MiniKB(root)
    marker = root / "PWNED"
    (root / "mkdocs.yml").write_text(shape.mkdocs_yml.replace("{marker}", str(marker)), encoding="utf-8")
    (root / "hooks.py").write_text(HOOK, encoding="utf-8")
    (root / "evil.py").write_text("import pathlib\npathlib.Path(__file__).with_name('PWNED').mkdir()\n")
    (root / "other.yml").write_text("site_name: Other\n")
    (root / "overrides").mkdir()
    (root / "overrides/main.html").write_text("{% extends 'base.html' %}{% block content %}OVERRIDDEN{% endblock %}")
    kb.both("cards/a.md", page("a", body=shape.body), page("a", body=shape.body))
    kb.write("en/playbooks/sop.md", page("sop", type="sop", audience="internal", category="playbooks", body=SOP_CANARY))
    GitRepo(root).commit("A pull request changing mkdocs.yml")
    return kb


def _kb(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`kb ARGS` run from the repository's folder, as the pull-request check runs it."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(root.parent), "KB_TEST_SECRET": SECRET}
    return subprocess.run([KB, *args], cwd=root, capture_output=True, text=True, env=env)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.name)
def test_lint_refuses_the_setting_naming_its_line_and_key(shape: Shape, tmp_path: Path) -> None:
    kb = _tree(tmp_path / "kb", shape)
    done = _kb(kb.root, "lint", "--format", "json")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    found = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "mkdocs-config"]
    assert found, done.stdout
    assert (found[0]["path"], found[0]["line"], found[0]["key"]) == ("mkdocs.yml", shape.line, shape.key)
    assert shape.says in found[0]["message"]
    assert not (kb.root / "PWNED").exists(), "reading mkdocs.yml ran code"


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.name)
def test_kb_build_refuses_and_runs_nothing(shape: Shape, tmp_path: Path) -> None:
    kb = _tree(tmp_path / "kb", shape)
    done = _kb(kb.root, "build")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"mkdocs.yml:{shape.line}: error: {shape.key}: " in done.stderr and "[mkdocs-config]" in done.stderr
    assert not (kb.root / "PWNED").exists(), "the build ran code from the pull request"
    assert not (kb.root / "site/public").exists() and not (kb.root / "site/internal").exists()


def test_the_build_library_refuses_too_without_running_anything(tmp_path: Path) -> None:
    from kbtools.model.errors import KbError
    from kbtools.model.project import KnowledgeBase
    from site_plugins.build import BuildOptions, build_sites

    for index, shape in enumerate(SHAPES):
        kb = _tree(tmp_path / f"kb{index}", shape)
        with pytest.raises(KbError, match=rf"mkdocs.yml:{shape.line}: \[{shape.key}\]"):
            build_sites(KnowledgeBase(kb.root), BuildOptions(out_dir=tmp_path / f"site{index}"))
        assert not (kb.root / "PWNED").exists(), shape.name
        assert not (tmp_path / f"site{index}/public").exists()


def test_every_mkdocs_setting_is_declared_and_documented() -> None:
    """A new MkDocs release with a new key fails here until someone decides what a pull request may do with it."""
    from kbtools.workflows.buildconfig import MARKDOWN_EXTENSIONS, SETTINGS, THEME_SETTINGS, Verdict

    assert {name for name, _ in MkDocsConfig._schema} <= set(SETTINGS)
    text = (REPO_ROOT / "docs/writers.md").read_text(encoding="utf-8")
    assert "## What a pull request may change in mkdocs.yml" in text
    for table, prefix in ((SETTINGS, ""), (THEME_SETTINGS, "theme."), (MARKDOWN_EXTENSIONS, "")):
        for setting in table.values():
            assert f"| `{prefix}{setting.name}` | {setting.verdict} |" in text
    assert all(setting.reason for setting in [*SETTINGS.values(), *THEME_SETTINGS.values()])
    assert SETTINGS["hooks"].verdict is Verdict.REFUSED


# kb codeowners: build configuration goes to the platform owner --------------------------------------------------


def test_codeowners_routes_build_configuration_to_the_platform_owner(mini_kb: MiniKB) -> None:
    taxonomy = mini_kb.root / "content/taxonomy.yml"
    taxonomy.write_text(
        taxonomy.read_text().replace(
            "  billing:\n    name: Billing\n",
            '  billing:\n    name: Billing\n  platform:\n    name: Platform\n    handle: "@acme/platform"\n',
            1,
        )
        + "platform_owner: platform\n"
    )
    mini_kb.both("cards/a.md", page("a"), page("a"))
    GitRepo(mini_kb.root)
    done = _kb(mini_kb.root, "codeowners")
    assert done.returncode == 0, done.stderr
    lines = [line for line in locate(mini_kb.root).path.read_text().split("\n") if line.startswith("/")]
    assert lines[-3:] == ["/mkdocs.yml @acme/platform", "/content/*.yml @acme/platform", "/.github/ @acme/platform"]
    assert _kb(mini_kb.root, "lint").returncode == 0


def test_an_unknown_platform_owner_is_a_taxonomy_error(mini_kb: MiniKB) -> None:
    taxonomy = mini_kb.root / "content/taxonomy.yml"
    taxonomy.write_text(taxonomy.read_text() + "platform_owner: nobody\n")
    mini_kb.both("cards/a.md", page("a"), page("a"))
    done = _kb(mini_kb.root, "lint")
    line = taxonomy.read_text().count("\n")
    assert done.returncode == 1
    assert f"content/taxonomy.yml:{line}: error: platform_owner: platform_owner must be one of the teams" in done.stdout


def test_the_sample_and_the_init_template_name_a_platform_owner(tmp_path: Path) -> None:
    assert "/mkdocs.yml @brightspend/kb-platform" in (REPO_ROOT / ".github/CODEOWNERS").read_text()
    done = _kb(tmp_path, "init", str(tmp_path / "new"))
    assert done.returncode == 0, done.stderr
    subprocess.run(["git", "init", "-q"], cwd=tmp_path / "new", check=True)
    assert _kb(tmp_path / "new", "codeowners").returncode == 0
    assert "/mkdocs.yml @your-org/support" in (tmp_path / "new/.github/CODEOWNERS").read_text()
