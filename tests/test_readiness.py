"""kb readiness --lang (a market's launch gate) and kb translations scaffold (its work list), on a real git tree
with a half-translated Spanish and a real SQLite event store."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import TODAY, MiniKB, add_language, page
from gitrepo import GitRepo

from kbtools.cli import main
from kbtools.model.project import KnowledgeBase
from kbtools.model.site_strings import declared_keys
from kbtools.workflows.lint import lint
from kbtools.workflows.scaffold import TRANSLATION_MARKER

MACRO = dict(type="macro", audience="internal", category="billing", owner="billing")
MACRO_EXTRA = "actions: {status: solved}\n"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _billing_speaks(kb: MiniKB, languages: str) -> None:
    taxonomy = kb.root / "content" / "taxonomy.yml"
    text = taxonomy.read_text(encoding="utf-8")
    queue = "  billing-l2:\n    name: Billing L2\n"
    text = text.replace(queue, f"{queue}    languages: {languages}\n")
    taxonomy.write_text(text, encoding="utf-8")


@pytest.fixture
def half_spanish(mini_kb: MiniKB) -> tuple[MiniKB, dict[str, str]]:
    """Counted by hand, for es:
    - public articles a, b, c, d (the internal article, the SOP and the draft do not count): a and b translated
      (c only as a draft): 2/4; by English views (a 60, b 20, c 15, d 5): 80/100;
    - macros m1, m2: m1 translated: 1/2;
    - translations up to date: a and m1; b's source changed after its source_commit: 2/3;
    - case reasons: card/declined -> tier1 (every language), payment/refund-request -> billing-l2 (en, fr): 1/2;
    - taxonomy labels: 3 categories + 2 case reasons + 2 sub-reasons in es, the 2 tags not: 7/9;
    - interface strings: kb ships Spanish: all of them.
    Score (the average): (50 + 50 + 66.67 + 50 + 77.78 + 100) / 6 = 65.7; with the views, 80 for the
    articles: 70.7.
    """
    kb = mini_kb
    add_language(kb, "es", "Español")
    _billing_speaks(kb, "[en, fr]")
    for name in "abc":
        kb.write(f"en/cards/{name}.md", page(name, f"Page {name}"))
    kb.write("en/billing/d.md", page("d", "Page d", category="billing", owner="billing"))
    kb.write("en/cards/agents.md", page("agents", "Agents only", audience="internal"))
    kb.write("en/cards/unfinished.md", page("unfinished", "Unfinished", status="draft"))
    kb.write("en/playbooks/sop.md", page("sop", "SOP", type="sop", audience="internal", category="playbooks"))
    for name in ("m1", "m2"):
        kb.write(f"en/billing/{name}.md", page(name, f"Macro {name}", **MACRO, extra=MACRO_EXTRA))
    repo = GitRepo(kb.root)
    commits = {"first": repo.commit("English pages", date="2026-03-02T09:00:00+00:00")}
    recorded = commits["first"][:12]
    kb.write("es/cards/a.md", page("a", "Página a", source_commit=recorded))
    kb.write("es/cards/b.md", page("b", "Página b", source_commit=recorded))
    kb.write("es/cards/c.md", page("c", "Página c", status="draft", source_commit=recorded))
    kb.write("es/billing/m1.md", page("m1", "Macro m1", **MACRO, extra=MACRO_EXTRA, source_commit=recorded))
    commits["spanish"] = repo.commit("Spanish pages", date="2026-03-05T09:00:00+00:00")
    kb.write("en/cards/b.md", page("b", "Page b", body="Better text.\n"))
    kb.write("en/billing/d.md", page("d", "Page d", category="billing", owner="billing", body="New text.\n"))
    commits["edit"] = repo.commit("Edit b and d", date="2026-04-02T09:00:00+00:00")
    return kb, commits


def _views_database(tmp_path: Path) -> str:
    from kbtools.analytics.store import connect, insert_events, migrate

    url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    engine = connect(url)  # the event store exactly as the service creates and fills it
    migrate(engine)

    def views(article: str, count: int, lang: str = "en") -> list[dict]:
        row = {"type": "view", "article": article, "lang": lang, "site": "public"}
        when = datetime(2026, 11, 20, 12, tzinfo=UTC)
        return [{**row, "session": f"{article}{n}", "created_at": when} for n in range(count)]

    with engine.begin() as connection:
        insert_events(connection, views("a", 60) + views("b", 20) + views("c", 15) + views("d", 5))
        insert_events(connection, views("d", 500, lang="es"))  # the source's views weigh, not the translation's
        insert_events(connection, views("m2", 1000))  # macros are counted, not weighted
    engine.dispose()
    return url


def _report(kb: MiniKB, *args: str) -> Result:
    return run("--root", str(kb.root), "readiness", "--lang", "es", "--today", TODAY.isoformat(), *args)


def _checks(result: Result) -> dict[str, tuple[int, int, float | None]]:
    data = json.loads(result.stdout)
    return {check["name"]: (check["done"], check["total"], check["percent"]) for check in data["checks"]}


# The interface strings kb declares (kbtools/strings/en.yml): the strings check counts every one
STRING_KEYS = len(declared_keys())

HAND_COUNTED = {
    "Articles translated": (2, 4, 50.0),
    "Macros translated": (1, 2, 50.0),
    "Translations up to date": (2, 3, 66.7),
    "Case reasons routed to a queue in the language": (1, 2, 50.0),
    "Taxonomy labels": (7, 9, 77.8),
    "Interface strings": (STRING_KEYS, STRING_KEYS, 100.0),
}


def test_readiness_of_a_half_translated_language_counted_by_hand(
    half_spanish: tuple[MiniKB, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb, _ = half_spanish
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    result = _report(kb, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert _checks(result) == HAND_COUNTED
    assert data["score"] == 65.7
    assert data["launched"] is True and data["lang"] == "es"
    assert data["weights"].startswith("pages counted, not weighted")
    missing = {check["name"]: check["missing"] for check in data["checks"]}
    assert missing["Articles translated"] == ["en/billing/d.md", "en/cards/c.md"]  # the draft is work to do
    assert missing["Macros translated"] == ["en/billing/m2.md"]
    assert missing["Translations up to date"] == ["es/cards/b.md: outdated"]
    assert missing["Case reasons routed to a queue in the language"] == ["payment/refund-request -> billing-l2"]
    assert missing["Taxonomy labels"] == ["tags.refund", "tags.card-limits"]
    assert missing["Interface strings"] == []


def test_readiness_weighs_articles_by_their_source_views(
    half_spanish: tuple[MiniKB, dict[str, str]], tmp_path: Path
) -> None:
    kb, _ = half_spanish
    url = _views_database(tmp_path)
    result = _report(kb, "--format", "json", "--database", url)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    articles = next(check for check in data["checks"] if check["name"] == "Articles translated")
    assert (articles["done"], articles["total"], articles["percent"], articles["weighted_by_views"]) == (
        2,
        4,
        80.0,
        True,
    )
    macros = next(check for check in data["checks"] if check["name"] == "Macros translated")
    assert (macros["percent"], macros["weighted_by_views"]) == (50.0, False)
    assert data["score"] == 70.7
    assert data["weights"] == "help-center pages weighted by their en views: views of the last 90 days"
    text = _report(kb, "--database", url)
    assert "Articles translated" in text.stdout and "2/4 (80 of 100 views)" in text.stdout
    assert "weighted by their en views" in text.stdout.splitlines()[0]


def test_readiness_says_when_the_views_cannot_be_read(
    half_spanish: tuple[MiniKB, dict[str, str]], tmp_path: Path
) -> None:
    kb, _ = half_spanish
    result = _report(kb, "--format", "md", "--database", f"sqlite:///{tmp_path / 'missing.sqlite3'}")
    assert result.exit_code == 0, result.output
    assert "Score **65.7%**" in result.stdout
    assert "pages counted, not weighted: the service database" in result.stdout
    assert "does not exist" in result.stdout
    assert "| Articles translated | 2/4 | 50.0% |" in result.stdout
    assert "- [ ] `en/billing/m2.md`" in result.stdout


@pytest.mark.parametrize(
    ("threshold", "views", "exit_code"),
    [("65", False, 0), ("65.7", False, 0), ("65.8", False, 1), ("70.7", True, 0), ("71", True, 1), ("100", True, 1)],
)
def test_min_score_gates_a_launch(
    half_spanish: tuple[MiniKB, dict[str, str]], tmp_path: Path, threshold: str, views: bool, exit_code: int
) -> None:
    kb, _ = half_spanish
    database = ["--database", _views_database(tmp_path)] if views else ["--database", f"sqlite:///{tmp_path}/none"]
    result = _report(kb, "--min-score", threshold, *database)
    assert result.exit_code == exit_code, result.output
    if exit_code:
        assert f"under the required {float(threshold):g}%" in result.stderr
    assert "Traceback" not in result.output


def test_readiness_of_a_declared_language_with_no_content_yet(mini_kb: MiniKB) -> None:
    add_language(mini_kb, "de", "Deutsch")  # a language kb ships no strings for: the team's file gives two
    mini_kb.write("strings/de.yml", "home: Startseite\nsearch: Suche\n")
    mini_kb.write("en/cards/a.md", page("a"))
    GitRepo(mini_kb.root).commit("English")
    result = run("--root", str(mini_kb.root), "readiness", "--lang", "de", "--format", "json")
    assert result.exit_code == 0, result.output
    checks = _checks(result)
    assert checks["Articles translated"] == (0, 1, 0.0)
    assert checks["Translations up to date"] == (0, 0, None)  # nothing to count: left out of the score
    assert checks["Interface strings"] == (2, STRING_KEYS, round(200 / STRING_KEYS, 1))
    missing = next(c["missing"] for c in json.loads(result.stdout)["checks"] if c["name"] == "Interface strings")
    assert missing[:2] == ["home_intro", "home.search"] and "search" not in missing
    # articles 0, routing 100, labels 7/9, strings 2 of all
    assert json.loads(result.stdout)["score"] == round((0 + 100 + 700 / 9 + 200 / STRING_KEYS) / 4, 1)


@pytest.mark.parametrize(
    ("lang", "says"),
    [("pt", "'pt' is not a language taxonomy.yml declares (en, fr)"), ("en", "en is the source language")],
)
@pytest.mark.parametrize("command", [["readiness"], ["translations", "scaffold"]])
def test_an_undeclared_or_source_language_is_a_clear_error(
    mini_kb: MiniKB, lang: str, says: str, command: list[str]
) -> None:
    result = run("--root", str(mini_kb.root), *command, "--lang", lang)
    assert result.exit_code == 1
    assert says in result.output and "Traceback" not in result.output


# kb translations scaffold ------------------------------------------------------------------------------------


def _front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def test_scaffold_writes_a_draft_of_every_page_a_market_needs(half_spanish: tuple[MiniKB, dict[str, str]]) -> None:
    kb, commits = half_spanish
    before = {path: path.read_text(encoding="utf-8") for path in (kb.root / "content" / "es").rglob("*.md")}
    listed = run("--root", str(kb.root), "translations", "scaffold", "--lang", "es", "--dry-run")
    assert listed.exit_code == 0, listed.output
    work = [line.split()[0] for line in listed.stdout.splitlines()]
    assert work == ["content/es/billing/d.md", "content/es/billing/m2.md"]  # c has a draft, a b m1 translations
    assert "would write 2 drafts in es" in listed.stderr
    assert not (kb.root / "content/es/billing/d.md").exists()  # a dry run writes nothing

    written = run("--root", str(kb.root), "translations", "scaffold", "--lang", "es")
    assert written.exit_code == 0, written.output
    assert [line.split()[0] for line in written.stdout.splitlines()] == work
    for rel, last in (("billing/d.md", commits["edit"]), ("billing/m2.md", commits["first"])):
        source, source_body = _front_matter(kb.root / "content/en" / rel)
        draft, draft_body = _front_matter(kb.root / "content/es" / rel)
        assert draft == {**source, "status": "draft", "source_commit": last[:12]}
        assert draft_body == f"\n{TRANSLATION_MARKER}\n\n{source_body.lstrip()}"
    # Never overwritten: the translations and the existing draft are as they were
    assert all(path.read_text(encoding="utf-8") == text for path, text in before.items())

    again = run("--root", str(kb.root), "translations", "scaffold", "--lang", "es")
    assert again.exit_code == 0 and again.stdout == "" and "wrote 0 drafts in es" in again.stderr

    # Drafts are lint-clean and count as work still to do
    report = lint(KnowledgeBase(kb.root), today=TODAY)
    assert report.errors == []
    checks = _checks(_report(kb, "--format", "json", "--database", "sqlite:///none"))
    assert checks["Articles translated"][:2] == (2, 4) and checks["Macros translated"][:2] == (1, 2)


@pytest.mark.parametrize("where", ["first line", "after a translated paragraph"])
def test_publishing_a_draft_still_marked_for_translation_is_a_lint_error(
    half_spanish: tuple[MiniKB, dict[str, str]], where: str
) -> None:
    kb, _ = half_spanish
    assert run("--root", str(kb.root), "translations", "scaffold", "--lang", "es").exit_code == 0
    path = kb.root / "content/es/billing/d.md"
    text = path.read_text(encoding="utf-8").replace("status: draft", "status: published")
    if where != "first line":
        text = text.replace(TRANSLATION_MARKER, f"Texto traducido.\n\n{TRANSLATION_MARKER}")
    path.write_text(text, encoding="utf-8")
    found = [f for f in lint(KnowledgeBase(kb.root), today=TODAY).findings if f.rule == "scaffold-text"]
    line = text.split("\n").index(TRANSLATION_MARKER) + 1
    assert [(f.path.name, f.line) for f in found] == [("d.md", line)]
    assert "still marked for translation" in found[0].message


@pytest.mark.parametrize("launched", [True, False])
def test_lint_leaves_a_market_in_preparation_to_readiness(
    half_spanish: tuple[MiniKB, dict[str, str]], launched: bool
) -> None:
    kb, _ = half_spanish
    taxonomy = kb.root / "content" / "taxonomy.yml"
    text = taxonomy.read_text(encoding="utf-8")
    taxonomy.write_text(
        text.replace("    name: Español\n", f"    name: Español\n    launched: {str(launched).lower()}\n")
    )
    kb.write("es/cards/a.md", page("a", "Página a", body="[d](../billing/d.md)\n"))  # d is not in Spanish yet
    found = lint(KnowledgeBase(kb.root), today=TODAY).findings
    spanish = sorted(
        (f.rule, f.message)
        for f in found
        if f.rule in ("missing-translation", "untranslated-link") and "es" in f.message
    )
    if launched:
        assert ("missing-translation", "no Español translation (es/billing/d.md)") in spanish
        assert ("untranslated-link", "link '../billing/d.md': billing/d.md has no es translation yet") in spanish
    else:
        assert spanish == []
        data = json.loads(_report(kb, "--format", "json", "--database", "sqlite:///none").stdout)
        assert data["launched"] is False
        assert "en/billing/d.md" in data["checks"][0]["missing"]


@pytest.mark.parametrize(
    ("value", "says"),
    [("[en, pt]", "list declared languages (en, fr, es)"), ("es", "list declared languages"), ("yes", "")],
)
def test_queue_languages_and_launched_are_checked(mini_kb: MiniKB, value: str, says: str) -> None:
    add_language(mini_kb, "es", "Español")
    if says:
        _billing_speaks(mini_kb, value)
        key = "queues.billing-l2.languages"
    else:
        taxonomy = mini_kb.root / "content" / "taxonomy.yml"
        text = taxonomy.read_text(encoding="utf-8")
        taxonomy.write_text(text.replace("    name: Español\n", f"    name: Español\n    launched: {value}x\n"))
        key, says = "languages.2.launched", "true or false"
    found = [f for f in lint(KnowledgeBase(mini_kb.root), today=TODAY).findings if f.rule == "taxonomy-file"]
    assert [(f.key, says in f.message) for f in found] == [(key, True)]
    assert found[0].line > 1
