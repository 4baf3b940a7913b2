"""Ticket-solved deliveries as each helpdesk sends them, mapped to kb's own body (`kb.TicketSolvedBody`).

One module per shape: `kb` (kb's documented JSON, signed with X-KB-Signature), `zendesk` (the JSON body of a
trigger's webhook, placeholders rendered as text, Zendesk's signature) and `intercom` (a webhook notification
of the `conversation.admin.closed` topic, Intercom's signature). Each turns a parsed body into kb's body and
says which key identifies the delivery for replay protection; `kbtools/service/ticket_solved.py` does the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class ShapeError(ValueError):
    """The body is not shaped as the helpdesk sends it; `field` says where (dotted path)."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Mapped:
    """A delivery in kb's shape (to validate with TicketSolvedBody), and the id of the delivery if the sender
    signed one (None: the ticket id and the signed timestamp identify it)."""

    body: dict[str, Any]
    delivery_id: str | None = None
    ping: bool = False  # a helpdesk's test delivery: answered, nothing stored
