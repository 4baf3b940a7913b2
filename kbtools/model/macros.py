"""Macros (canned replies): the placeholders a reply may use and the ticket actions it may apply."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Placeholders every helpdesk fills in; a knowledge base declares more in taxonomy.yml `placeholders`.
BUILTIN_PLACEHOLDERS: dict[str, str] = {
    "ticket.id": "Ticket number.",
    "ticket.title": "Ticket subject.",
    "ticket.url": "Link to the ticket in the customer portal.",
    "ticket.status": "Ticket status.",
    "ticket.requester.name": "Customer's full name.",
    "ticket.requester.first_name": "Customer's first name.",
    "ticket.requester.last_name": "Customer's last name.",
    "ticket.requester.email": "Customer's email address.",
    "ticket.organization.name": "Customer's company.",
    "ticket.assignee.name": "Assigned agent's full name.",
    "ticket.assignee.first_name": "Assigned agent's first name.",
    "ticket.group.name": "Group (queue) the ticket is assigned to.",
    "current_user.name": "Full name of the agent applying the macro.",
    "current_user.first_name": "First name of the agent applying the macro.",
    "current_user.email": "Email of the agent applying the macro.",
    "satisfaction.rating_url": "Link to the CSAT survey.",
}

TICKET_STATUSES = ("open", "pending", "on-hold", "solved")
PRIORITIES = ("low", "normal", "high", "urgent")
HELPDESK_TAG = re.compile(r"^[a-z0-9_-]+$")
# The helpdesk tag a macro adds to the ticket it is applied to (`kb export macros` adds it to the macro's actions):
# the ticket-solved webhook reads the macros applied from the ticket's tags. `__` never occurs in a macro id.
MACRO_TAG_PREFIX = "kb_macro__"


def macro_tag(macro_id: str) -> str:
    """The tag marking a ticket that `macro_id` was applied to: kb_macro__refund-approved."""
    return MACRO_TAG_PREFIX + macro_id


def macros_in_tags(tags: list[str]) -> list[str]:
    """The macro ids a ticket's tags say were applied, in tag order, each once."""
    found: list[str] = []
    for tag in tags:
        if tag.startswith(MACRO_TAG_PREFIX) and (macro_id := tag.removeprefix(MACRO_TAG_PREFIX)) not in found:
            found.append(macro_id)
    return found


@dataclass(frozen=True)
class ActionSpec:
    name: str
    description: str
    example: str
    check: Callable[[Any, ActionContext], str | None]


@dataclass(frozen=True)
class ActionContext:
    queues: frozenset[str]
    case_reasons: frozenset[str]


def _one_of(choices: tuple[str, ...]) -> Callable[[Any, ActionContext], str | None]:
    def check(value: Any, _: ActionContext) -> str | None:
        return None if value in choices else f"expected one of {', '.join(choices)}, got {value!r}"

    return check


def _queue(value: Any, context: ActionContext) -> str | None:
    if value in context.queues:
        return None
    return f"{value!r} is not a queue in taxonomy.yml; queues: {', '.join(sorted(context.queues))}"


def _tags(value: Any, _: ActionContext) -> str | None:
    if not isinstance(value, list) or not value:
        return "expected a list of helpdesk tags, e.g. [refund_approved]"
    bad = [tag for tag in value if not isinstance(tag, str) or not HELPDESK_TAG.match(tag)]
    return f"helpdesk tags use lowercase letters, digits, _ and -: {bad}" if bad else None


def _case_reason(value: Any, context: ActionContext) -> str | None:
    return None if value in context.case_reasons else f"{value!r} is not a reason/sub-reason in taxonomy.yml"


def _boolean(value: Any, _: ActionContext) -> str | None:
    return None if isinstance(value, bool) else f"expected true or false, got {value!r}"


ACTIONS: dict[str, ActionSpec] = {
    spec.name: spec
    for spec in (
        ActionSpec("status", "Ticket status after the macro.", "pending", _one_of(TICKET_STATUSES)),
        ActionSpec("priority", "Ticket priority.", "high", _one_of(PRIORITIES)),
        ActionSpec("group", "Queue the ticket is assigned to (a taxonomy queue).", "billing-l2", _queue),
        ActionSpec("add_tags", "Helpdesk tags added to the ticket.", "[refund_approved]", _tags),
        ActionSpec("remove_tags", "Helpdesk tags removed from the ticket.", "[awaiting_info]", _tags),
        ActionSpec("case_reason", "Case reason logged on the ticket.", "payment/refund-request", _case_reason),
        ActionSpec("public", "true: public reply; false: internal note.", "true", _boolean),
    )
}


def check_actions(actions: Any, context: ActionContext) -> list[tuple[str | None, str]]:
    """Problems in a macro's `actions` mapping, as (action name or None, message) pairs."""
    if not isinstance(actions, dict):
        return [(None, "actions is a mapping such as {status: pending, group: billing-l2}")]
    problems: list[tuple[str | None, str]] = []
    for name, value in actions.items():
        spec = ACTIONS.get(name)
        if spec is None:
            problems.append((name, f"unknown action; actions are {', '.join(ACTIONS)}"))
            continue
        message = spec.check(value, context)
        if message:
            problems.append((name, message))
    return problems
