"""POST /api/v1/webhooks/ping: a signed-in agent or the helpdesk's admin checks the helpdesk webhook end to end
(a `ping` delivery queued as any event is, sent by the workers' senders, kbtools/service/outgoing.py)."""

from __future__ import annotations

from typing import Literal

from flask import Blueprint, Response, current_app, jsonify

from kbtools.service import outgoing
from kbtools.service.auth import current_agent, require_agent
from kbtools.service.endpoints import AGENT, endpoint
from kbtools.service.errors import ApiError
from kbtools.service.responses import ResponseModel

bp = Blueprint("webhooks_api", __name__)

PING_EVENT = "ping"


class PingQueued(ResponseModel):
    status: Literal["queued"]
    event: Literal["ping"]


@bp.post("/api/v1/webhooks/ping")
@require_agent
@endpoint(
    answer=PingQueued,
    answer_text="Queued.",
    status=202,
    errors={401: "Not signed in.", 409: "No helpdesk webhook is configured (KB_HELPDESK_WEBHOOK_URL)."},
    security=AGENT,
)
def ping() -> tuple[Response, int]:
    """Queue a `ping` delivery to the helpdesk webhook (checks the receiver end to end)

    Sent by the service's senders like any event: signed (`X-KB-Signature`), with `X-KB-Delivery` and
    `X-KB-Event: ping`, retried and dead-lettered as docs/operators.md says. No body.
    """
    if current_app.extensions.get("kb_outgoing") is None:
        message = "no helpdesk webhook is configured: set KB_HELPDESK_WEBHOOK_URL and KB_HELPDESK_WEBHOOK_SECRETS"
        raise ApiError(409, "no_webhook", message)
    outgoing.enqueue(current_app.extensions["kb_engine"], PING_EVENT, {"requested_by": current_agent()})
    return jsonify({"status": "queued", "event": PING_EVENT}), 202
