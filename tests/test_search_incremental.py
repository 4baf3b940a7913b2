"""Incremental indexing: a build after a change rewrites only the changed pages, and its index answers every
query as a full rebuild of the same content does (hits, totals, snippets, corrections, for both audiences)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MINI_TAXONOMY, MiniKB, page
from gitrepo import GitRepo

from kbtools.cli import main
from kbtools.model.project import KnowledgeBase
from search import BuildReport, Searcher, build_index

PROBES = [
    ("card", None),
    ("refund", None),
    ("zebra", None),
    ("giraffe", None),
    ("moved", None),
    ("escalate", None),
    ("carte refusée", "fr"),
    ("remboursement", "fr"),
    ("refnud", "en"),  # a typo: corrections come from the vocabulary the changes update
    ("giraffs", "en"),
    ("zebar", "en"),
    ("declined", "en"),
]


def _start(kb: MiniKB) -> None:
    kb.both(
        "cards/declined.md",
        page("declined", "Card declined", body="The card was declined at the shop.\n", keywords="[refused card]"),
        page("declined", "Carte refusée", body="La carte a été refusée au magasin.\n"),
    )
    kb.both(
        "cards/refund.md",
        page("refund", "Refund a payment", body="Ask for a refund of a card payment.\n"),
        page("refund", "Rembourser un paiement", body="Demandez le remboursement d'un paiement.\n"),
    )
    kb.write("en/cards/zebra.md", page("zebra", "Zebra cards", body="Striped zebra cards for the team.\n"))
    kb.write(
        "en/playbooks/escalate.md",
        page("escalate", "Escalate a dispute", body="Escalate the refund dispute.\n", category="playbooks"),
    )
    kb.write(
        "en/cards/notes.md",
        page("notes", "Card notes", body='Public text.\n\n!!! agent "Agent notes"\n    Escalate the giraffe case.\n'),
    )


def _change_body(kb: MiniKB) -> None:
    kb.write("en/cards/zebra.md", page("zebra", "Zebra cards", body="Giraffe cards now, no more stripes.\n"))


def _add(kb: MiniKB) -> None:
    kb.write("en/cards/giraffe.md", page("giraffe", "Giraffe cards", body="Tall giraffe cards.\n"))


def _delete(kb: MiniKB) -> None:
    (kb.root / "content/en/cards/zebra.md").unlink()


def _rename(kb: MiniKB) -> None:
    (kb.root / "content/en/cards/zebra.md").rename(kb.root / "content/en/cards/moved-zebra.md")


def _make_internal(kb: MiniKB) -> None:
    kb.write("en/cards/zebra.md", page("zebra", "Zebra cards", body="Striped zebra cards.\n", audience="internal"))


def _unpublish_translation(kb: MiniKB) -> None:
    # The French page goes: the English one is now shown on the French site too (a fallback).
    (kb.root / "content/fr/cards/refund.md").unlink()


def _agent_note(kb: MiniKB) -> None:
    kb.write(
        "en/cards/notes.md",
        page("notes", "Card notes", body='Public text.\n\n!!! agent "Agent notes"\n    Now about zebra cases.\n'),
    )


EDITS: dict[str, tuple[Callable[[MiniKB], None], int, int]] = {
    # edit -> (the change, pages indexed again, pages removed) in the internal index
    "changed": (_change_body, 1, 0),
    "added": (_add, 1, 0),
    "deleted": (_delete, 0, 1),
    "renamed": (_rename, 1, 1),
    "made internal": (_make_internal, 1, 0),
    "translation removed": (_unpublish_translation, 1, 1),  # the English page is now shown in French too
    "agent note changed": (_agent_note, 1, 0),
}


def _answers(index_dir: Path) -> list[object]:
    found: list[object] = []
    with Searcher(index_dir) as searcher:
        for text, lang in PROBES:
            for audience in ("public", "internal"):
                results = searcher.query(text, audience=audience, lang=lang)
                found.append(
                    (
                        text,
                        audience,
                        results.total,
                        results.suggestion,
                        [(hit.path, hit.url, hit.snippet.text, hit.snippet.agent) for hit in results.hits],
                    )
                )
    return found


def _full_rebuild_answers(kb: MiniKB, tmp_path: Path) -> list[object]:
    folder = tmp_path / "full"
    build_index(KnowledgeBase.at(kb.root), folder, full=True)
    return _answers(folder)


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_update_indexes_only_what_changed_and_answers_as_a_full_rebuild(
    mini_kb: MiniKB, tmp_path: Path, edit: str
) -> None:
    change, written, removed = EDITS[edit]
    _start(mini_kb)
    kb = KnowledgeBase.at(mini_kb.root)
    index_dir = mini_kb.root / "var" / "search"
    first = build_index(kb, index_dir)
    assert not first.incremental and first.written == first.documents
    change(mini_kb)
    report: BuildReport = build_index(kb, index_dir)
    assert report.incremental
    assert (report.written, report.removed) == (written, removed)
    assert _answers(index_dir) == _full_rebuild_answers(mini_kb, tmp_path)


def test_nothing_changed_indexes_nothing(mini_kb: MiniKB) -> None:
    _start(mini_kb)
    kb = KnowledgeBase.at(mini_kb.root)
    index_dir = mini_kb.root / "var" / "search"
    build_index(kb, index_dir)
    before = _answers(index_dir)
    report = build_index(kb, index_dir)
    assert report.incremental and (report.written, report.removed) == (0, 0)
    assert report.documents == 7
    assert _answers(index_dir) == before


def test_a_commit_reindexes_the_pages_it_changed(mini_kb: MiniKB, tmp_path: Path) -> None:
    """A page's version (its last commit) is part of what is indexed: a commit reindexes its pages only."""
    _start(mini_kb)
    repo = GitRepo(mini_kb.root)
    repo.commit("start")
    kb = KnowledgeBase.at(mini_kb.root)
    index_dir = mini_kb.root / "var" / "search"
    build_index(kb, index_dir)
    _change_body(mini_kb)
    repo.commit("giraffes")
    report = build_index(kb, index_dir)
    assert report.incremental and (report.written, report.removed) == (1, 0)
    with Searcher(index_dir) as searcher:
        (hit,) = searcher.query("giraffe", audience="public").hits
    assert hit.version == repo.git("rev-parse", "--short", "HEAD")
    assert _answers(index_dir) == _full_rebuild_answers(mini_kb, tmp_path)


def _synonyms(kb: MiniKB) -> None:
    kb.write("synonyms.yml", "en:\n  horse: [zebra]\n")


def _taxonomy(kb: MiniKB) -> None:
    (kb.root / "content/taxonomy.yml").write_text(
        MINI_TAXONOMY.replace("refund: {en: Refund, fr: Remboursement}", "refund: {en: Money back, fr: Remboursement}"),
        encoding="utf-8",
    )


@pytest.mark.parametrize("change", [_synonyms, _taxonomy], ids=["synonyms", "taxonomy"])
def test_a_changed_synonym_list_or_taxonomy_indexes_every_page(
    mini_kb: MiniKB, tmp_path: Path, change: Callable[[MiniKB], None]
) -> None:
    _start(mini_kb)
    kb = KnowledgeBase.at(mini_kb.root)
    index_dir = mini_kb.root / "var" / "search"
    build_index(kb, index_dir)
    change(mini_kb)
    report = build_index(kb, index_dir)
    assert not report.incremental and report.written == report.documents == 7
    assert _answers(index_dir) == _full_rebuild_answers(mini_kb, tmp_path)


def test_many_deletions_start_afresh(mini_kb: MiniKB) -> None:
    """Whoosh counts deleted page versions in its statistics until segments merge: past a share, rebuild."""
    _start(mini_kb)
    kb = KnowledgeBase.at(mini_kb.root)
    index_dir = mini_kb.root / "var" / "search"
    build_index(kb, index_dir)
    updates = []
    for round in range(4):
        mini_kb.write("en/cards/zebra.md", page("zebra", "Zebra cards", body=f"Version {round} of the stripes.\n"))
        updates.append(build_index(kb, index_dir).incremental)
    assert updates[0] and not all(updates)


def test_the_previous_generation_is_left_whole(mini_kb: MiniKB) -> None:
    """An update starts from the live index's files: the generation readers still use is never changed."""
    _start(mini_kb)
    kb = KnowledgeBase.at(mini_kb.root)
    index_dir = mini_kb.root / "var" / "search"
    first = build_index(kb, index_dir)
    reader = Searcher(index_dir)
    assert [hit.id for hit in reader.query("zebra").hits] == ["zebra"]
    snapshot = {path.name: path.read_bytes() for path in first.generation.rglob("*") if path.is_file()}
    _change_body(mini_kb)
    build_index(kb, index_dir)
    assert {path.name: path.read_bytes() for path in first.generation.rglob("*") if path.is_file()} == snapshot
    assert [hit.id for hit in reader.query("giraffe").hits] == ["zebra"]  # the reader follows the update


@pytest.mark.parametrize("damage", ["manifest removed", "manifest garbled"])
def test_a_missing_or_damaged_manifest_means_a_full_rebuild(mini_kb: MiniKB, damage: str) -> None:
    _start(mini_kb)
    kb = KnowledgeBase.at(mini_kb.root)
    index_dir = mini_kb.root / "var" / "search"
    first = build_index(kb, index_dir)
    manifest = first.generation / "manifest.json"
    if damage == "manifest removed":
        manifest.unlink()
    else:
        manifest.write_text('{"basis": 3', encoding="utf-8")
    _change_body(mini_kb)
    report = build_index(kb, index_dir)
    assert not report.incremental and report.written == 7
    with Searcher(index_dir) as searcher:
        assert [hit.id for hit in searcher.query("giraffe").hits] == ["zebra"]


def test_kb_index_says_what_it_updated_and_full_rebuilds(mini_kb: MiniKB) -> None:
    _start(mini_kb)
    runner = CliRunner()
    first = runner.invoke(main, ["--root", str(mini_kb.root), "index"], catch_exceptions=False)
    assert first.output.startswith("Indexed 7 pages in ")
    _add(mini_kb)
    update = runner.invoke(main, ["--root", str(mini_kb.root), "index"], catch_exceptions=False)
    assert update.exit_code == 0, update.output
    assert update.output.startswith("Updated the index of 8 pages in ")
    assert "(1 indexed again, 0 removed;" in update.output
    full = runner.invoke(main, ["--root", str(mini_kb.root), "index", "--full"], catch_exceptions=False)
    assert full.output.startswith("Indexed 8 pages in ")


def test_kb_build_updates_the_search_index_with_the_changed_page_only(mini_kb: MiniKB) -> None:
    mini_kb.both("cards/a.md", page("a", "Card declined"), page("a", "Carte refusée"))
    mini_kb.both("cards/b.md", page("b", "Zebra cards"), page("b", "Cartes zèbre"))
    GitRepo(mini_kb.root).commit("start")
    runner = CliRunner()
    first = runner.invoke(main, ["--root", str(mini_kb.root), "build", "--audience", "public"])
    assert first.exit_code == 0, first.output
    assert "Indexed 4 pages for agent search in " in first.output
    mini_kb.write("en/cards/b.md", page("b", "Zebra cards", body="Giraffe cards now.\n"))
    second = runner.invoke(main, ["--root", str(mini_kb.root), "build", "--audience", "public"])
    assert second.exit_code == 0, second.output
    assert "Updated the agent search index of 4 pages (1 indexed again, 0 removed) in " in second.output
    with Searcher(mini_kb.root / "var" / "search") as searcher:
        assert [hit.id for hit in searcher.query("giraffe", lang="en").hits] == ["b"]
