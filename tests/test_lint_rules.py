"""Every lint rule: a tree that breaks it (exact file, line and key) and the corrected tree that passes."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from conftest import TODAY, MiniKB, add_language, page
from gitrepo import GitRepo

from kbtools.governance.codeowners import write_codeowners
from kbtools.model.project import KnowledgeBase
from kbtools.model.site_strings import declared_keys, shipped
from kbtools.workflows.lint import RULES, lint


@dataclass
class Case:
    rule: str
    name: str
    broken: Callable[[MiniKB], None]
    fixed: Callable[[MiniKB], None]
    where: tuple[str, int]  # (path under content/, or from the kb root for other files; line)
    key: str | None = None
    says: str = ""  # text the message must contain


def findings(kb: MiniKB):
    return lint(KnowledgeBase(kb.root), today=TODAY).findings


def translated(kb: MiniKB, rel: str, en: str, fr: str | None = None) -> None:
    kb.both(rel, en, fr if fr is not None else en)


MACRO = dict(type="macro", audience="internal", category="billing", owner="billing")
AUTOREPLY = dict(type="autoreply", audience="internal", category="billing", owner="billing")
REPLY = "Hi {{ticket.requester.first_name}}, these may help:\n\n{{autoreply.articles}}\n"


def translated_then_edited(kb: MiniKB, recorded: str) -> None:
    """a.md translated, then the English file edited in a second commit; the French file names `recorded`."""
    translated(kb, "cards/a.md", page("a"))
    repo = GitRepo(kb.root)
    commits = {"first": repo.commit("First", date="2026-03-02T09:00:00+00:00")}
    kb.write("en/cards/a.md", page("a", body="Better text.\n"))
    commits["edit"] = repo.commit("Edit", date="2026-04-02T09:00:00+00:00")
    kb.write("fr/cards/a.md", page("a", source_commit=commits[recorded][:12]))


EXPERIMENT = (
    "experiment: {id: steps, variant: control, metric: contact_rate, min_sample: 200, "
    "start: 2026-11-01, stop: 2026-12-31}\n"
)


def experiment(kb: MiniKB, with_variant: bool) -> None:
    """a.md declares an experiment; with `with_variant`, a-b.md is its second variant."""
    translated(kb, "cards/a.md", page("a", extra=EXPERIMENT), page("a"))  # the translation runs no experiment
    if with_variant:
        kb.write("en/cards/a-b.md", page("a", extra="experiment: {id: steps, variant: b}\n", body="Other text.\n"))


def codeowners(kb: MiniKB, stale: bool) -> None:
    translated(kb, "cards/a.md", page("a"))
    kb_ = KnowledgeBase(kb.root)
    write_codeowners(kb.root, kb_.load(), kb_.taxonomy)
    if stale:  # an owner changed after CODEOWNERS was written
        translated(kb, "cards/a.md", page("a", owner="billing"))


CASES = [
    Case(
        "experiment",
        "one variant",
        lambda kb: experiment(kb, with_variant=False),
        lambda kb: experiment(kb, with_variant=True),
        ("en/cards/a.md", 10),
        key="experiment",
        says="has one variant",
    ),
    Case(
        "yaml-syntax",
        "bad YAML",
        lambda kb: kb.write("en/cards/a.md", page("a", extra="tags: [refund\nkeywords: [x]\n")),
        lambda kb: kb.write("en/cards/a.md", page("a", extra="tags: [refund]\nkeywords: [x]\n")),
        ("en/cards/a.md", 11),
        says="YAML syntax error",
    ),
    Case(
        "yaml-syntax",
        "no front-matter",
        lambda kb: kb.write("en/cards/a.md", "# Just a title\n"),
        lambda kb: kb.write("en/cards/a.md", page("a")),
        ("en/cards/a.md", 1),
        says="must start with a '---' line",
    ),
    Case(
        "yaml-syntax",
        "front-matter never closed",
        lambda kb: kb.write("en/cards/a.md", page("a").replace("---\n\n", "\n", 1)),
        lambda kb: kb.write("en/cards/a.md", page("a")),
        ("en/cards/a.md", 1),
        says="never closed",
    ),
    Case(
        "duplicate-key",
        "title twice",
        lambda kb: kb.write("en/cards/a.md", page("a", extra="title: Again\n")),
        lambda kb: kb.write("en/cards/a.md", page("a")),
        ("en/cards/a.md", 10),
        key="title",
    ),
    Case(
        "missing-key",
        "no owner",
        lambda kb: kb.write("en/cards/a.md", page("a", owner=None)),
        lambda kb: kb.write("en/cards/a.md", page("a")),
        ("en/cards/a.md", 1),
        key="owner",
        says="missing required key 'owner'",
    ),
    Case(
        "unknown-key",
        "typo with a suggestion",
        lambda kb: kb.write("en/cards/a.md", page("a", keywrods="[card refused]")),
        lambda kb: kb.write("en/cards/a.md", page("a", keywords="[card refused]")),
        ("en/cards/a.md", 10),
        key="keywrods",
        says="did you mean 'keywords'?",
    ),
    Case(
        "unknown-key",
        "macro-only key on an article",
        lambda kb: kb.write("en/cards/a.md", page("a", actions="{status: solved}")),
        lambda kb: kb.write("en/cards/a.md", page("a")),
        ("en/cards/a.md", 10),
        key="actions",
        says="only applies to: macro",
    ),
    Case(
        "invalid-value",
        "reviewed is not a date",
        lambda kb: kb.write("en/cards/a.md", page("a", reviewed="last week")),
        lambda kb: kb.write("en/cards/a.md", page("a")),
        ("en/cards/a.md", 9),
        key="reviewed",
        says="YYYY-MM-DD",
    ),
    Case(
        "invalid-value",
        "id is not a slug",
        lambda kb: kb.write("en/cards/a.md", page("Card Declined")),
        lambda kb: kb.write("en/cards/a.md", page("card-declined")),
        ("en/cards/a.md", 2),
        key="id",
    ),
    Case(
        "invalid-value",
        "source_commit on a source file",
        lambda kb: translated(kb, "cards/a.md", page("a", source_commit="abc1234")),
        lambda kb: translated(kb, "cards/a.md", page("a"), page("a", source_commit="abc1234")),
        ("en/cards/a.md", 10),
        key="source_commit",
        says="only translations",
    ),
    Case(
        "taxonomy-value",
        "unknown category",
        lambda kb: kb.write("en/cards/a.md", page("a", category="card")),
        lambda kb: kb.write("en/cards/a.md", page("a", category="cards")),
        ("en/cards/a.md", 7),
        key="category",
        says="did you mean 'cards'?",
    ),
    Case(
        "taxonomy-value",
        "unknown tag",
        lambda kb: kb.write("en/cards/a.md", page("a", tags="[refunds]")),
        lambda kb: kb.write("en/cards/a.md", page("a", tags="[refund]")),
        ("en/cards/a.md", 10),
        key="tags",
        says="did you mean 'refund'?",
    ),
    Case(
        "taxonomy-value",
        "unknown case reason",
        lambda kb: kb.write("en/cards/a.md", page("a", case_reason="card/refused")),
        lambda kb: kb.write("en/cards/a.md", page("a", case_reason="card/declined")),
        ("en/cards/a.md", 10),
        key="case_reason",
    ),
    Case(
        "audience",
        "public SOP",
        lambda kb: kb.write("en/playbooks/s.md", page("s", type="sop", category="playbooks")),
        lambda kb: kb.write("en/playbooks/s.md", page("s", type="sop", category="playbooks", audience="internal")),
        ("en/playbooks/s.md", 5),
        key="audience",
        says="agents only",
    ),
    Case(
        "audience",
        "public article in an internal category",
        lambda kb: kb.write("en/playbooks/s.md", page("s", category="playbooks")),
        lambda kb: kb.write("en/playbooks/s.md", page("s", category="playbooks", audience="internal")),
        ("en/playbooks/s.md", 5),
        key="audience",
        says="internal-only",
    ),
    Case(
        "macro-action",
        "unknown queue",
        lambda kb: kb.write(
            "en/billing/m.md", page("m", **MACRO, extra="actions:\n  status: solved\n  group: billing-l3\n")
        ),
        lambda kb: kb.write(
            "en/billing/m.md", page("m", **MACRO, extra="actions:\n  status: solved\n  group: billing-l2\n")
        ),
        ("en/billing/m.md", 12),
        key="actions.group",
        says="not a queue",
    ),
    Case(
        "macro-action",
        "unknown action",
        lambda kb: kb.write("en/billing/m.md", page("m", **MACRO, extra="actions:\n  assign: tier1\n")),
        lambda kb: kb.write("en/billing/m.md", page("m", **MACRO, extra="actions:\n  group: tier1\n")),
        ("en/billing/m.md", 11),
        key="actions.assign",
        says="unknown action",
    ),
    Case(
        "unknown-placeholder",
        "misspelt placeholder",
        lambda kb: kb.write("en/billing/m.md", page("m", **MACRO, body="Hi {{ticket.requestor.first_name}},\n")),
        lambda kb: kb.write("en/billing/m.md", page("m", **MACRO, body="Hi {{ticket.requester.first_name}},\n")),
        ("en/billing/m.md", 12),
        says="did you mean 'ticket.requester.first_name'?",
    ),
    Case(
        "unknown-placeholder",
        "an auto-reply's own placeholder in a macro (kb fills it in auto-replies only)",
        lambda kb: kb.write("en/billing/m.md", page("m", **MACRO, body="Hi,\n\n{{autoreply.articles}}\n")),
        lambda kb: kb.write("en/billing/m.md", page("m", **AUTOREPLY, body="Hi,\n\n{{autoreply.articles}}\n")),
        ("en/billing/m.md", 14),
        says="unknown placeholder {{autoreply.articles}}",
    ),
    Case(
        "unknown-placeholder",
        "misspelt placeholder in an auto-reply",
        lambda kb: kb.write("en/billing/r.md", page("r", **AUTOREPLY, body="{{autoreply.article}}\n")),
        lambda kb: kb.write("en/billing/r.md", page("r", **AUTOREPLY, body="{{autoreply.articles}}\n")),
        ("en/billing/r.md", 12),
        says="did you mean 'autoreply.articles'?",
    ),
    Case(
        "autoreply-template",
        "auto-reply without the suggested articles",
        lambda kb: kb.write("en/billing/r.md", page("r", **AUTOREPLY, body="Hi {{ticket.requester.first_name}},\n")),
        lambda kb: kb.write("en/billing/r.md", page("r", **AUTOREPLY, body=REPLY)),
        ("en/billing/r.md", 12),
        says="add {{autoreply.articles}}",
    ),
    Case(
        "autoreply-template",
        "two default auto-replies in a language",
        lambda kb: [kb.write(f"en/billing/{n}.md", page(n, **AUTOREPLY, body=REPLY)) for n in ("r1", "r2")],
        lambda kb: [
            kb.write("en/billing/r1.md", page("r1", **AUTOREPLY, body=REPLY)),
            kb.write("en/billing/r2.md", page("r2", **AUTOREPLY, case_reason="card/declined", body=REPLY)),
        ],
        ("en/billing/r2.md", 4),
        key="type",
        says="en/billing/r1.md is already the auto-reply for no case reason",
    ),
    Case(
        "autoreply-template",
        "two auto-replies for one case reason",
        lambda kb: [
            kb.write(f"en/billing/{n}.md", page(n, **AUTOREPLY, case_reason="card/declined", body=REPLY))
            for n in ("r1", "r2")
        ],
        lambda kb: [
            kb.write("en/billing/r1.md", page("r1", **AUTOREPLY, case_reason="card/declined", body=REPLY)),
            kb.write("en/billing/r2.md", page("r2", **AUTOREPLY, case_reason="payment/refund-request", body=REPLY)),
        ],
        ("en/billing/r2.md", 10),
        key="case_reason",
        says="already the auto-reply for case reason 'card/declined'",
    ),
    Case(
        "audience",
        "public auto-reply",
        lambda kb: kb.write("en/billing/r.md", page("r", **{**AUTOREPLY, "audience": "public"}, body=REPLY)),
        lambda kb: kb.write("en/billing/r.md", page("r", **AUTOREPLY, body=REPLY)),
        ("en/billing/r.md", 5),
        key="audience",
        says="a autoreply is for agents only",
    ),
    Case(
        "unknown-language",
        "undeclared language folder",
        lambda kb: kb.write("de/cards/a.md", page("a")),
        lambda kb: None,
        ("de/cards/a.md", 1),
        says="not a language folder",
    ),
    Case(
        "taxonomy-file",
        "category owned by an unknown team",
        lambda kb: kb.write(
            "taxonomy.yml",
            (kb.root / "content/taxonomy.yml").read_text().replace("    owner: billing\n", "    owner: finance\n"),
        ),
        lambda kb: None,
        ("taxonomy.yml", 23),
        key="categories.billing.owner",
        says="owner must be one of the teams",
    ),
    Case(
        "duplicate-id",
        "two files, one id",
        lambda kb: (kb.write("en/billing/b.md", page("x")), kb.write("en/cards/a.md", page("x"))),
        lambda kb: (kb.write("en/billing/b.md", page("x")), kb.write("en/cards/a.md", page("y"))),
        ("en/cards/a.md", 2),
        key="id",
        says="already used by en/billing/b.md",
    ),
    Case(
        "translation-id",
        "French file renamed its id",
        lambda kb: translated(kb, "cards/a.md", page("a"), page("a-fr")),
        lambda kb: translated(kb, "cards/a.md", page("a"), page("a")),
        ("fr/cards/a.md", 2),
        key="id",
        says="source's id 'a'",
    ),
    Case(
        "translation-mismatch",
        "French file internal, English public",
        lambda kb: translated(kb, "cards/a.md", page("a"), page("a", audience="internal")),
        lambda kb: translated(kb, "cards/a.md", page("a"), page("a")),
        ("fr/cards/a.md", 5),
        key="audience",
    ),
    Case(
        "broken-link",
        "link to a missing page",
        lambda kb: translated(kb, "cards/a.md", page("a", body="See [b](b.md).\n")),
        lambda kb: (
            translated(kb, "cards/a.md", page("a", body="See [b](b.md).\n")),
            translated(kb, "cards/b.md", page("b")),
        ),
        ("en/cards/a.md", 12),
        says="no page en/cards/b.md",
    ),
    Case(
        "broken-link",
        "site-absolute link",
        lambda kb: (
            translated(kb, "cards/a.md", page("a", body="Intro\nSee [b](/cards/b/).\n")),
            translated(kb, "cards/b.md", page("b")),
        ),
        lambda kb: (
            translated(kb, "cards/a.md", page("a", body="Intro\nSee [b](b.md).\n")),
            translated(kb, "cards/b.md", page("b")),
        ),
        ("en/cards/a.md", 13),
        says="site-absolute",
    ),
    Case(
        "broken-anchor",
        "link to a missing heading",
        lambda kb: (
            translated(kb, "cards/a.md", page("a", body="[b](b.md#frais-bancaires)\n")),
            translated(kb, "cards/b.md", page("b", body="## Frais de tenue de compte\n")),
        ),
        lambda kb: (
            translated(kb, "cards/a.md", page("a", body="[b](b.md#frais-bancaires)\n")),
            translated(kb, "cards/b.md", page("b", body="## Frais bancaires\n")),
        ),
        ("en/cards/a.md", 12),
        says="no heading '#frais-bancaires'",
    ),
    Case(
        "public-links-internal",
        "public page links to an SOP",
        lambda kb: (
            translated(kb, "cards/a.md", page("a", body="[SOP](../playbooks/s.md)\n")),
            kb.write("en/playbooks/s.md", page("s", type="sop", audience="internal", category="playbooks")),
        ),
        lambda kb: (
            translated(kb, "cards/a.md", page("a", body='!!! agent "Agent notes"\n    [SOP](../playbooks/s.md)\n')),
            kb.write("en/playbooks/s.md", page("s", type="sop", audience="internal", category="playbooks")),
        ),
        ("en/cards/a.md", 12),
        says="agent-only block",
    ),
    Case(
        "public-links-internal",
        "public page lists an internal page as related",
        lambda kb: (
            translated(kb, "cards/a.md", page("a", related="[s]")),
            kb.write("en/playbooks/s.md", page("s", type="sop", audience="internal", category="playbooks")),
        ),
        lambda kb: (
            translated(kb, "cards/a.md", page("a")),
            kb.write("en/playbooks/s.md", page("s", type="sop", audience="internal", category="playbooks")),
        ),
        ("en/cards/a.md", 10),
        key="related",
    ),
    Case(
        "link-unpublished",
        "link to a draft",
        lambda kb: (
            translated(kb, "cards/a.md", page("a", body="[b](b.md)\n")),
            translated(kb, "cards/b.md", page("b", status="draft")),
        ),
        lambda kb: (
            translated(kb, "cards/a.md", page("a", body="[b](b.md)\n")),
            translated(kb, "cards/b.md", page("b")),
        ),
        ("en/cards/a.md", 12),
        says="is draft",
    ),
    Case(
        "unknown-related",
        "related id that does not exist",
        lambda kb: translated(kb, "cards/a.md", page("a", extra="related:\n  - a\n  - nope\n")),
        lambda kb: translated(kb, "cards/a.md", page("a", extra="related:\n  - a\n")),
        ("en/cards/a.md", 12),
        key="related",
        says="no en page has id 'nope'",
    ),
    Case(
        "review-overdue",
        "reviewed more than a year ago",
        lambda kb: translated(kb, "cards/a.md", page("a", reviewed="2025-11-01")),
        lambda kb: translated(kb, "cards/a.md", page("a", reviewed="2025-11-01", review_interval="2y")),
        ("en/cards/a.md", 9),
        key="reviewed",
        says="review overdue since 2026-11-01",
    ),
    Case(
        "review-overdue",
        "review_by has passed",
        lambda kb: translated(kb, "cards/a.md", page("a", review_by="2026-11-01")),
        lambda kb: translated(kb, "cards/a.md", page("a", review_by="2026-12-01")),
        ("en/cards/a.md", 10),
        key="review_by",
    ),
    Case(
        "missing-translation",
        "public page with no French file",
        lambda kb: kb.write("en/cards/a.md", page("a")),
        lambda kb: translated(kb, "cards/a.md", page("a")),
        ("en/cards/a.md", 1),
        says="no Français translation (fr/cards/a.md)",
    ),
    Case(
        "orphan-translation",
        "French file with no English source",
        lambda kb: kb.write("fr/cards/a.md", page("a")),
        lambda kb: translated(kb, "cards/a.md", page("a")),
        ("fr/cards/a.md", 1),
        says="no source file en/cards/a.md",
    ),
    Case(
        "orphan-translation",
        "English file renamed without its translation",
        lambda kb: (kb.write("en/cards/b.md", page("a")), kb.write("fr/cards/a.md", page("a"))),
        lambda kb: translated(kb, "cards/b.md", page("a")),
        ("fr/cards/a.md", 1),
        says="the source with this id moved to cards/b.md; run 'git mv content/fr/cards/a.md content/fr/cards/b.md'",
    ),
    Case(
        "outdated-translation",
        "English edited after the translation's source_commit",
        lambda kb: translated_then_edited(kb, "first"),
        lambda kb: translated_then_edited(kb, "edit"),
        ("fr/cards/a.md", 10),
        key="source_commit",
        says="the en source changed in 1 commit since source_commit",
    ),
    Case(
        "codeowners-outdated",
        "owner changed after CODEOWNERS was generated",
        lambda kb: codeowners(kb, stale=True),
        lambda kb: codeowners(kb, stale=False),
        (".github/CODEOWNERS", 1),
        says="run 'kb codeowners'",
    ),
    Case(
        "untranslated-link",
        "French page links to an English-only page",
        lambda kb: (
            translated(kb, "cards/a.md", page("a", body="[b](b.md)\n")),
            kb.write("en/cards/b.md", page("b", status="draft")),
        ),
        lambda kb: (
            translated(kb, "cards/a.md", page("a", body="[b](b.md)\n")),
            kb.write("en/cards/b.md", page("b")),
            kb.write("fr/cards/b.md", page("b")),
        ),
        ("fr/cards/a.md", 12),
        says="has no fr translation yet",
    ),
    Case(
        "untranslated-link",
        "French page lists an English-only page as related (the French site shows it in English)",
        lambda kb: (
            translated(kb, "cards/a.md", page("a", extra="related: [b]\n")),
            kb.write("en/cards/b.md", page("b")),
        ),
        lambda kb: (
            translated(kb, "cards/a.md", page("a", extra="related: [b]\n")),
            translated(kb, "cards/b.md", page("b")),
        ),
        ("fr/cards/a.md", 10),
        key="related",
        says="related 'b' has no fr translation yet",
    ),
    # Untrusted files of a pull request (more shapes in tests/security/)
    Case(
        "symlink",
        "a symbolic link in the content tree",
        lambda kb: (
            translated(kb, "cards/a.md", page("a")),
            (kb.root / "content/en/cards/guide.txt").symlink_to("/etc/passwd"),
        ),
        lambda kb: (translated(kb, "cards/a.md", page("a")), kb.write("en/cards/guide.txt", "A guide\n")),
        ("en/cards/guide.txt", 1),
        says="symbolic link to /etc/passwd",
    ),
    Case(
        "yaml-limit",
        "a YAML alias in front-matter",
        lambda kb: translated(kb, "cards/a.md", page("a", extra="tags: &t [refund]\nkeywords: *t\n")),
        lambda kb: translated(kb, "cards/a.md", page("a", extra="tags: [refund]\nkeywords: [refund]\n")),
        ("en/cards/a.md", 11),
        says="YAML alias '*t' refused",
    ),
    Case(
        "mkdocs-config",
        "mkdocs.yml runs a hook",
        lambda kb: (kb.root / "mkdocs.yml").write_text("site_name: Test\nhooks:\n  - hooks.py\n"),
        lambda kb: (kb.root / "mkdocs.yml").write_text("site_name: Test\n"),
        ("mkdocs.yml", 2),
        key="hooks",
        says="runs any Python file",
    ),
    # Agent-only blocks: shapes the site reads differently from how they look (tests/security has every shape).
    Case(
        "agent-block-shape",
        "capitalised Agent class",
        lambda kb: translated(kb, "cards/a.md", page("a", body='!!! Agent "Agent notes"\n    Check ID.\n')),
        lambda kb: translated(kb, "cards/a.md", page("a", body='!!! agent "Agent notes"\n    Check ID.\n')),
        ("en/cards/a.md", 12),
        says="lower case",
    ),
    Case(
        "agent-block-shape",
        "marker indented by 2 spaces: published",
        lambda kb: translated(kb, "cards/a.md", page("a", body='Hi.\n\n  !!! agent "Agent notes"\n      Check ID.\n')),
        lambda kb: translated(kb, "cards/a.md", page("a", body='Hi.\n\n!!! agent "Agent notes"\n    Check ID.\n')),
        ("en/cards/a.md", 14),
        says="does not read it as one",
    ),
    Case(
        "agent-block-shape",
        "text after the marker not indented: published",
        lambda kb: translated(kb, "cards/a.md", page("a", body='!!! agent "Agent notes"\nCheck ID.\n')),
        lambda kb: translated(kb, "cards/a.md", page("a", body='!!! agent "Agent notes"\n    Check ID.\n')),
        ("en/cards/a.md", 13),
        says="ends the agent-only block",
    ),
    Case(
        "agent-block-shape",
        "agent only in the title",
        lambda kb: translated(kb, "cards/a.md", page("a", body='!!! note "agent"\n    Check ID.\n')),
        lambda kb: translated(kb, "cards/a.md", page("a", body='!!! note agent "Agent notes"\n    Check ID.\n')),
        ("en/cards/a.md", 12),
        says="only in the title",
    ),
    # Raw HTML in bodies (kbtools.model.sanitize); tests/security/test_markup.py covers every shape
    Case(
        "unsafe-html",
        "an image with an event handler",
        lambda kb: translated(kb, "cards/a.md", page("a", body="Hello <img src=x.png onerror=alert(1)>\n")),
        lambda kb: translated(kb, "cards/a.md", page("a", body="Hello ![a card](x.png)\n")),
        ("en/cards/a.md", 12),
        says="onerror on <img> is not published",
    ),
    Case(
        "html-removed",
        "an element the allow-list does not keep",
        lambda kb: translated(kb, "cards/a.md", page("a", body="Intro\n\n<video src=intro.mp4></video>\n")),
        lambda kb: translated(kb, "cards/a.md", page("a", body="Intro\n\n[Watch the video](intro.mp4)\n")),
        ("en/cards/a.md", 14),
        says="<video> is not in kb's allow-list",
    ),
    # Imported content (issue 15; every foreign shape in tests/test_import_lint.py)
    Case(
        "foreign-syntax",
        "a DocFX callout",
        lambda kb: translated(kb, "cards/a.md", page("a", body="Intro\n\n> [!NOTE]\n> Read this.\n")),
        lambda kb: translated(kb, "cards/a.md", page("a", body="Intro\n\n!!! note\n    Read this.\n")),
        ("en/cards/a.md", 14),
        says="> [!NOTE]",
    ),
    Case(
        "alias-conflict",
        "two pages with the same old URL",
        lambda kb: (
            translated(kb, "cards/a.md", page("a", aliases="[hc/articles/1]")),
            translated(kb, "cards/b.md", page("b", aliases="[/hc/articles/1/]")),
        ),
        lambda kb: (
            translated(kb, "cards/a.md", page("a", aliases="[hc/articles/1]")),
            translated(kb, "cards/b.md", page("b", aliases="[hc/articles/2]")),
        ),
        ("en/cards/b.md", 10),
        key="aliases",
        says="is already en/cards/a.md",
    ),
    # The synonym list, content/synonyms.yml (kbtools.model.synonyms)
    Case(
        "synonym-file",
        "a key of two words",
        lambda kb: with_synonyms(kb, "fr:\n  retirer carte: [supprimer]\n"),
        lambda kb: with_synonyms(kb, "fr:\n  retirer: [supprimer]\n"),
        ("synonyms.yml", 2),
        key="fr.retirer carte",
        says="a synonym is one word",
    ),
    Case(
        "synonym-unknown-word",
        "a replacement no page holds",
        lambda kb: with_synonyms(kb, "fr:\n  retirer: [suprimer]\n"),
        lambda kb: with_synonyms(kb, "fr:\n  retirer: [supprimer]\n"),
        ("synonyms.yml", 2),
        key="fr.retirer",
        says="no page in 'fr' holds 'suprimer'",
    ),
    Case(
        "synonym-cycle",
        "a word that leads back to itself",
        lambda kb: with_synonyms(kb, "fr:\n  retirer: [enlever]\n  enlever: [supprimer, retirer]\n"),
        lambda kb: with_synonyms(kb, "fr:\n  retirer: [supprimer]\n  enlever: [supprimer, retirer]\n"),
        ("synonyms.yml", 2),
        key="fr.retirer",
        says="leads back to itself",
    ),
    # The home page's featured list (taxonomy.yml `featured`)
    *(
        Case(
            "featured-page",
            f"a featured id that is {name}",
            lambda kb, fields=fields: featured(kb, fields),
            lambda kb: featured(kb, {}),
            ("taxonomy.yml", 47),
            key="featured",
            says=says,
        )
        for name, fields, says in (
            ("unknown", None, "no page in 'en' has the id 'b'"),
            ("a draft", {"status": "draft"}, "not published (draft)"),
            ("internal", {"audience": "internal"}, "is internal"),
            ("in an internal category", {"category": "playbooks"}, "is internal"),
        )
    ),
    # Content where the build writes pages of its own (kbtools.model.urls.GENERATED_PATHS) or a language's folder
    *(
        Case(
            "reserved-path",
            f"a page at {rel}",
            lambda kb, rel=rel: translated(kb, rel, page("a")),
            lambda kb: translated(kb, "cards/a.md", page("a")),
            (f"en/{rel}", 1),
            says="where the build writes",
        )
        for rel in ("contact.md", "tags/a.md", "search.md", "assets/a.md", "404.md", "fr/a.md", "index.md")
    ),
    Case(
        "reserved-path",
        "a category whose landing page would be the tag pages",
        lambda kb: kb.write(
            "taxonomy.yml",
            (kb.root / "content" / "taxonomy.yml")
            .read_text(encoding="utf-8")
            .replace("categories:\n", "categories:\n  tags:\n    label: {en: Tags, fr: Tags}\n    owner: support\n"),
        ),
        lambda kb: translated(kb, "cards/a.md", page("a")),
        ("taxonomy.yml", 18),
        key="categories.tags",
        says="category 'tags' would be published at tags/",
    ),
    # Placeholder text `kb new` writes, left in a published page (kbtools.workflows.scaffold.PLACEHOLDER_LINES)
    Case(
        "scaffold-text",
        "the article scaffold's first instruction",
        lambda kb: translated(
            kb, "cards/a.md", page("a", body="Say in one or two sentences what this page helps the reader do.\n")
        ),
        lambda kb: translated(kb, "cards/a.md", page("a", body="Freeze a card from the app in two taps.\n")),
        ("en/cards/a.md", 12),
        says="placeholder text from `kb new`",
    ),
    Case(
        "scaffold-text",
        "a step left as '2. ...'",
        lambda kb: translated(kb, "cards/a.md", page("a", body="## Steps\n\n1. Open **Cards**.\n2. ...\n")),
        lambda kb: translated(kb, "cards/a.md", page("a", body="## Steps\n\n1. Open **Cards**.\n2. Tap **Freeze**.\n")),
        ("en/cards/a.md", 15),
        says="'2. ...'",
    ),
    Case(
        "scaffold-text",
        "a troubleshooting page with the scaffold's symptom line; a draft or a code fence may keep it",
        lambda kb: translated(
            kb,
            "cards/a.md",
            page("a", type="troubleshooting", body="Intro.\n\n## Symptoms\n\n- ...\n"),
        ),
        lambda kb: (
            translated(kb, "cards/a.md", page("a", type="troubleshooting", body="```\n- ...\n```\n")),
            translated(kb, "cards/b.md", page("b", status="draft", body="- ...\n")),
        ),
        ("en/cards/a.md", 16),
        says="'- ...'",
    ),
]


def featured(kb: MiniKB, b_fields: dict[str, str] | None) -> None:
    """taxonomy.yml features pages a and b; b has `b_fields` (None: there is no page b)."""
    translated(kb, "cards/a.md", page("a"))
    if b_fields is not None:
        translated(kb, "cards/b.md", page("b", **b_fields))
    with (kb.root / "content" / "taxonomy.yml").open("a", encoding="utf-8") as taxonomy:
        taxonomy.write("featured:\n  - a\n  - b\n")


def with_synonyms(kb: MiniKB, text: str) -> None:
    """A page that says "supprimer" and "retirer", and a synonym list."""
    translated(kb, "cards/a.md", page("a", body="Supprimer ou retirer la carte, enlever le reste.\n"))
    kb.write("synonyms.yml", text)


def german(kb: MiniKB, strings: str | None) -> None:
    """German declared in the taxonomy; `strings` (when given) is its content/strings/de.yml."""
    add_language(kb, "de", "Deutsch")
    translated(kb, "cards/a.md", page("a"))
    kb.write("de/cards/a.md", page("a"))
    if strings is not None:
        kb.write("strings/de.yml", strings)


STRING_KEYS = len(declared_keys())  # every interface string kb declares (kbtools/strings/en.yml)


def all_strings() -> str:
    english = shipped("en")
    assert english is not None
    return "".join(f"{json.dumps(key)}: {json.dumps(english.texts[key] + ' (de)')}\n" for key in declared_keys())


STRING_CASES = [
    Case(
        "missing-site-string",
        "a declared language with no strings file",
        lambda kb: german(kb, None),
        lambda kb: german(kb, all_strings()),
        ("taxonomy.yml", 6),
        says=f"{STRING_KEYS} interface strings missing in 'de'",
    ),
    Case(
        "missing-site-string",
        "a strings file that gives only some keys",
        lambda kb: german(kb, "home: Startseite\nsearch: Suche\n"),
        lambda kb: german(kb, all_strings()),
        ("strings/de.yml", 1),
        says=f"{STRING_KEYS - 2} interface strings missing in 'de' "
        "(shown in English; add them to content/strings/de.yml): home_intro, home.search,",
    ),
    Case(
        "site-strings-file",
        "a misspelt key",
        lambda kb: kb.write("strings/fr.yml", "home: Accueil\ncontact.titel: Nous contacter\n"),
        lambda kb: kb.write("strings/fr.yml", "home: Accueil\ncontact.title: Nous contacter\n"),
        ("strings/fr.yml", 2),
        key="contact.titel",
        says="did you mean 'contact.title'",
    ),
    Case(
        "site-strings-file",
        "a value that is not a text",
        lambda kb: kb.write("strings/fr.yml", "home: Accueil\nsearch: [Rechercher]\n"),
        lambda kb: kb.write("strings/fr.yml", "home: Accueil\nsearch: Rechercher\n"),
        ("strings/fr.yml", 2),
        key="search",
        says="non-empty string",
    ),
    Case(
        "site-strings-file",
        "an unquoted yes, which YAML reads as true",
        lambda kb: kb.write("strings/fr.yml", "home: Accueil\nyes: Oui\n"),
        lambda kb: kb.write("strings/fr.yml", "home: Accueil\n'yes': Oui\n"),
        ("strings/fr.yml", 2),
        key="yes",
        says="quote it ('yes': ...)",
    ),
    Case(
        "site-strings-file",
        "a file for a language the taxonomy does not declare",
        lambda kb: kb.write("strings/es.yml", "home: Inicio\n"),
        lambda kb: kb.write("strings/fr.yml", "home: Accueil\n"),
        ("strings/es.yml", 1),
        says="'es' is not a language taxonomy.yml declares",
    ),
]
CASES += STRING_CASES


def test_every_rule_has_a_case() -> None:
    assert {case.rule for case in CASES} == set(RULES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.rule}: {c.name}")
def test_rule_reports_file_line_and_key(case: Case, mini_kb: MiniKB) -> None:
    case.broken(mini_kb)
    matching = [f for f in findings(mini_kb) if f.rule == case.rule]
    assert matching, f"no {case.rule} finding; got {findings(mini_kb)}"
    found = matching[0]
    rel = found.path.relative_to(mini_kb.root).as_posix().removeprefix("content/")
    assert (rel, found.line) == case.where
    assert found.key == case.key
    assert case.says in found.message
    assert found.severity == RULES[case.rule].severity


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.rule}: {c.name}")
def test_corrected_tree_passes(case: Case, mini_kb: MiniKB) -> None:
    case.fixed(mini_kb)
    assert [f for f in findings(mini_kb) if f.rule == case.rule] == []


def test_clean_tree_has_no_findings(mini_kb: MiniKB) -> None:
    translated(mini_kb, "cards/a.md", page("a", tags="[refund]", body="## Steps\n\n[b](b.md#steps)\n"))
    translated(mini_kb, "cards/b.md", page("b", body="## Steps\n"))
    mini_kb.both(
        "billing/m.md",
        *[
            page(
                "m",
                **MACRO,
                body="Hi {{ ticket.requester.first_name }}, {{organization.plan}}\n",
                extra="actions: {status: solved}\n",
            )
        ]
        * 2,
    )
    assert findings(mini_kb) == []


def test_agent_block_and_code_fence_are_told_apart(mini_kb: MiniKB) -> None:
    """Link syntax inside a code fence is an example, not a link; inside an agent block it is allowed."""
    body = "```\n[SOP](../playbooks/missing.md)\n```\n"
    translated(mini_kb, "cards/a.md", page("a", body=body))
    assert findings(mini_kb) == []


def test_lint_paths_limit_the_report_not_the_checks(mini_kb: MiniKB) -> None:
    translated(mini_kb, "cards/a.md", page("a", category="card"))
    translated(mini_kb, "cards/b.md", page("b", body="[a](a.md)\n"))
    kb = KnowledgeBase(mini_kb.root)
    only_b = lint(kb, [mini_kb.root / "content/en/cards/b.md"], today=TODAY).findings
    assert only_b == []
    only_a = lint(kb, [mini_kb.root / "content/en/cards/a.md"], today=TODAY).findings
    assert {f.rule for f in only_a} == {"taxonomy-value"}
