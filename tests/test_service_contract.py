"""The API contract: the reports' bodies keep the key order their models declare, the description's parameters
are the query models' fields, and every bad query string gets the same 422 list."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import pytest
from conftest import REPO_ROOT
from pydantic import BaseModel

from kbtools.service import create_app
from kbtools.service.queries import (
    ArticleStatsQuery,
    DeflectionQuery,
    GapsQuery,
    MacroOutcomesQuery,
    MacroStatsQuery,
    SearchQuery,
    parameter_names,
)
from kbtools.service.responses import ArticleStats, Deflection, Gaps, MacroOutcomes, MacroStats

TOKEN = "contract-token-123456"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PERIOD = "from=2026-11-01&to=2026-11-30"
REPORTS = [
    ("/api/v1/stats/articles", ArticleStatsQuery, ArticleStats),
    ("/api/v1/stats/macros", MacroStatsQuery, MacroStats),
    ("/api/v1/reports/deflection", DeflectionQuery, Deflection),
    ("/api/v1/reports/gaps", GapsQuery, Gaps),
    ("/api/v1/reports/macro-outcomes", MacroOutcomesQuery, MacroOutcomes),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    folder: Path = tmp_path_factory.mktemp("contract")
    app = create_app(
        {
            "root": str(REPO_ROOT),
            "database_url": f"sqlite:///{folder / 'events.sqlite3'}",
            "rate_limit": "off",
            "api_tokens": [TOKEN],
            "search_index": str(folder / "none"),
        }
    )
    client = app.test_client()
    view = {"type": "view", "lang": "en", "article": "card-payment-declined", "session": "contract-0001"}
    assert client.post("/api/v1/events", json={"events": [view, {**view, "type": "contact"}]}).status_code == 202
    yield client
    app.extensions["kb_engine"].dispose()


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _declared_order_kept(body: dict[str, Any], model: type[BaseModel], where: str) -> list[str]:
    """Where `body` (and the objects inside it) lists its keys in another order than `model` declares."""
    fields = {(field.alias or name): field for name, field in model.model_fields.items()}
    wrong = [] if list(body) == list(fields) else [f"{where}: {list(body)} != {list(fields)}"]
    for key, field in fields.items():
        inner = _model_of(field.annotation)
        value = body.get(key)
        if inner is None or value is None:
            continue
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            wrong += _declared_order_kept(item, inner, f"{where}.{key}[{index}]")
    return wrong


@pytest.mark.parametrize(("path", "query", "model"), REPORTS, ids=[path for path, _, _ in REPORTS])
def test_report_keys_come_in_the_order_their_model_declares(client, path: str, query: type, model: type) -> None:
    """Flask 3 sorts JSON keys unless told not to: a report read by a person starts with its period."""
    body = client.get(f"{path}?{PERIOD}", headers=AUTH).get_json()
    assert _declared_order_kept(body, model, path) == []
    assert list(body)[:2] == ["from", "to"]


def test_error_bodies_keep_their_order(client) -> None:
    body = client.get("/api/v1/stats/articles?site=wiki", headers=AUTH).get_json()
    assert list(body) == ["error", "message", "errors"]
    assert list(body["errors"][0]) == ["field", "message"]


@pytest.mark.parametrize(
    ("path", "query"),
    [(path, query) for path, query, _ in REPORTS] + [("/api/v1/search", SearchQuery)],
    ids=[path for path, _, _ in REPORTS] + ["/api/v1/search"],
)
def test_the_description_lists_each_query_field_once_in_order(client, path: str, query: type) -> None:
    operation = client.get("/api/v1/openapi.json").get_json()["paths"][path]["get"]
    assert [parameter["name"] for parameter in operation["parameters"]] == parameter_names(query)


@pytest.mark.parametrize(("path", "query"), [(path, query) for path, query, _ in REPORTS])
@pytest.mark.parametrize(
    ("arguments", "field", "says"),
    [
        ("from=0", "from", "expected a date YYYY-MM-DD"),  # pydantic alone would read a Unix time
        ("to=2026-1-1", "to", "expected a date YYYY-MM-DD"),
        ("to=2026-11-20T00:00:00", "to", "expected a date YYYY-MM-DD"),
        ("lang=de", "lang", "not a language of this knowledge base"),
        ("colour=red", "colour", "unknown parameter; expected from, to, lang"),
    ],
)
def test_bad_report_parameters_get_the_same_422(client, path: str, query: type, arguments: str, field: str, says: str):
    answer = client.get(f"{path}?{arguments}", headers=AUTH)
    assert answer.status_code == 422
    body = answer.get_json()
    assert (body["error"], body["message"]) == ("invalid_parameters", "bad query parameters")
    assert [error["field"] for error in body["errors"]] == [field]
    assert says in body["errors"][0]["message"]


@pytest.mark.parametrize("value", ["1.0", " 2", "1_0", "+3", "٣"])
def test_search_page_numbers_are_plain_digits(client, value: str) -> None:
    answer = client.get(f"/api/v1/search?q=card&page={value}")
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == [{"field": "page", "message": "expected a whole number from 1 to 1000"}]


def test_every_bad_parameter_is_listed_at_once(client) -> None:
    answer = client.get("/api/v1/reports/deflection?from=yesterday&format=xml&lang=de&zoom=2", headers=AUTH)
    assert answer.status_code == 422
    assert [error["field"] for error in answer.get_json()["errors"]] == ["zoom", "from", "lang", "format"]
