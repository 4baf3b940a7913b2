"""Every answer of the API has a model (kbtools/service/responses.py): the body a client gets is that model, in
the order it declares, and the OpenAPI description publishes that model for it; the events body is a union of
event models told apart by `type`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import pytest
from conftest import REPO_ROOT
from pydantic import BaseModel

from kbtools.model.project import KnowledgeBase
from kbtools.model.vocabulary import EVENT_TYPES
from kbtools.service import create_app
from kbtools.service.responses import Accepted, ErrorBody, Health, Popular, SearchResults
from search import build_index

LANGUAGES = sorted(KnowledgeBase(REPO_ROOT).taxonomy.language_codes)  # the sample's, as the document lists them

TOKEN = "bodies-token-123456"
AGENT = {"Authorization": f"Bearer {TOKEN}"}
VIEW = {"type": "view", "lang": "en", "article": "card-payment-declined", "session": "bodies-tab-0001"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    folder: Path = tmp_path_factory.mktemp("bodies")
    build_index(KnowledgeBase(REPO_ROOT), folder / "index")
    app = create_app(
        {
            "root": str(REPO_ROOT),
            "database_url": f"sqlite:///{folder / 'events.sqlite3'}",
            "rate_limit": "off",
            "api_tokens": [TOKEN],
            "search_index": str(folder / "index"),
        }
    )
    yield app.test_client()
    app.extensions["kb_engine"].dispose()


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model `annotation` names, or holds (a list of it, it or None)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((inner for arg in get_args(annotation) if (inner := _model_of(arg)) is not None), None)


def _out_of_order(body: dict[str, Any], model: type[BaseModel], where: str) -> list[str]:
    """Keys of `body` (and of the objects inside it) that come in another order than `model` declares them."""
    declared = [field.alias or name for name, field in model.model_fields.items()]
    wrong = [] if list(body) == [key for key in declared if key in body] else [f"{where}: {list(body)}"]
    for name, field in model.model_fields.items():
        inner, value = _model_of(field.annotation), body.get(field.alias or name)
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            if inner is not None and isinstance(item, dict):
                wrong += _out_of_order(item, inner, f"{where}.{name}[{index}]")
    return wrong


# Each answer: how it is asked for, and the model of its body
ANSWERS = [
    ("health", "GET", "/api/v1/health", None, {}, Health),
    ("search", "GET", "/api/v1/search?q=card+declined", None, {}, SearchResults),
    ("search signed in, macros with their reply", "GET", "/api/v1/search?q=refund+macro", None, AGENT, SearchResults),
    ("search in French", "GET", "/api/v1/search?q=carte&lang=fr", None, {}, SearchResults),
    ("search with no hit", "GET", "/api/v1/search?q=zzzqqq", None, {}, SearchResults),
    ("popular", "GET", "/api/v1/popular?lang=fr&limit=3", None, {}, Popular),
    ("events", "POST", "/api/v1/events", {"events": [VIEW, {**VIEW, "type": "contact"}]}, {}, Accepted),
    ("a bad query string", "GET", "/api/v1/search?q=card&page=0&nope=1", None, {}, ErrorBody),
    ("bad events", "POST", "/api/v1/events", {**VIEW, "lang": "de"}, {}, ErrorBody),
    ("not signed in", "GET", "/api/v1/stats/macros", None, {}, ErrorBody),
]


@pytest.mark.parametrize(("name", "method", "url", "body", "headers", "model"), ANSWERS, ids=[a[0] for a in ANSWERS])
def test_each_answer_is_its_model_in_declared_order(client, name, method, url, body, headers, model) -> None:
    answer = client.open(url, method=method, json=body, headers=headers)
    data = answer.get_json()
    model.model_validate(data)  # no key missing, none extra, every value of the declared type
    assert _out_of_order(data, model, name) == []
    if "macros" in name:  # a signed-in search answers macros with the text Copy reply copies
        assert any(hit["type"] == "macro" and hit["reply"] for hit in data["hits"])


@pytest.mark.parametrize(
    ("path", "method", "status", "model"),
    [
        ("/api/v1/health", "get", "200", Health),
        ("/api/v1/search", "get", "200", SearchResults),
        ("/api/v1/popular", "get", "200", Popular),
        ("/api/v1/events", "post", "202", Accepted),
        ("/api/v1/events", "post", "422", ErrorBody),
        ("/api/v1/search", "get", "422", ErrorBody),
    ],
)
def test_the_description_publishes_each_answers_model(client, path, method, status, model) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    content = document["paths"][path][method]["responses"][status]["content"]["application/json"]
    assert content["schema"] == {"$ref": f"#/components/schemas/{model.__name__}"}
    published = document["components"]["schemas"][model.__name__]
    assert list(published["properties"]) == [field.alias or name for name, field in model.model_fields.items()]
    assert published["additionalProperties"] is False


def test_the_description_tells_events_apart_by_type(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    items = schemas["EventBatch"]["properties"]["events"]["items"]
    assert items["discriminator"]["propertyName"] == "type"
    mapping = items["discriminator"]["mapping"]
    assert sorted(mapping) == sorted(EVENT_TYPES)
    for kind, ref in mapping.items():
        event = schemas[ref.rsplit("/", 1)[-1]]
        assert event["properties"]["type"]["enum"] == [kind]
        assert event["properties"]["lang"]["enum"] == LANGUAGES  # this knowledge base's languages
        assert {"type", "lang", "session"} <= set(event["required"])
