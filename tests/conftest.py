"""Shared fixtures: small, real knowledge-base trees written to temporary folders."""

from __future__ import annotations

import re
import textwrap
from datetime import date
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 22)

MINI_TAXONOMY = """\
languages:
  - code: en
    name: English
  - code: fr
    name: Français
teams:
  support:
    name: Support
    handle: "@acme/support"
  billing:
    name: Billing
queues:
  tier1:
    name: Tier 1
  billing-l2:
    name: Billing L2
categories:
  cards:
    label: {en: Cards, fr: Cartes}
    owner: support
  billing:
    label: {en: Billing, fr: Facturation}
    owner: billing
  playbooks:
    label: {en: Playbooks, fr: Procédures}
    owner: support
    audience: internal
tags:
  refund: {en: Refund, fr: Remboursement}
  card-limits: {en: Card limits, fr: Plafonds}
case_reasons:
  card:
    label: {en: Card, fr: Carte}
    sub_reasons:
      declined: {label: {en: Declined, fr: Refusé}, queue: tier1}
  payment:
    label: {en: Payment, fr: Paiement}
    sub_reasons:
      refund-request: {label: {en: Refund request, fr: Demande de remboursement}, queue: billing-l2}
review_intervals:
  article: 365d
  macro: 180d
placeholders:
  organization.plan: The customer's plan.
"""


def page(
    id: str,
    title: str = "A page",
    body: str = "Some text.\n",
    extra: str = "",
    **fields: str | None,
) -> str:
    """Front-matter and body of a valid public article; keyword arguments override, add or (None) drop keys.

    Lines: 1 `---`, 2 id, 3 title, 4 type, 5 audience, 6 status, 7 category, 8 owner, 9 reviewed, then
    added keys and `extra`, then `---`, a blank line and the body.
    """
    meta = {
        "id": id,
        "title": title,
        "type": "article",
        "audience": "public",
        "status": "published",
        "category": "cards",
        "owner": "support",
        "reviewed": "2026-10-01",
    }
    meta.update(fields)
    front = "".join(f"{key}: {value}\n" for key, value in meta.items() if value is not None) + textwrap.dedent(extra)
    return f"---\n{front}---\n\n{textwrap.dedent(body)}"


class MiniKB:
    """A knowledge base in a temporary folder; `write` adds content files."""

    def __init__(self, root: Path):
        self.root = root
        (root / "content").mkdir(parents=True)
        (root / "mkdocs.yml").write_text("site_name: Test\n", encoding="utf-8")
        (root / "content" / "taxonomy.yml").write_text(MINI_TAXONOMY, encoding="utf-8")

    def write(self, rel: str, text: str) -> Path:
        path = self.root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def both(self, rel: str, en: str, fr: str) -> None:
        self.write(f"en/{rel}", en)
        self.write(f"fr/{rel}", fr)


def add_language(kb: MiniKB, code: str, name: str) -> None:
    """Declare a third language `code` in the mini taxonomy (line 6), with every required label (categories, case
    reasons) given in it; tags keep only their English and French labels."""
    text = MINI_TAXONOMY.replace("    name: Français\n", f"    name: Français\n  - code: {code}\n    name: {name}\n")
    lines = [
        re.sub(r"fr: ([^,}]+)}", rf"fr: \1, {code}: \1 ({code})}}", line) if "label:" in line else line
        for line in text.split("\n")
    ]
    kb.write("taxonomy.yml", "\n".join(lines))


@pytest.fixture
def mini_kb(tmp_path: Path) -> MiniKB:
    return MiniKB(tmp_path / "kb")
