"""`kb import markdown` on small doc sets of each flavour: DocFX, MkDocs (folder per language), Docusaurus, Hugo,
Jekyll. Each is imported into a new knowledge base, then must pass `kb lint --strict` and `kb build --strict`."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from gitrepo import GitRepo

from kbtools.cli import main

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def kb(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(main, list(args))
    assert "Traceback" not in done.output, done.output
    return done.exit_code, done.output


@dataclass
class DocSet:
    name: str
    languages: str
    files: dict[str, str | bytes]
    expected: dict[str, list[str]]  # kb file under content/ -> lines or snippets it must contain
    absent: dict[str, list[str]] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)  # old path on the public site -> page it goes to
    mapping: str = ""
    args: tuple[str, ...] = ()


def md(front: str, body: str) -> str:
    return f"---\n{textwrap.dedent(front).strip()}\n---\n\n{textwrap.dedent(body).lstrip()}"


DOCFX = DocSet(
    "docfx",
    "en",
    {
        "docfx.json": "{}",
        "articles/toc.yml": "- name: Setup\n",
        "includes/disclaimer.md": md("ms.topic: include", "**Disclaimer**: third-party products vary.\n"),
        "articles/setup/media/install/step1.png": PNG,
        "articles/setup/install.md": md(
            """
            title: Install the app
            description: How to install the app on a new computer.
            ms.topic: troubleshooting
            ms.date: 01/30/2019
            ms.custom: [sap:Install, CSSTroubleshoot]
            """,
            """
            # Install the app

            > [!NOTE]
            > You need an administrator account.
            > Ask your [IT team](https://example.com/it).

            1. Download the installer.

               :::image type="content" source="media/install/step1.png" alt-text="The download page" border="false":::

            2. Run it.

               :::image type="content" source="media/install/missing.png" alt-text="The installer window":::

            > [!WARNING]
            > [!INCLUDE [disclaimer](../../includes/disclaimer.md)]

            See [configure the app](/product/setup/configure#options), the [overview](/azure/overview) and
            [the options](configure.md#options).
            """,
        ),
        "articles/setup/configure.md": md(
            "title: Configure the app\nms.topic: article",
            "# Configure the app\n\n## Options\n\nChoose your options. Back to [install](install.md).\n",
        ),
    },
    {
        "en/setup/install.md": [
            "type: troubleshooting",
            "summary: How to install the app on a new computer.",
            "aliases: [product/setup/install]",
            "!!! note\n    You need an administrator account.\n    Ask your [IT team](https://example.com/it).",
            "   ![The download page](media/install/step1.png)",
            "   *The installer window*",
            "!!! danger\n    **Disclaimer**: third-party products vary.",
            "[configure the app](configure.md#options)",
            "[overview](https://learn.example.com/azure/overview)",
            "[the options](configure.md#options)",
        ],
        "en/setup/configure.md": ["type: article", "Back to [install](install.md)."],
    },
    absent={"en/setup/install.md": ["# Install the app", "ms.", "[!NOTE]", ":::image", "[!INCLUDE"]},
    redirects={"product/setup/install": "setup/install/"},
    mapping="preset: docfx\ndocs_dir: articles\nurl_base: product\nsite_url: https://learn.example.com\n",
)

MKDOCS = DocSet(
    "mkdocs",
    "en,fr",
    {
        "mkdocs.yml": "site_name: Old docs\n",
        "docs/en/guide/start.md": md(
            "title: Getting started\ndescription: The first steps.\ntags: [basics, setup]\norder: 2",
            "Welcome. Next: [billing](../billing/invoices.md).\n\n!!! tip\n    Already an admonition.\n",
        ),
        "docs/fr/guide/start.md": md(
            "title: Premiers pas\ndescription: Les premières étapes.\ntags: [bases]",
            "Bienvenue. Ensuite : [facturation](../billing/invoices.md).\n",
        ),
        "docs/en/guide/first.md": md("title: Before you start\norder: 1", "Read this first.\n"),
        "docs/fr/guide/avant.md": md("title: Avant de commencer", "Lisez ceci d'abord.\n"),
        "docs/en/billing/invoices.md": md("title: Invoices", "Download them.\n"),
        "docs/fr/billing/invoices.md": md("title: Factures", "Téléchargez-les.\n"),
    },
    {
        "en/guide/start.md": [
            "summary: The first steps.",
            "keywords: [basics, setup]",
            "order: 2",
            "[billing](../billing/invoices.md)",
        ],
        "fr/guide/start.md": [
            "id: start",
            "title: Premiers pas",
            "category: guide",
            "[facturation](../billing/invoices.md)",
        ],
        "fr/guide/first.md": ["id: first", "title: Avant de commencer"],  # paired by the mapping
    },
    absent={"en/guide/start.md": ["aliases"]},  # its old URL is its new one
    mapping="preset: mkdocs\ntranslations:\n  fr/guide/avant.md: en/guide/first.md\n",
)

DOCUSAURUS = DocSet(
    "docusaurus",
    "en,fr",
    {
        "docusaurus.config.js": "module.exports = {};\n",
        "docs/intro.md": md(
            "sidebar_position: 2\ntitle: Introduction\nslug: /welcome\nkeywords: [start]",
            ":::tip[Save time]\nUse the keyboard shortcuts.\n:::\n\nThen [install](./install.md).\n",
        ),
        "docs/install.md": md("sidebar_position: 1\ntitle: Install", ":::warning\nBack up first.\n:::\n"),
        "i18n/fr/docusaurus-plugin-content-docs/current/intro.md": md("title: Introduction FR", "Bonjour.\n"),
        "i18n/fr/docusaurus-plugin-content-docs/current/install.md": md("title: Installer", "Sauvegardez.\n"),
    },
    {
        "en/intro.md": [
            "order: 2",
            "aliases: [docs/welcome]",
            '!!! tip "Save time"\n    Use the keyboard shortcuts.',
            "[install](install.md)",
        ],
        "en/install.md": ["order: 1", "!!! warning\n    Back up first."],
        "fr/intro.md": ["id: intro", "title: Introduction FR"],
    },
    redirects={"docs/welcome": "intro/"},
)

HUGO = DocSet(
    "hugo",
    "en,fr",
    {
        "hugo.toml": 'baseURL = "https://old.example.com/"\n',
        "content/docs/_index.md": md("title: Docs", "Section page.\n"),
        "content/docs/install.md": md(
            "title: Install\nweight: 20\naliases: [/old/install/]\ndraft: false",
            'First read [usage]({{< ref "usage.md" >}}).\n',
        ),
        "content/docs/install.fr.md": md("title: Installer\nweight: 20", "Lisez d'abord.\n"),
        "content/docs/usage.md": md("title: Usage\nweight: 10", "Use it.\n"),
        "content/docs/usage.fr.md": md("title: Utilisation\nweight: 10", "Utilisez-le.\n"),
        "content/docs/wip.md": md("title: Work in progress\ndraft: true", "Not yet.\n"),
    },
    {
        "en/docs/install.md": ["order: 20", "aliases: [old/install]", "[usage](usage.md)"],
        "fr/docs/install.md": ["id: install", "title: Installer"],
        "en/docs/wip.md": ["status: draft"],
    },
    redirects={"old/install": "docs/install/"},
)

JEKYLL = DocSet(
    "jekyll",
    "en",
    {
        "_config.yml": "title: Old docs\n",
        "_layouts/default.html": "<html></html>",
        "_docs/install.md": md(
            "title: Install\nnav_order: 3\npermalink: /docs/install/\nredirect_from: [/install.html]",
            "Read [usage]({{ site.baseurl }}{% link _docs/usage.md %}) first.\n\n{: .note}\n\nDone.\n",
        ),
        "_docs/usage.md": md("title: Usage\nnav_order: 1\npublished: false", "Use it.\n"),
    },
    {
        "en/docs/install.md": ["order: 3", "aliases: [install]", "Read usage first."],  # usage is a draft
        "en/docs/usage.md": ["status: draft"],
    },
    absent={"en/docs/install.md": ["{: .note}", "{%", "{{"]},
    redirects={"install": "docs/install/"},
)

DOC_SETS = [DOCFX, MKDOCS, DOCUSAURUS, HUGO, JEKYLL]


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode())


@pytest.mark.parametrize("doc_set", DOC_SETS, ids=[d.name for d in DOC_SETS])
def test_a_doc_set_imports_lint_clean_and_builds(tmp_path: Path, doc_set: DocSet) -> None:
    source = tmp_path / "source"
    _write(source, doc_set.files)
    root = tmp_path / "help"
    assert kb("init", str(root), "--languages", doc_set.languages)[0] == 0
    args = ["--root", str(root), "import", "markdown", str(source), *doc_set.args]
    if doc_set.mapping:
        (tmp_path / "map.yml").write_text(doc_set.mapping)
        args += ["--map", str(tmp_path / "map.yml")]
    code, output = kb(*args)
    assert code == 0, output
    for rel, snippets in doc_set.expected.items():
        text = (root / "content" / rel).read_text()
        for snippet in snippets:
            assert snippet in text, f"{rel} lacks {snippet!r}:\n{text}"
    for rel, snippets in doc_set.absent.items():
        text = (root / "content" / rel).read_text()
        assert [s for s in snippets if s in text] == [], text
    code, output = kb("--root", str(root), "lint", "--strict")
    assert code == 0, output
    GitRepo(root).commit("Import")
    code, output = kb("--root", str(root), "build", "--strict")
    assert code == 0, output
    for alias, target in doc_set.redirects.items():
        html = (root / "site/public" / alias / "index.html").read_text()
        assert "url=" + "../" * len(alias.split("/")) + target in html


def test_docfx_images_found_are_copied_and_missing_ones_reported(tmp_path: Path) -> None:
    source = tmp_path / "source"
    _write(source, DOCFX.files)
    root = tmp_path / "help"
    kb("init", str(root), "--languages", "en")
    (tmp_path / "map.yml").write_text(DOCFX.mapping)
    code, output = kb(
        "--root",
        str(root),
        "import",
        "markdown",
        str(source),
        "--map",
        str(tmp_path / "map.yml"),
        "--report",
        str(tmp_path / "report.md"),
    )
    assert code == 0, output
    assert (root / "content/en/setup/media/install/step1.png").read_bytes() == PNG
    report = (tmp_path / "report.md").read_text()
    assert "**missing-image**: image media/install/missing.png is not in the doc set" in report
    assert "2 callouts" in output and "1 includes" in output and "2 image blocks" in output


def test_an_include_outside_the_set_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("TOP-SECRET-CANARY\n")
    source = tmp_path / "source"
    _write(source, {"docfx.json": "{}", "a.md": md("title: A", "[!INCLUDE [s](../secret.md)]\n\nText.\n")})
    root = tmp_path / "help"
    kb("init", str(root), "--languages", "en")
    code, _ = kb("--root", str(root), "import", "markdown", str(source), "--report", str(tmp_path / "r.md"))
    assert code == 0
    assert "TOP-SECRET-CANARY" not in (root / "content/en/a.md").read_text()
    assert "include ../secret.md outside the doc set: left out" in (tmp_path / "r.md").read_text()


@pytest.mark.parametrize(
    ("mapping", "says"),
    [
        ("preset: sphinx\n", "unknown preset 'sphinx'"),
        ("keys:\n  colour: [color]\n", "keys.colour: kb maps only"),
        ("docs_root: x\n", "unknown setting docs_root"),
        ("- a list\n", "the mapping must be a YAML mapping"),
        ("a: &x [1]\nb: *x\n", "alias"),
    ],
)
def test_a_bad_mapping_is_a_clean_error(tmp_path: Path, mapping: str, says: str) -> None:
    source = tmp_path / "source"
    _write(source, {"a.md": md("title: A", "Text.\n")})
    root = tmp_path / "help"
    kb("init", str(root), "--languages", "en")
    (tmp_path / "map.yml").write_text(mapping)
    code, output = kb("--root", str(root), "import", "markdown", str(source), "--map", str(tmp_path / "map.yml"))
    assert code == 1 and says in output, output
    assert not (root / "content/en/a.md").exists()


def test_importing_a_doc_set_again_is_idempotent_and_keeps_edits(tmp_path: Path) -> None:
    source = tmp_path / "source"
    _write(source, HUGO.files)
    root = tmp_path / "help"
    kb("init", str(root), "--languages", "en,fr")
    kb("--root", str(root), "import", "markdown", str(source))
    code, output = kb("--root", str(root), "import", "markdown", str(source))
    assert code == 0 and "0 created, 0 updated, 5 unchanged" in output, output
    page = root / "content/en/docs/usage.md"
    page.write_text(page.read_text().replace("Use it.", "Use it well."))
    (source / "content/docs/usage.md").write_text(md("title: Usage\nweight: 10", "Use it today.\n"))
    code, output = kb("--root", str(root), "import", "markdown", str(source))
    assert "left alone (edited since the last import; --force to overwrite): content/en/docs/usage.md" in output
    assert "Use it well." in page.read_text()


def test_a_link_to_a_page_not_translated_yet_goes_to_the_source_language_page(tmp_path: Path) -> None:
    source = tmp_path / "source"
    _write(
        source,
        {
            "mkdocs.yml": "site_name: Old\n",
            "docs/en/a.md": md("title: A", "See [b](b.md).\n"),
            "docs/fr/a.md": md("title: A FR", "Voir [b](b.md).\n"),
            "docs/en/b.md": md("title: B", "Only in English.\n"),
        },
    )
    root = tmp_path / "help"
    kb("init", str(root), "--languages", "en,fr")
    code, output = kb("--root", str(root), "import", "markdown", str(source))
    assert code == 0, output
    assert "Voir [b](b.md)." in (root / "content/fr/a.md").read_text()
    assert "1 untranslated-link" in output and "untranslated-link (warning)" in output


PLACEHOLDERS = {
    "a user folder": ("Open %LOCALAPPDATA%/<username>/Outlook.", "%LOCALAPPDATA%/&lt;username&gt;/Outlook"),
    "a version": ("Under 16.<x.0> keys.", "16.&lt;x.0&gt;"),
    "two words": ("Run it on <profile name>.", "&lt;profile name&gt;"),
    "an SVG part": ("outlook.exe on <path>", "&lt;path&gt;"),
    "a namespaced tag with an escaped '>'": (
        "Reply <S:Subcode\\>x</S:Subcode\\>",
        "&lt;S:Subcode&gt;x&lt;/S:Subcode&gt;",
    ),
    "CommonMark's escaped '<'": ("Source \\<mapi15://{S-1}/> fails.", "Source &lt;mapi15://{S-1}/> fails."),
}


@pytest.mark.parametrize("shape", PLACEHOLDERS, ids=list(PLACEHOLDERS))
def test_placeholders_written_as_tags_stay_readable_text(tmp_path: Path, shape: str) -> None:
    """The source's renderer showed them as words; Python-Markdown would read them as HTML, which the site's
    sanitiser then drops, so the reader would lose them (and `kb build --strict` would fail)."""
    written, imported = PLACEHOLDERS[shape]
    body = f"{written}\n\nIn code they stay: `<username>`, and <br> and <kbd>Ctrl</kbd> stay HTML.\n"
    source = tmp_path / "source"
    _write(source, {"docfx.json": "{}", "a.md": md("title: A\ndescription: A page.", body)})
    root = tmp_path / "help"
    kb("init", str(root), "--languages", "en")
    assert kb("--root", str(root), "import", "markdown", str(source))[0] == 0
    text = (root / "content/en/a.md").read_text()
    assert imported in text and "`<username>`" in text and "<br>" in text and "<kbd>Ctrl</kbd>" in text
    code, output = kb("--root", str(root), "lint", "--strict")
    assert code == 0, output
    GitRepo(root).commit("Import")
    code, output = kb("--root", str(root), "build", "--strict")
    assert code == 0, output
