"""An experiment on an auto-reply template (metric resolution_rate), through the Flask test client on SQLite and
PostgreSQL: each ticket is sent the variant its id is assigned (the same as kbtools.model.experiments.assign, and the
same again for a retried ticket), the ticket row records experiment and variant, and the experiments report
counts tickets sent and tickets solved per variant."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from databases import BACKENDS, database_url

from kbtools.model.experiments import assign
from kbtools.model.project import KnowledgeBase
from kbtools.service import create_app
from search import build_index

TOKEN = "autoreply-experiment-token-1"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EXPERIMENT = "declined-reply"
VARIANTS = ["control", "short"]
SHORT_TEXT = "SHORTREPLYMARKER"  # only in the variant's body
TEMPLATE = "content/en/cards/autoreply-card-declined.md"
DECLARATION = (
    f"experiment: {{id: {EXPERIMENT}, metric: resolution_rate, min_sample: 100, start: 2026-01-01, stop: 2030-12-31}}\n"
)
TICKET = {
    "subject": "Card declined at restaurant",
    "body": "Hello, my Brightspend card was declined twice last night at a restaurant. The app says insufficient "
    "wallet balance but our finance team topped the wallet up last week. Can you check? Thanks, Anna",
    "lang": "en",
    "case_reason": "card/declined",
    "channel": "email",
}


@pytest.fixture(scope="module")
def knowledge_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample knowledge base with an experiment on the declined-card auto-reply: a shorter variant."""
    root = tmp_path_factory.mktemp("autoreply-experiment") / "kb"
    shutil.copytree(REPO_ROOT / "content", root / "content")
    shutil.copy(REPO_ROOT / "mkdocs.yml", root / "mkdocs.yml")
    canonical = root / TEMPLATE
    text = canonical.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    canonical.write_text(f"{front}\n{DECLARATION}---\n{body}", encoding="utf-8")
    short_body = (
        f"\nHi {{{{ticket.requester.first_name}}}}, {SHORT_TEXT}: these articles may help.\n\n"
        "{{autoreply.articles}}\n"
    )
    variant_front = front + "\nexperiment: {id: declined-reply, variant: short}\n"
    (canonical.parent / "autoreply-card-declined-short.md").write_text(f"{variant_front}---\n{short_body}")
    build_index(KnowledgeBase.at(root), root / "index")
    return root


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path, knowledge_base: Path):
    app = create_app(
        {
            "root": str(knowledge_base),
            "database_url": database_url(request.param, tmp_path),
            "rate_limit": "off",
            "api_tokens": [TOKEN],
            "search_index": str(knowledge_base / "index"),
        }
    )
    yield app
    app.extensions["kb_engine"].dispose()


def _send(client, ticket_id: str) -> dict:
    answer = client.post("/api/v1/autoreply", json={**TICKET, "ticket_id": ticket_id}, headers=AUTH)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_each_ticket_gets_the_variant_its_id_is_assigned_and_the_report_counts_them(app) -> None:
    client = app.test_client()
    assert [e.id for e in app.extensions["kb_catalog"].experiments] == [EXPERIMENT]  # the declaration is valid
    sent: dict[str, list[dict]] = {name: [] for name in VARIANTS}
    for number in range(24):
        ticket_id = f"ZD-{number:04d}"
        answer = _send(client, ticket_id)
        expected = assign(EXPERIMENT, ticket_id, VARIANTS)
        assert (answer["experiment"], answer["variant"]) == (EXPERIMENT, expected)
        assert (SHORT_TEXT in answer["reply"]) == (expected == "short")  # the variant's text is what is sent
        assert answer["articles"] and answer["template"] == "autoreply-card-declined"
        sent[expected].append(answer)
    assert all(sent[name] for name in VARIANTS)  # 24 ids reach both variants
    again = _send(client, "ZD-0000")  # a retried ticket: the same variant
    assert again["variant"] == assign(EXPERIMENT, "ZD-0000", VARIANTS)
    sent[again["variant"]].append(again)
    # Customers answer: the first two tickets of the control and the first three of the variant are solved,
    # one more of each is not
    answered = {"control": (2, 1), "short": (3, 1)}
    for name, (solved, not_solved) in answered.items():
        for index, answer in enumerate(sent[name][: solved + not_solved]):
            token = re.search(r"/r/([A-Za-z0-9_-]+)$", answer["articles"][0]["url"])
            assert token is not None
            outcome = client.post("/api/v1/autoreply/outcome", json={"token": token.group(1), "solved": index < solved})
            assert outcome.status_code == 200, outcome.get_json()
    report = client.get(f"/api/v1/reports/experiments?id={EXPERIMENT}", headers=AUTH).get_json()
    (found,) = report["experiments"]
    assert found["metric"] == "resolution_rate" and found["verdict"] == "collecting"  # 100 per variant not reached
    by_variant = {v["variant"]: v for v in found["variants"]}
    for name in VARIANTS:
        assert by_variant[name]["exposures"] == by_variant[name]["trials"] == len(sent[name])
        assert by_variant[name]["conversions"] == answered[name][0]
