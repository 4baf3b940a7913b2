"""No probing of internal ids: an anonymous client learns nothing from the API about which internal pages or
macros exist. Signed-in agents still get useful errors and have their events stored.

Every event type of the schema x every field that names a page x every `site` value x {an internal page, an
internal macro, an unknown id, a public page} x {anonymous, signed-in}, alone and inside a batch; and the
search API's parameters that name taxonomy entries, some of which (internal categories) are internal.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT
from sqlalchemy import func, select

from kbtools.analytics.store import events, votes
from kbtools.model.project import KnowledgeBase
from kbtools.model.vocabulary import EVENT_TYPES
from kbtools.service import create_app
from kbtools.service.schemas import EVENT_SCHEMAS
from search import build_index

TOKEN = "probing-token-0001"
AGENT = {"Authorization": f"Bearer {TOKEN}"}
SESSION = "probe-tab-000001"

# Pages of the sample content (checked below, so a content change cannot silently void the test)
TARGETS = {
    "internal page": "refund-and-goodwill-guardrails",  # an SOP
    "internal macro": "macro-refund-approved",
    "unknown id": "no-such-page-at-all",
    "public page": "card-payment-declined",
}
PROBES = ("internal page", "internal macro", "unknown id")  # what an anonymous client must not tell apart
SITES = ("omitted", "public", "internal")
PLACEHOLDER = "<ID>"


def id_fields(kind: str) -> list[str]:
    """The fields of an event type that name a page: every property with a page-id pattern, per the schema."""
    properties = EVENT_SCHEMAS[kind]["properties"]
    return [name for name, schema in properties.items() if "[a-z0-9]+(-[a-z0-9]+)*" in schema.get("pattern", "")]


def event(kind: str, page_id: str, site: str, lang: str = "en") -> dict[str, Any]:
    """A well-formed event of `kind` naming `page_id` in every field that names a page."""
    item: dict[str, Any] = {"type": kind, "lang": lang, "session": SESSION}
    item.update(dict.fromkeys(id_fields(kind), page_id))
    required = EVENT_SCHEMAS[kind]["required"]
    if "helpful" in required:
        item["helpful"] = False
    if "query" in required:
        item.update(query="refund", results=0)
    if site != "omitted":
        item["site"] = site
    return item


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("index")
    build_index(KnowledgeBase(REPO_ROOT), folder)
    return folder


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, index_dir: Path):
    folder = tmp_path_factory.mktemp("probing")
    application = create_app(
        {
            "root": str(REPO_ROOT),
            "database_url": f"sqlite:///{folder / 'events.sqlite3'}",
            "rate_limit": "off",
            "api_tokens": [TOKEN],
            "site_dir": str(folder / "site"),
            "search_index": str(index_dir),
        }
    )
    yield application
    application.extensions["kb_engine"].dispose()


def _stored(app) -> int:
    with app.extensions["kb_engine"].connect() as connection:
        return sum(connection.execute(select(func.count()).select_from(t)).scalar_one() for t in (events, votes))


def _answer(client, body: Any, headers: dict[str, str], page_id: str) -> tuple[int, str]:
    """Status and body of a POST, the id the client sent replaced by a placeholder (echoing it back is no leak)."""
    answer = client.post("/api/v1/events", json=body, headers=headers)
    return answer.status_code, answer.get_data(as_text=True).replace(page_id, PLACEHOLDER)


def test_the_sample_content_has_the_pages_the_probes_name(app) -> None:
    catalog = app.extensions["kb_catalog"]
    assert catalog.has("en", TARGETS["internal page"]) and ("en", TARGETS["internal page"]) not in catalog.public
    assert catalog.types[("en", TARGETS["internal macro"])] == "macro"
    assert ("en", TARGETS["internal macro"]) not in catalog.public
    assert ("en", TARGETS["public page"]) in catalog.public
    assert not any(catalog.has(lang, TARGETS["unknown id"]) for lang in catalog.languages)
    assert all(id_fields(kind) for kind in EVENT_TYPES if kind != "search")  # the test does probe id fields


@pytest.mark.parametrize("batch", [False, True], ids=["alone", "in-a-batch"])
@pytest.mark.parametrize("site", SITES)
@pytest.mark.parametrize("kind", [kind for kind in EVENT_TYPES if id_fields(kind)])  # search names no page
def test_anonymous_clients_cannot_tell_internal_ids_from_unknown_ones(app, kind: str, site: str, batch: bool) -> None:
    client = app.test_client()
    before = _stored(app)
    for lang in ("en", "fr", "de"):  # a language of the knowledge base, another one, and one it does not have
        answers = {}
        for probe in PROBES:
            item = event(kind, TARGETS[probe], site, lang)
            body = {"events": [event("view", TARGETS["public page"], "public"), item]} if batch else item
            answers[probe] = _answer(client, body, {}, TARGETS[probe])
        assert len(set(answers.values())) == 1, answers
        status, text = answers["unknown id"]
        assert 400 <= status < 500 and "internal" not in text.replace("site: internal", "")
    assert _stored(app) == before  # nothing stored either


@pytest.mark.parametrize("kind", EVENT_TYPES)
def test_anonymous_wiki_events_are_refused_the_same_way_whatever_they_name(app, kind: str) -> None:
    """`site: internal` needs the wiki's sign-in; the refusal comes before any page is looked up."""
    client = app.test_client()
    answers = {_answer(client, event(kind, page_id, "internal"), {}, page_id) for page_id in TARGETS.values()}
    assert len(answers) == 1
    status, text = answers.pop()
    assert (status, json.loads(text)["error"]) == (403, "agent_only")


@pytest.mark.parametrize("site", ["omitted", "public"])
@pytest.mark.parametrize("kind", EVENT_TYPES)
def test_anonymous_help_center_events_naming_public_pages_are_still_stored(app, kind: str, site: str) -> None:
    """The same answers for internal and unknown ids do not come from refusing everything."""
    client = app.test_client()
    before = _stored(app)
    item = {**event(kind, TARGETS["public page"], site), "session": f"reader-{kind}-{site}".replace("_", "-")}
    answer = client.post("/api/v1/events", json=item)
    if kind == "macro_used":  # a public page is no macro, and saying so tells nothing that is not public
        assert answer.status_code == 422 and "is not a macro" in answer.get_data(as_text=True)
        assert _stored(app) == before
    else:
        assert (answer.status_code, answer.get_json()) == (202, {"accepted": 1})
        assert _stored(app) == before + 1


def _expected_for_agent(kind: str, site: str, target: str) -> tuple[int, str | None]:
    """What a signed-in agent gets: (status, words of the error message) for each target."""
    internal_site = site == "internal"
    if kind == "search":
        return 202, None
    if target == "unknown id":
        return 422, "no published page"
    if not internal_site and target != "public page":
        return 422, "internal page"  # the help center's events name its own pages; the agent is told why
    if kind == "macro_used" and target != "internal macro":
        return 422, "is not a macro"
    return 202, None


@pytest.mark.parametrize("site", SITES)
@pytest.mark.parametrize("kind", EVENT_TYPES)
@pytest.mark.parametrize("target", TARGETS)
def test_signed_in_agents_get_useful_errors_and_their_events_stored(app, kind: str, site: str, target: str) -> None:
    client = app.test_client()
    before = _stored(app)
    item = event(kind, TARGETS[target], site)
    item["session"] = f"agent-{kind}-{site}-{target}".replace(" ", "-").replace("_", "-")
    answer = client.post("/api/v1/events", json=item, headers=AGENT)
    status, words = _expected_for_agent(kind, site, target)
    assert answer.status_code == status, answer.get_json()
    if status == 202:
        assert _stored(app) == before + 1
        return
    messages = [error["message"] for error in answer.get_json()["errors"]]
    assert any(words in message for message in messages), messages
    assert _stored(app) == before


@pytest.mark.parametrize(
    ("parameter", "internal_value", "unknown_value"),
    [
        ("category", "support-playbooks", "no-such-category"),
        ("type", "macro", "no-such-type"),
        ("type", "sop", "no-such-type"),
    ],
)
def test_anonymous_search_filters_do_not_tell_internal_values_from_unknown_ones(
    app, parameter: str, internal_value: str, unknown_value: str
) -> None:
    client = app.test_client()
    answers = []
    for value in (internal_value, unknown_value):
        answer = client.get(f"/api/v1/search?q=refund&lang=en&session={SESSION}&{parameter}={value}")
        answers.append((answer.status_code, answer.get_data(as_text=True).replace(value, PLACEHOLDER)))
    assert answers[0] == answers[1]
    signed_in = client.get(f"/api/v1/search?q=refund&lang=en&{parameter}={internal_value}", headers=AGENT)
    assert signed_in.status_code == 200 and signed_in.get_json()["total"] > 0  # agents do find them
