"""The API against its own OpenAPI description, with schemathesis generating requests (no 5xx, responses
match the schema). The sample knowledge base and a SQLite store in a temporary folder."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from conftest import REPO_ROOT
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from kbtools.project import KnowledgeBase
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


def test_the_description_is_valid_openapi() -> None:
    from openapi_spec_validator import validate

    validate(APP.test_client().get("/api/v1/openapi.json").get_json())


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_description(case) -> None:
    """Every check but "schema-valid data is accepted": an event naming a page id the knowledge base does not
    have is schema-valid and still refused (422), by design."""
    case.call_and_validate(
        headers={"Authorization": "Bearer openapi-test-token"}, excluded_checks=[positive_data_acceptance]
    )
