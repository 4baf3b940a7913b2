"""The API against its own OpenAPI description, with schemathesis generating requests (no 5xx, responses
match the schema). The sample knowledge base and a SQLite store in a temporary folder."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from conftest import REPO_ROOT
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from kbtools.model.project import KnowledgeBase
from kbtools.service import create_app
from search import build_index

_FOLDER = Path(tempfile.mkdtemp(prefix="kb-openapi-"))
build_index(KnowledgeBase(REPO_ROOT), _FOLDER / "index")  # so /api/v1/search answers (it is a 503 without)
APP = create_app(
    {
        "root": str(REPO_ROOT),
        "database_url": f"sqlite:///{_FOLDER / 'events.sqlite3'}",
        "rate_limit": "off",
        "api_tokens": ["openapi-test-token"],
        "search_index": str(_FOLDER / "index"),
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)
# A body over MAX_BODY_BYTES is refused before it is read (413, declared on the operations that take a body):
# a correct refusal of data the schema forbids, which schemathesis does not count as one by default.
schema.config.checks.negative_data_rejection.expected_statuses.append("413")


def test_the_description_is_valid_openapi() -> None:
    from openapi_spec_validator import validate

    validate(APP.test_client().get("/api/v1/openapi.json").get_json())


def test_the_description_says_what_the_routes_accept_and_answer() -> None:
    paths = APP.test_client().get("/api/v1/openapi.json").get_json()["paths"]

    def parameters(path: str) -> dict[str, dict]:
        return {parameter["name"]: parameter for parameter in paths[path]["get"]["parameters"]}

    for path in (
        "/api/v1/stats/articles",
        "/api/v1/stats/macros",
        "/api/v1/reports/deflection",
        "/api/v1/reports/gaps",
    ):
        assert {"from", "to", "lang"} <= parameters(path).keys(), path
        assert parameters(path)["lang"]["schema"]["enum"] == ["en", "es", "fr"]
        assert paths[path]["get"]["security"] == [{"bearer": []}]
    assert parameters("/api/v1/stats/articles")["site"]["schema"]["enum"] == ["public", "internal", "all"]
    assert {"400", "413", "415", "422", "429", "503"} <= paths["/api/v1/events"]["post"]["responses"].keys()
    search = paths["/api/v1/search"]["get"]
    assert search["security"] == [{}, {"bearer": []}]  # optional: a token unlocks internal results
    assert "internal" in search["description"]
    assert parameters("/api/v1/search")["site_lang"]["schema"]["enum"] == ["en", "es", "fr"]


@schema.parametrize()
@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_description(case) -> None:
    """Every check but "schema-valid data is accepted": an event naming a page id the knowledge base does not
    have is schema-valid and still refused (422), by design. 100 examples per operation, derandomized, with
    schemathesis's default phases (explicit examples, boundary coverage, positive and negative fuzzing)."""
    case.call_and_validate(
        headers={"Authorization": "Bearer openapi-test-token"}, excluded_checks=[positive_data_acceptance]
    )
