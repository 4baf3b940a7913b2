"""JSON request bodies, one pydantic model each: declared once, they validate the body, make the 422 error list
and give the OpenAPI description its request schema (`model_json_schema`).

A body is read whole (at most MAX_BODY_BYTES, JSON nested at most MAX_DEPTH levels), then validated strictly:
unknown fields, wrong types (no "1" for a number, no 1 for a string) and text holding control characters are
refused, each with its field named.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar

from flask import request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, ValidationInfo

from kbtools.service.errors import ApiError
from kbtools.service.events import MAX_DEPTH, read_body, too_deep
from kbtools.service.schemas import MAX_BODY_BYTES
from kbtools.service.validation import text_problem

_ID = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"  # a helpdesk's ticket id: digits, or letters and separators
_SLUG = "^[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)?$"
_CHANNEL = "^[a-z0-9]+([_-][a-z0-9]+)*$"
TOKEN_PATTERN = "^[A-Za-z0-9_-]{20,100}$"


def _text(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _known_language(value: str, info: ValidationInfo) -> str:
    languages = (info.context or {}).get("languages", ())
    if value not in languages:
        raise ValueError(f"not a language of this knowledge base; languages: {', '.join(sorted(languages))}")
    return value


def _known_case_reason(value: str | None, info: ValidationInfo) -> str | None:
    reasons = (info.context or {}).get("case_reasons", ())
    if value is not None and value not in reasons:
        raise ValueError("not a case reason (reason/sub-reason) of taxonomy.yml")
    return value


Text = Annotated[str, AfterValidator(_text)]


class BodyModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class AutoreplyRequest(BodyModel):
    """A new ticket, as the helpdesk's trigger sends it. Its subject and body are searched, never stored."""

    ticket_id: str = Field(pattern=_ID, description="The helpdesk's ticket id (1 to 100 letters, digits, . _ : -).")
    subject: Text = Field(max_length=500, description="The ticket's subject (up to 500 characters).")
    body: Text = Field(max_length=20_000, description="The ticket's first message (up to 20,000 characters).")
    lang: Annotated[str, AfterValidator(_known_language)] = Field(
        description="The customer's language: one of this knowledge base's languages."
    )
    case_reason: Annotated[str | None, AfterValidator(_known_case_reason)] = Field(
        None, pattern=_SLUG, description="The ticket's case reason (reason/sub-reason of taxonomy.yml), if set."
    )
    channel: str | None = Field(
        None, pattern=_CHANNEL, max_length=32, description="Where the ticket came from: email, web, chat..."
    )


class OutcomeRequest(BodyModel):
    """The customer's answer on the suggested article: did it solve the request?"""

    token: str = Field(pattern=TOKEN_PATTERN, description="The tracking token the article page was opened with.")
    solved: bool = Field(description="true: 'Yes, this solved my request'; false: 'No, I still need help'.")


B = TypeVar("B", bound=BodyModel)


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "string_pattern_mismatch":
        return "not in the expected form (see the API description)"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return str(error["msg"])


def parse_body(model: type[B], context: dict[str, Any]) -> B:
    """The request's JSON body as `model`, or the 4xx saying what is wrong (every bad field at once)."""
    if request.mimetype not in ("application/json", "text/plain"):
        raise ApiError(415, "unsupported_media_type", "send JSON as application/json or text/plain")
    raw = read_body(MAX_BODY_BYTES)
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ApiError(400, "malformed_json", "the body is not valid JSON") from None
    if too_deep(payload, MAX_DEPTH):
        raise ApiError(400, "malformed_json", f"the body nests arrays or objects more than {MAX_DEPTH} levels deep")
    if not isinstance(payload, dict):
        raise ApiError(422, "invalid_body", "the body is a JSON object", [{"field": "(body)", "message": "object"}])
    try:
        return model.model_validate(payload, context=context)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])[:100] or "(body)"
            errors.setdefault(field, _message(error))
        listed = [{"field": field, "message": message} for field, message in errors.items()]
        raise ApiError(422, "invalid_body", "nothing was stored: fix these fields", listed) from None
