"""`kb import zendesk` on a realistic sample export (tests/import_samples/zendesk): English and French, public and
agent-only, links between articles, images, tables, a draft, an outdated translation; the list, translations
and "show" endpoints' shapes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from gitrepo import GitRepo

from kbtools.cli import main

SAMPLE = Path(__file__).parent / "import_samples" / "zendesk"
RESET = "sign-in-and-security/how-do-i-reset-my-password.md"
TFA = "sign-in-and-security/two-factor-authentication.md"
REFUND = "invoices-and-refunds/refund-policy.md"
DISPUTE = "agent-playbooks/escalating-refund-disputes.md"
DRAFT = "invoices-and-refunds/new-invoice-layout.md"


def kb(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(main, list(args))
    assert "Traceback" not in done.output
    return done.exit_code, done.output


def new_kb(root: Path, languages: str = "en,fr") -> GitRepo:
    assert kb("init", str(root), "--languages", languages)[0] == 0
    return GitRepo(root)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("zendesk") / "help"
    repo = new_kb(root)
    code, output = kb("--root", str(root), "import", "zendesk", str(SAMPLE), "--report", str(root / "report.json"))
    assert code == 0, output
    repo.commit("Import from Zendesk")
    return root


def test_round_trip_lint_build_and_search(imported: Path) -> None:
    code, output = kb("--root", str(imported), "lint", "--strict")
    assert code == 0, output
    code, output = kb("--root", str(imported), "build", "--strict")
    assert code == 0, output
    code, output = kb("--root", str(imported), "search", "mot de passe oublié", "--lang", "fr", "--json")
    assert code == 0, output
    hits = [hit["path"] for hit in json.loads(output)["hits"]]
    assert f"fr/{RESET}" in hits
    code, output = kb("--root", str(imported), "search", "ledger query", "--json")
    assert f"en/{DISPUTE}" in [hit["path"] for hit in json.loads(output)["hits"]]


def test_locales_map_to_language_folders_with_shared_ids(imported: Path) -> None:
    en = (imported / "content/en" / RESET).read_text()
    fr = (imported / "content/fr" / RESET).read_text()
    assert "id: how-do-i-reset-my-password" in en and "id: how-do-i-reset-my-password" in fr
    assert "title: Comment réinitialiser mon mot de passe ?" in fr
    # The "show article" shape with a sideloaded translation
    assert "title: Politique de remboursement" in (imported / "content/fr" / REFUND).read_text()


@pytest.mark.parametrize(
    ("rel", "lang", "expected"),
    [
        (RESET, "en", "1.  Open [the sign-in page](https://app.acme.example/login)."),  # ordered list, link
        (RESET, "en", "    -   The link expires after *one hour*."),  # nested list, 4 spaces for the renderer
        (RESET, "en", "| Attempts | Lock |\n| --- | --- |\n| 5 | 15 minutes |"),  # table with its header
        (RESET, "en", "![The Forgot password link](https://acme.zendesk.com/hc/article_attachments/4410001/"),
        (RESET, "en", "!!! warning\n    Never share your password"),  # callout box
        (RESET, "en", "[two-factor authentication](two-factor-authentication.md#h_01H2FAON)"),  # link + anchor
        (RESET, "fr", "[double authentification](two-factor-authentication.md#h_01H2FAON)"),  # full URL form
        (TFA, "en", "## Turn on two-factor authentication {#h_01H2FAON}"),  # heading id kept for anchors
        (TFA, "en", "!!! tip\n    Keep your recovery codes"),
        (TFA, "en", "[▶ Video](https://www.youtube.com/embed/dQw4w9WgXcQ)"),  # embedded video as a link
        (TFA, "fr", "[Comment réinitialiser mon mot de passe ?](how-do-i-reset-my-password.md)"),  # id-only URL
        (REFUND, "en", "Agents: follow the dispute playbook."),
        (
            REFUND,
            "en",
            "(fees apply; see [the windows](#h_01HWINDOW))",
        ),  # an <a name> target is no heading  # public page: link to internal page removed
        (REFUND, "en", "[Legacy plans](https://acme.zendesk.com/hc/en-us/articles/999999-Legacy-plans)"),
        (DISPUTE, "en", "```sql\n    SELECT * FROM charges"),  # code block with its language
        (DISPUTE, "en", "[Refund policy](../invoices-and-refunds/refund-policy.md)"),  # across categories
    ],
)
def test_body_html_becomes_clean_markdown(imported: Path, rel: str, lang: str, expected: str) -> None:
    text = (imported / "content" / lang / rel).read_text()
    assert expected in text, text
    assert "<" not in text.replace("<br>", "")  # no raw HTML left


@pytest.mark.parametrize(
    ("rel", "lines"),
    [
        (DISPUTE, ["audience: internal", "status: published", "category: agent-playbooks", "tags: [refund]"]),
        (DRAFT, ["audience: public", "status: draft"]),
        (RESET, ["audience: public", "tags: [password, sign-in]", "order: 1", "owner: support"]),
        (TFA, ["order: 2", "aliases: [hc/en-us/articles/360002-Two-factor-authentication, hc/en-us/articles/360002]"]),
    ],
)
def test_front_matter_maps_the_article(imported: Path, rel: str, lines: list[str]) -> None:
    text = (imported / "content/en" / rel).read_text()
    for line in lines:
        assert f"\n{line}\n" in text, text


def test_sections_become_categories_with_labels_per_language(imported: Path) -> None:
    taxonomy = (imported / "content/taxonomy.yml").read_text()
    assert taxonomy.startswith("# Taxonomy of this knowledge base")  # the comment block is kept
    assert "label: {en: Sign-in and security, fr: Connexion et sécurité}" in taxonomy
    assert "label: {en: Invoices and refunds, fr: Factures et remboursements}" in taxonomy
    playbooks = taxonomy[taxonomy.index("agent-playbooks:") :]
    assert "audience: internal" in playbooks.split("\n  ")[4]  # only agents could see the section
    assert taxonomy.index("sign-in-and-security:") < taxonomy.index("invoices-and-refunds:")  # help-center order


def test_report_lists_what_needs_a_persons_eye(imported: Path) -> None:
    report = json.loads((imported / "report.json").read_text())
    assert report["counts"]["articles"] == 5 and report["counts"]["translations"] == 3
    notes = {(page["path"], note["kind"]) for page in report["pages"] for note in page["notes"]}
    assert (f"content/fr/{TFA}", "outdated-translation") in notes
    assert (f"content/en/{DRAFT}", "draft") in notes
    assert (f"content/en/{REFUND}", "link-removed") in notes
    assert (f"content/en/{REFUND}", "unresolved-link") in notes
    assert (f"content/en/{RESET}", "remote-image") in notes
    assert (f"content/en/{REFUND}", "anchor-dropped") in notes
    general = [note["message"] for note in report["general"] if note["kind"] == "label-missing"]
    assert general == ["category 'agent-playbooks' has no fr name: its en label is used"]


def test_old_urls_redirect_on_the_sites_that_publish_the_page(imported: Path) -> None:
    site = imported / "site"
    if not (site / "public").exists():
        assert kb("--root", str(imported), "build")[0] == 0
    for alias, target in [
        ("hc/en-us/articles/360001-How-do-I-reset-my-password", "sign-in-and-security/how-do-i-reset-my-password/"),
        ("hc/fr/articles/360002", "fr/sign-in-and-security/two-factor-authentication/"),
    ]:
        html = (site / "public" / alias / "index.html").read_text()
        assert f'url=../../../../{target}"' in html
    assert not (site / "public/hc/en-us/articles/360004").exists()  # agent-only
    assert (site / "internal/hc/en-us/articles/360004/index.html").exists()
    assert not (site / "public/hc/en-us/articles/360005").exists()  # a draft is not built


def test_importing_again_changes_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    root = tmp_path / "help"
    new_kb(root)
    kb("--root", str(root), "import", "zendesk", str(SAMPLE))
    files = sorted(p.relative_to(root).as_posix() for p in (root / "content").rglob("*"))
    texts = {p: (root / p).read_text() for p in files if p.endswith((".md", ".yml"))}
    code, output = kb("--root", str(root), "import", "zendesk", str(SAMPLE))
    assert code == 0 and "0 created, 0 updated, 8 unchanged" in output, output
    assert sorted(p.relative_to(root).as_posix() for p in (root / "content").rglob("*")) == files
    assert {p: (root / p).read_text() for p in texts} == texts


def _renamed_export(tmp_path: Path) -> Path:
    """The sample with article 360003 retitled and its body changed, as a later export would have it."""
    export = tmp_path / "export2"
    if export.exists():
        return export
    shutil.copytree(SAMPLE, export)
    for path in export.glob("*.json"):
        text = (
            path.read_text().replace("Refund policy", "Refunds: our policy").replace("within 30 days", "within 45 days")
        )
        path.write_text(text)
    return export


def test_a_changed_article_is_updated_in_place(tmp_path: Path) -> None:
    root = tmp_path / "help"
    new_kb(root)
    kb("--root", str(root), "import", "zendesk", str(SAMPLE))
    code, output = kb("--root", str(root), "import", "zendesk", str(_renamed_export(tmp_path)))
    # The retitled article, and the playbook whose link text names it
    assert code == 0 and "0 created, 2 updated" in output, output
    text = (root / "content/en" / REFUND).read_text()  # same path and id despite the new title
    assert "title: 'Refunds: our policy'" in text and "id: refund-policy" in text and "45 days" in text
    assert len(list((root / "content/en/invoices-and-refunds").glob("*.md"))) == 2


def test_an_article_edited_after_the_import_is_left_alone_and_named(tmp_path: Path) -> None:
    root = tmp_path / "help"
    new_kb(root)
    kb("--root", str(root), "import", "zendesk", str(SAMPLE))
    edited = root / "content/en" / REFUND
    edited.write_text(edited.read_text().replace("You can ask", "Writer's edit: you can ask"))
    code, output = kb("--root", str(root), "import", "zendesk", str(_renamed_export(tmp_path)))
    assert code == 0
    assert f"left alone (edited since the last import; --force to overwrite): content/en/{REFUND}" in output
    assert "Writer's edit" in edited.read_text()
    assert "45 jours" not in edited.read_text()
    code, output = kb("--root", str(root), "import", "zendesk", str(_renamed_export(tmp_path)), "--force")
    assert code == 0 and "Writer's edit" not in edited.read_text() and "45 days" in edited.read_text()


def test_a_french_only_help_center(tmp_path: Path) -> None:
    """A team whose help center is French first: kb init --languages fr, then the import, lint and build."""
    root = tmp_path / "aide"
    repo = new_kb(root, "fr")
    code, output = kb("--root", str(root), "import", "zendesk", str(SAMPLE), "--report", str(root / "r.md"))
    assert code == 0, output
    assert sorted(p.name for p in (root / "content").iterdir()) == ["fr", "taxonomy.yml"]
    # Ids, paths and categories come from the French text now: French is the source language
    text = (root / "content/fr/connexion-et-securite/comment-reinitialiser-mon-mot-de-passe.md").read_text()
    assert "title: Comment réinitialiser mon mot de passe ?" in text
    taxonomy = (root / "content/taxonomy.yml").read_text()
    assert "label: {fr: Connexion et sécurité}" in taxonomy and "en:" not in taxonomy
    assert "no-source-version" in (root / "r.md").read_text()  # English-only articles are named, not lost
    assert "skipped-locale" in (root / "r.md").read_text()
    repo.commit("Import")
    assert kb("--root", str(root), "lint", "--strict")[0] == 0
    code, output = kb("--root", str(root), "build", "--strict")
    assert code == 0, output
    html = (root / "site/public/connexion-et-securite/comment-reinitialiser-mon-mot-de-passe/index.html").read_text()
    assert '<html lang="fr"' in html and "md-select__list" not in html


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("broken.json", '{"articles": [', "broken.json:1: not valid JSON"),
        ("list.json", "[1, 2]", "expected a JSON object"),
        ("latin1.json", b'{"articles": [{"title": "caf\xe9"}]}', "not UTF-8"),
        ("shape.json", '{"articles": {"id": 1}}', "'articles' must be a list"),
    ],
)
def test_a_bad_export_is_a_clean_error_and_writes_nothing(
    tmp_path: Path, name: str, text: str | bytes, says: str
) -> None:
    root = tmp_path / "help"
    new_kb(root)
    export = tmp_path / "export"
    shutil.copytree(SAMPLE, export)
    (export / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    code, output = kb("--root", str(root), "import", "zendesk", str(export))
    assert code == 1 and says in output, output
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("rel", ["../../../outside.md", "/tmp/outside.md", "a/../../b.md", "x.txt"])
def test_an_altered_import_record_never_writes_outside_content(tmp_path: Path, rel: str) -> None:
    """.kb-import/ is a file of the repository: a pull request may change it; its paths are checked."""
    root = tmp_path / "help"
    new_kb(root)
    kb("--root", str(root), "import", "zendesk", str(SAMPLE))
    record_file = root / ".kb-import/zendesk.json"
    records = json.loads(record_file.read_text())
    records["zendesk:360003:en"]["rel"] = rel
    record_file.write_text(json.dumps(records))
    (root / "content/en" / REFUND).unlink()
    code, output = kb("--root", str(root), "import", "zendesk", str(SAMPLE))
    assert code == 0, output
    assert not (tmp_path / "outside.md").exists() and not Path("/tmp/outside.md").exists()
    assert (root / "content/en" / REFUND).is_file()  # the bad record was ignored: written at its own path


def test_a_long_import_shows_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """On a terminal the import draws click's progress bar on stderr; redirected, its output stays clean."""
    import os
    import pty
    import subprocess
    import sys

    root = tmp_path / "help"
    new_kb(root)
    command = [sys.executable, "-m", "kbtools", "--root", str(root), "import", "zendesk", str(SAMPLE)]
    leader, follower = pty.openpty()
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=follower, timeout=120)
    os.close(follower)
    drawn = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        drawn += chunk
    os.close(leader)
    assert done.returncode == 0
    assert b"Converting" in drawn and b"100%" in drawn
    assert b"Converting" not in done.stdout
    redirected = subprocess.run(command, capture_output=True, timeout=120)
    assert b"Converting" not in redirected.stderr + redirected.stdout
