"""POST /api/v1/webhooks/ticket-solved (and one route per helpdesk): a solved ticket and the macros applied.

Every route checks, in this order, and answers a 4xx JSON error at the first that fails, having stored nothing:
the signature of its scheme (401), the JSON (400), the shape (422), the macros, language and case reason
against the knowledge base (422, naming each), then the replay check (409). Each route takes its own scheme
only: `/api/v1/webhooks/ticket-solved` X-KB-Signature, `/zendesk/` Zendesk's headers, `/intercom/`
Intercom's; a header of another scheme is ignored, never a way around the route's own.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from pydantic import Field, RootModel, ValidationError

from kbtools.analytics import store as db
from kbtools.analytics.outcomes import AlreadyReceived, SolvedTicket, record_solved
from kbtools.model.helpdesk_signatures import (
    INTERCOM_SIGNATURE,
    ZENDESK_SIGNATURE,
    ZENDESK_TIMESTAMP,
    verify_intercom,
    verify_zendesk,
)
from kbtools.model.signatures import SIGNATURE_HEADER, SignatureError, verify
from kbtools.service.catalog import Catalog
from kbtools.service.endpoints import ANYONE, endpoint
from kbtools.service.errors import ApiError
from kbtools.service.events import read_body
from kbtools.service.inbound import Mapped, ShapeError, intercom, zendesk
from kbtools.service.inbound.kb import TicketSolvedBody
from kbtools.service.responses import ResponseModel
from kbtools.service.schemas import MAX_BODY_BYTES
from kbtools.service.settings import Settings

bp = Blueprint("ticket_solved", __name__)

PATH = "/api/v1/webhooks/ticket-solved"
ZENDESK_PATH = "/api/v1/webhooks/zendesk/ticket-solved"
INTERCOM_PATH = "/api/v1/webhooks/intercom/ticket-solved"


class SolvedStored(ResponseModel):
    ticket_id: str
    macros: int = Field(ge=0, description="Rows stored: one per macro applied.")


class HelpdeskPayload(RootModel[dict[str, Any]]):
    """A helpdesk's own JSON object, mapped to kb's body by the route (docs/helpdesks.md)."""


ERRORS = {
    400: "The body is not JSON.",
    401: "Missing, malformed or wrong signature, a signed time outside the window, or no secret set.",
    409: "This delivery was received before (a replay, or a retry kb already answered).",
    413: "The body is over 64 KiB.",
    422: "Not shaped as the route expects, or a macro, language or case reason this knowledge base does not have; "
    "`errors` names each field.",
    503: "The event store is unavailable; nothing was stored: retry later.",
}
_STORED = "Stored: one row per macro applied. Nothing is stored from a refused request (docs/helpdesks.md)."


def _settings() -> Settings:
    settings: Settings = current_app.config["KB"]
    return settings


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "bad_signature", message)


def _secrets(secrets: list[str], variable: str) -> list[str]:
    if not secrets:
        raise _unauthorized(f"no signing secret is configured for this route ({variable}): nothing can be verified")
    return secrets


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ApiError(400, "malformed_json", "the body is not valid JSON") from None


# Fields whose pydantic message would list the members of a union one by one
_EXPECTED = {"satisfaction": 'expected "good", "bad", a whole score from 1 to 5, or null'}


def _field_errors(exc: ValidationError) -> list[dict[str, str]]:
    """One error per field (a union's members are not listed one by one), fields as `macros[1]`."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        name, rest = str(error["loc"][0]) if error["loc"] else "(body)", error["loc"][1:]
        field = name + "".join(f"[{part}]" for part in rest[:1] if isinstance(part, int))
        message = _EXPECTED.get(name) or str(error["msg"]).removeprefix("Value error, ")
        errors.setdefault(field, message[:200])
    return [{"field": field, "message": message} for field, message in errors.items()]


def _checked(mapped: Mapped, helpdesk: str) -> tuple[SolvedTicket, TicketSolvedBody]:
    """kb's body, validated, and checked against the knowledge base: every problem at once."""
    try:
        body = TicketSolvedBody.model_validate(mapped.body)
    except ValidationError as exc:
        raise ApiError(422, "invalid_ticket", "nothing was stored: fix these fields", _field_errors(exc)) from None
    catalog: Catalog = current_app.extensions["kb_catalog"]
    errors = []
    if body.lang not in catalog.languages:
        errors.append({"field": "lang", "message": f"not a language of this knowledge base: {body.lang[:20]!r}"})
    else:
        for index, macro in enumerate(body.macros):
            if not catalog.is_macro(body.lang, macro):
                errors.append(
                    {"field": f"macros[{index}]", "message": f"not a published macro in {body.lang}: {macro[:80]!r}"}
                )
    taxonomy = current_app.extensions["kb"].taxonomy
    if body.case_reason and body.case_reason not in (*taxonomy.case_reasons, *taxonomy.case_reason_paths()):
        errors.append({"field": "case_reason", "message": f"not a case reason of taxonomy.yml: {body.case_reason!r}"})
    if errors:
        raise ApiError(422, "invalid_ticket", "nothing was stored: fix these fields", errors)
    ticket = SolvedTicket(
        helpdesk=helpdesk,
        ticket_id=body.ticket_id,
        macros=tuple(dict.fromkeys(body.macros)),
        lang=body.lang,
        case_reason=body.case_reason,
        rating=body.rating,
        reopened=body.reopened,
        handle_seconds=body.handle_time,
    )
    return ticket, body


def _store(ticket: SolvedTicket, delivery_key: str) -> tuple[Response, int]:
    settings = _settings()
    now = datetime.now(UTC)
    remember = max(
        timedelta(hours=settings.intercom_max_age_hours), 2 * timedelta(seconds=settings.webhook_window_seconds)
    )
    catalog: Catalog = current_app.extensions["kb_catalog"]
    try:
        versions = {macro: catalog.version(ticket.lang, macro) for macro in ticket.macros}
    except Exception:  # a checkout git cannot read: keep the outcome, without its version, rather than lose it
        current_app.logger.exception("could not read the macros' versions from the knowledge base's history")
        versions = {}
    try:
        with db.writing(current_app.extensions["kb_engine"]) as connection:  # all or nothing
            stored = record_solved(connection, ticket, versions, delivery_key, now, now - remember)
    except AlreadyReceived:
        raise ApiError(409, "already_received", "this delivery was received before; nothing was stored") from None
    except db.StoreError:
        current_app.logger.exception("could not store a ticket outcome")
        raise ApiError(503, "storage_unavailable", "the outcome could not be stored; retry later") from None
    return jsonify({"ticket_id": ticket.ticket_id, "macros": stored}), 202


def _receive(helpdesk: str, signed: Callable[[bytes], str], shape: Callable[[Any], Mapped]) -> tuple[Response, int]:
    """The steps every route shares: `signed` checks the signature and gives the replay key's tail (the signed
    timestamp), `shape` maps the parsed body to kb's."""
    raw = read_body(MAX_BODY_BYTES)
    try:
        stamp = signed(raw)
    except SignatureError as exc:
        raise _unauthorized(str(exc)) from None
    payload = _json(raw)
    try:
        mapped = shape(payload)
    except ShapeError as exc:
        raise ApiError(
            422, "invalid_ticket", "nothing was stored: fix these fields", [{"field": exc.field, "message": str(exc)}]
        ) from None
    if mapped.ping:
        return jsonify({"ping": "ok"}), 200
    ticket, body = _checked(mapped, helpdesk)
    delivery = mapped.delivery_id or body.delivery_id
    key = f"{helpdesk}:{delivery}" if delivery else f"{helpdesk}:{ticket.ticket_id}@{stamp}"
    return _store(ticket, key)


@bp.post(PATH)
@endpoint(body=TicketSolvedBody, answer=SolvedStored, answer_text=_STORED, status=202, errors=ERRORS, security=ANYONE)
def kb_ticket_solved() -> tuple[Response, int]:
    """A solved ticket and the kb macros applied to it (kb's own body)

    Signed with X-KB-Signature (t=<unix>,v1=<HMAC-SHA256 of '<t>.<body>'>), KB_TICKET_SOLVED_SECRETS.
    """
    settings = _settings()

    def signed(raw: bytes) -> str:
        secrets = _secrets(settings.ticket_solved_secrets, "KB_TICKET_SOLVED_SECRETS")
        return str(
            verify(secrets, request.headers.get(SIGNATURE_HEADER), raw, time.time(), settings.webhook_window_seconds)
        )

    def shape(payload: Any) -> Mapped:
        if not isinstance(payload, dict):
            raise ShapeError("(body)", "expected a JSON object")
        return Mapped(payload)

    return _receive("kb", signed, shape)


@bp.post(ZENDESK_PATH)
@endpoint(body=HelpdeskPayload, answer=SolvedStored, answer_text=_STORED, status=202, errors=ERRORS, security=ANYONE)
def zendesk_ticket_solved() -> tuple[Response, int]:
    """A solved ticket, as a Zendesk trigger's webhook sends it

    Signed by Zendesk (X-Zendesk-Webhook-Signature and -Timestamp), KB_ZENDESK_WEBHOOK_SECRETS.
    """
    settings = _settings()

    def signed(raw: bytes) -> str:
        secrets = _secrets(settings.zendesk_webhook_secrets, "KB_ZENDESK_WEBHOOK_SECRETS")
        return verify_zendesk(
            secrets,
            request.headers.get(ZENDESK_SIGNATURE),
            request.headers.get(ZENDESK_TIMESTAMP),
            raw,
            time.time(),
            settings.webhook_window_seconds,
        )

    taxonomy = current_app.extensions["kb"].taxonomy
    return _receive("zendesk", signed, lambda payload: zendesk.to_body(payload, taxonomy))


@bp.post(INTERCOM_PATH)
@endpoint(body=HelpdeskPayload, answer=SolvedStored, answer_text=_STORED, status=202, errors=ERRORS, security=ANYONE)
def intercom_ticket_solved() -> tuple[Response, int]:
    """A closed conversation, as an Intercom conversation.admin.closed notification

    Signed by Intercom (X-Hub-Signature, HMAC-SHA1 of the body), KB_INTERCOM_CLIENT_SECRETS; a `ping`
    notification answers 200 and stores nothing.
    """
    settings = _settings()

    def signed(raw: bytes) -> str:
        verify_intercom(
            _secrets(settings.intercom_client_secrets, "KB_INTERCOM_CLIENT_SECRETS"),
            request.headers.get(INTERCOM_SIGNATURE),
            raw,
        )
        return ""  # no timestamp: the notification id identifies the delivery

    taxonomy = current_app.extensions["kb"].taxonomy

    def shape(payload: Any) -> Mapped:
        mapped = intercom.to_body(payload, taxonomy)
        age = time.time() - intercom.created_at(payload)
        if age > settings.intercom_max_age_hours * 3600:
            raise _unauthorized(
                f"the notification is older than {settings.intercom_max_age_hours} hours (KB_INTERCOM_MAX_AGE_HOURS): "
                "refused as a possible replay"
            )
        return mapped

    return _receive("intercom", signed, shape)
