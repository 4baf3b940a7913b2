"""kb export: macros for helpdesk import, and content chunked for chatbots with stable chunk ids."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MiniKB, page
from gitrepo import GitRepo

from kbtools.cli import main

CANARY = "AGENT-CANARY-31c"
MACRO = dict(type="macro", audience="internal", category="billing", owner="billing")
ACTIONS = """\
actions:
  status: on-hold
  group: billing-l2
  add_tags: [refund, refund_approved]
  case_reason: payment/refund-request
  public: true
"""
ARTICLE = f"""\
Why a card payment fails.

## Why it happens

Your limit was reached. See [invoices](../billing/invoices.md#download).

### Abroad

Some merchants decline foreign cards.

!!! agent "Agent notes"
    Check the ledger. {CANARY}

## What to do

Raise the limit.
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def tree(mini_kb: MiniKB) -> tuple[MiniKB, GitRepo]:
    mini_kb.both(
        "billing/macro-refund.md",
        page(
            "macro-refund",
            "Refund approved",
            **MACRO,
            summary="Use when a refund is approved.",
            extra=ACTIONS,
            body=f"Hi {{{{ticket.requester.first_name}}}},\n\nSee [invoices](invoices.md).\n\n"
            f'!!! agent "Before sending"\n    {CANARY}\n',
        ),
        page("macro-refund", "Remboursement accepté", **MACRO, extra=ACTIONS, body="Bonjour,\n"),
    )
    mini_kb.write("en/billing/macro-old.md", page("macro-old", "Old macro", **MACRO, status="archived"))
    mini_kb.both("cards/declined.md", page("declined", "Card declined", body=ARTICLE), page("declined", "Carte"))
    invoices = page("invoices", "Invoices", category="billing", body="## Download\n\nGo to Settings.\n")
    mini_kb.both("billing/invoices.md", invoices, invoices)
    mini_kb.write("en/playbooks/sop.md", page("sop", "SOP", type="sop", audience="internal", category="playbooks"))
    repo = GitRepo(mini_kb.root)
    repo.commit("First version", date="2026-03-02T09:00:00+00:00")
    return mini_kb, repo


def test_zendesk_macros_one_file_per_language(tree, tmp_path: Path) -> None:
    kb, _ = tree
    out = tmp_path / "out"
    result = run(
        "--root", str(kb.root), "export", "macros", "--out", str(out), "--group-id", "billing-l2=360001",
        "--base-url", "https://help.example.com",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["macros-en.json", "macros-fr.json"]
    macros = json.loads((out / "macros-en.json").read_text())["macros"]
    assert [m["title"] for m in macros] == ["Billing::Refund approved"]  # archived macros are not exported
    macro = macros[0]
    assert macro["active"] is True and macro["description"] == "Use when a refund is approved."
    actions = {a["field"]: a["value"] for a in macro["actions"]}
    assert actions["status"] == "hold"
    assert actions["group_id"] == "360001"
    # the macro's own tags, then the one saying it was applied (read back by the ticket-solved webhook)
    assert actions["current_tags"] == "refund refund_approved kb_macro__macro-refund"
    assert actions["comment_mode_is_public"] == "true"
    comment = actions["comment_value_html"]
    assert "Hi {{ticket.requester.first_name}}," in comment
    assert '<a href="https://help.example.com/billing/invoices/">invoices</a>' in comment
    assert CANARY not in comment
    assert "case_reason left out" in result.output and "--case-reason-field" in result.output
    french = json.loads((out / "macros-fr.json").read_text())["macros"]
    assert french[0]["title"] == "Facturation::Remboursement accepté"


def test_zendesk_case_reason_field_and_unmapped_groups(tree, tmp_path: Path) -> None:
    kb, _ = tree
    result = run(
        "--root", str(kb.root), "export", "macros", "--out", str(tmp_path), "--lang", "en",
        "--case-reason-field", "900",
    )  # fmt: skip
    assert (tmp_path / "macros-en.json").exists() and not (tmp_path / "macros-fr.json").exists()
    macro = json.loads((tmp_path / "macros-en.json").read_text())["macros"][0]
    actions = {a["field"]: a["value"] for a in macro["actions"]}
    assert actions["custom_fields_900"] == "payment__refund_request"
    assert "group_id" not in actions and "group 'billing-l2' left out" in result.output
    bad = run("--root", str(kb.root), "export", "macros", "--out", str(tmp_path), "--group-id", "nope=1")
    assert bad.exit_code == 1 and "QUEUE=ID" in bad.output


def test_csv_macros(tree, tmp_path: Path) -> None:
    kb, _ = tree
    run("--root", str(kb.root), "export", "macros", "--format", "csv", "--out", str(tmp_path))
    with (tmp_path / "macros-fr.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 1
    row = rows[0]
    assert (row["id"], row["title"], row["status"], row["group"]) == (
        "macro-refund",
        "Remboursement accepté",
        "on-hold",
        "billing-l2",
    )
    # the macro's own tags, then the one saying it was applied (read back by the ticket-solved webhooks)
    assert row["add_tags"] == "refund refund_approved kb_macro__macro-refund" and row["reply_markdown"] == "Bonjour,\n"


def _chunks(kb: MiniKB, out: Path, *args: str) -> list[dict]:
    result = run("--root", str(kb.root), "export", "bot", "--out", str(out), *args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_bot_chunks_by_heading_without_agent_text_for_the_public(tree, tmp_path: Path) -> None:
    kb, repo = tree
    chunks = _chunks(kb, tmp_path / "kb.jsonl", "--base-url", "https://help.example.com")
    declined = [c for c in chunks if c["article_id"] == "declined" and c["lang"] == "en"]
    assert [(c["id"], c["heading_path"]) for c in declined] == [
        ("en:declined", ["Card declined"]),
        ("en:declined#why-it-happens", ["Card declined", "Why it happens"]),
        ("en:declined#abroad", ["Card declined", "Why it happens", "Abroad"]),
        ("en:declined#what-to-do", ["Card declined", "What to do"]),
    ]
    why = declined[1]
    assert why["text"] == "Your limit was reached. See [invoices](https://help.example.com/billing/invoices/#download)."
    assert why["url"] == "https://help.example.com/cards/declined/#why-it-happens"
    assert (why["category"], why["category_label"], why["type"]) == ("cards", "Cards", "article")
    assert why["version"] == repo.git("rev-parse", "--short=7", "HEAD") and why["updated"] == "2026-03-02"
    assert declined[2]["text"] == "Some merchants decline foreign cards."
    assert all(CANARY not in json.dumps(c) for c in chunks)
    assert {c["article_id"] for c in chunks} == {"declined", "invoices"}  # no SOP, no macro
    assert {c["lang"] for c in chunks} == {"en", "fr"}
    internal = _chunks(kb, tmp_path / "wiki.jsonl", "--audience", "internal", "--lang", "en")
    abroad = next(c for c in internal if c["id"] == "en:declined#abroad")
    assert CANARY in abroad["text"] and abroad["url"].endswith("/internal/cards/declined/#abroad")
    assert {c["article_id"] for c in internal} >= {"sop", "macro-refund"}


def test_chunk_ids_stay_the_same_when_unrelated_articles_change(tree, tmp_path: Path) -> None:
    kb, repo = tree
    before = {c["id"]: c for c in _chunks(kb, tmp_path / "before.jsonl")}
    kb.write("en/billing/invoices.md", page("invoices", "Invoices", category="billing", body="## Download\n\nNew.\n"))
    kb.write("en/cards/new.md", page("new", "A new page", body="## Download\n\nAlso a download section.\n"))
    (kb.root / "content/fr/billing/invoices.md").unlink()
    repo.commit("Edit invoices, add a page, drop a translation", date="2026-04-02T09:00:00+00:00")
    after = {c["id"]: c for c in _chunks(kb, tmp_path / "after.jsonl")}
    untouched = {key: chunk for key, chunk in before.items() if chunk["article_id"] == "declined"}
    assert untouched and all(after[key] == chunk for key, chunk in untouched.items())
    assert after["en:invoices#download"]["checksum"] != before["en:invoices#download"]["checksum"]
    assert "en:new#download" in after and "fr:invoices#download" not in after
