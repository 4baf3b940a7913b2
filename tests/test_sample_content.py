"""The sample help center is part of the product: complete, bilingual and lint-clean."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import REPO_ROOT, TODAY

from kbtools.model.content import ContentSet
from kbtools.model.project import KnowledgeBase
from kbtools.workflows.lint import lint


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase(REPO_ROOT)


@pytest.fixture(scope="module")
def content(kb: KnowledgeBase) -> ContentSet:
    return kb.load()


def test_sample_content_passes_strict_lint(kb: KnowledgeBase) -> None:
    # Review dates are evaluated on the day the sample content was last reviewed as a whole, so the test
    # does not start failing when the calendar moves on (`kb lint` itself uses today's date).
    report = lint(kb, today=TODAY)
    assert [f"{f.path.name}:{f.line} {f.rule} {f.message}" for f in report.findings] == []
    assert report.files_checked >= 90


def test_every_public_article_is_translated(content: ContentSet) -> None:
    public = [d for d in content.in_language("en") if d.is_public and d.is_published]
    assert len(public) >= 25
    assert Counter(d.type for d in public).keys() >= {"article", "troubleshooting"}
    assert all(content.get("fr", d.rel) is not None for d in public)


def test_internal_sops_and_bilingual_macros(content: ContentSet) -> None:
    sops = [d for d in content.in_language("en") if d.type == "sop"]
    assert len(sops) >= 5
    ids = {d.id for d in sops}
    assert {"refund-and-goodwill-guardrails", "ticket-routing-guide"} <= ids
    for lang in ("en", "fr"):
        assert len([d for d in content.in_language(lang) if d.type == "macro"]) >= 8


def test_agent_blocks_in_public_articles(content: ContentSet) -> None:
    with_blocks = [d for d in content if d.is_public and d.outline.agent_blocks]
    assert len({d.rel for d in with_blocks}) >= 5
    assert {d.lang for d in with_blocks} == {"en", "fr"}


def test_every_category_and_integration_topic_is_covered(kb: KnowledgeBase, content: ContentSet) -> None:
    used = Counter(d.category for d in content.in_language("en"))
    assert set(kb.taxonomy.categories) <= set(used)
    text = " ".join(d.body for d in content.in_language("en") if d.category == "integrations")
    assert "Microsoft 365" in text and "Google Workspace" in text
