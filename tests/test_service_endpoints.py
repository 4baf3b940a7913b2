"""Adding an endpoint is one declaration: a route under `@endpoint(...)` is validated by its query model (kb's
422 list) and described in /api/v1/openapi.json with its parameters, answers, errors and security, and a
route without one is not described. Routes are added here to a real app, as a new feature's blueprint is."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO_ROOT
from flask import Blueprint, Response, jsonify
from pydantic import Field

from kbtools.model.project import KnowledgeBase
from kbtools.service import create_app
from kbtools.service.endpoints import AGENT, ANYONE, ANYONE_OR_AGENT, endpoint
from kbtools.service.queries import Language, QueryModel, WholeNumber
from kbtools.service.responses import ResponseModel

TOKEN = "endpoints-token-123456"

LANGUAGES = sorted(KnowledgeBase(REPO_ROOT).taxonomy.language_codes)  # the sample's, as the document lists them


class EchoQuery(QueryModel):
    lang: Language = Field(None, description="A language of the knowledge base.")
    times: WholeNumber = Field(1, ge=1, le=5, description="How many times.")


class Echo(ResponseModel):
    lang: str | None
    times: int


@pytest.fixture(params=[("anyone", ANYONE), ("agent", AGENT), ("either", ANYONE_OR_AGENT)], ids=lambda p: p[0])
def declared(request: pytest.FixtureRequest, tmp_path: Path):
    name, security = request.param
    path = f"/api/v1/echo-{name}"
    bp = Blueprint(f"echo_{name}", __name__)

    @bp.get(path)
    @endpoint(
        query=EchoQuery,
        answer=Echo,
        answer_text="The query, parsed.",
        errors={422: "Bad parameters."},
        security=security,
    )
    def echo(query: EchoQuery) -> Response:
        """Echo the query

        Said back as the model parsed it.
        """
        return jsonify({"lang": query.lang, "times": query.times})

    @bp.get(f"/api/v1/undeclared-{name}")
    def undeclared() -> Response:
        return jsonify({})

    app = create_app(
        {
            "root": str(REPO_ROOT),
            "database_url": f"sqlite:///{tmp_path / 'events.sqlite3'}",
            "rate_limit": "off",
            "api_tokens": [TOKEN],
        }
    )
    app.register_blueprint(bp)
    yield app.test_client(), path, security, name
    app.extensions["kb_engine"].dispose()


def test_a_declared_route_is_validated_by_its_query_model(declared) -> None:
    client, path, _, _ = declared
    assert client.get(f"{path}?lang=fr&times=3").get_json() == {"lang": "fr", "times": 3}
    answer = client.get(f"{path}?lang=de&times=9&colour=red")
    assert answer.status_code == 422
    body = answer.get_json()
    assert (body["error"], [error["field"] for error in body["errors"]]) == (
        "invalid_parameters",
        ["colour", "lang", "times"],
    )


def test_a_declared_route_is_described_from_its_declaration(declared) -> None:
    client, path, security, name = declared
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"][path]["get"]
    assert (operation["summary"], operation["description"]) == ("Echo the query", "Said back as the model parsed it.")
    assert [(p["name"], p["in"], p["required"]) for p in operation["parameters"]] == [
        ("lang", "query", False),
        ("times", "query", False),
    ]
    assert operation["parameters"][0]["schema"] == {"type": "string", "enum": LANGUAGES}
    assert operation["parameters"][1]["schema"] == {"type": "integer", "minimum": 1, "maximum": 5, "default": 1}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Echo"
    }
    assert operation["responses"]["422"]["description"] == "Bad parameters."
    assert operation["security"] == security
    assert document["components"]["schemas"]["Echo"]["required"] == ["lang", "times"]
    assert f"/api/v1/undeclared-{name}" not in document["paths"]
    assert not any(p.startswith("/internal/") for p in document["paths"])  # the wiki's mirrors: described once
