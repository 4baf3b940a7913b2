"""Zendesk: the JSON body a trigger's webhook sends when a ticket is solved, its placeholders rendered.

The trigger (Conditions: Status category Changed to Solved; Action: Notify by > Active webhook) sends this body,
with the two custom field ids of the account filled in (docs/helpdesks.md):

    {"ticket_id": "{{ticket.id}}", "tags": "{{ticket.tags}}", "satisfaction": "{{satisfaction.current_rating}}",
     "lang": "{{ticket.requester.language}}", "case_reason": "{{ticket.ticket_field_CASE_REASON_ID}}",
     "handle_time": "{{ticket.ticket_field_TIME_SPENT_ID}}"}

Zendesk renders every placeholder as text, an empty one as "". Mapping:
- macros: the ticket's tags `kb_macro__<id>` (the Zendesk macros `kb export macros` writes add them);
- reopened: the tag `kb_reopened` (a trigger adds it when a solved ticket is reopened);
- satisfaction: Good / Bad (any case, a longer text starting with the word too); Offered, Unoffered or "" is
  not rated;
- lang: a language name of taxonomy.yml (English, Français), a code (fr) or a locale (fr-CA, en-US);
- case_reason: the drop-down's value as `kb export macros` writes it (payment__refund_request) or
  reason/sub-reason; "" is none;
- handle_time: whole seconds (the Time Tracking app's "Total time spent (sec)" field); "" is unknown.
Keys beyond these are ignored (an admin may send more for other uses).
"""

from __future__ import annotations

from typing import Any

from kbtools.model.macros import macros_in_tags
from kbtools.model.taxonomy import Taxonomy
from kbtools.service.inbound import Mapped, ShapeError
from kbtools.workflows.exports.macros import case_reason_tag

REOPENED_TAG = "kb_reopened"
NOT_RATED = ("", "offered", "unoffered")


def _text(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key, "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ShapeError(key, "expected the placeholder's text")
    return value.strip()


def _satisfaction(text: str) -> str | None:
    word = text.lower()
    if word in NOT_RATED:
        return None
    for rating in ("good", "bad"):
        if word == rating or word.startswith(rating + ","):
            return rating
    raise ShapeError("satisfaction", f"expected Good, Bad, Offered or Unoffered, got {text[:20]!r}")


def _language(text: str, taxonomy: Taxonomy) -> str:
    for language in taxonomy.languages:
        if text.casefold() == language.name.casefold():
            return language.code
    code = text.replace("_", "-").lower()
    codes = taxonomy.language_codes
    if code in codes:
        return code
    primary = code.split("-")[0]
    return primary if primary in codes else text  # unknown: TicketSolvedBody's check names it


def _case_reason(text: str, taxonomy: Taxonomy) -> str | None:
    if not text:
        return None
    for path in taxonomy.case_reason_paths():
        if text in (path, case_reason_tag(path)):
            return path
    return text  # unknown: the check names it


def _seconds(text: str) -> int | None:
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise ShapeError("handle_time", f"expected whole seconds, got {text[:20]!r}")
    return int(text)


def to_body(payload: Any, taxonomy: Taxonomy) -> Mapped:
    if not isinstance(payload, dict):
        raise ShapeError("(body)", "expected the trigger's JSON object")
    ticket_id = _text(payload, "ticket_id")
    if not ticket_id:
        raise ShapeError("ticket_id", 'missing: the body needs "ticket_id": "{{ticket.id}}"')
    tags = _text(payload, "tags").split()
    body = {
        "ticket_id": ticket_id,
        "macros": macros_in_tags(tags),
        "lang": _language(_text(payload, "lang"), taxonomy),
        "case_reason": _case_reason(_text(payload, "case_reason"), taxonomy),
        "satisfaction": _satisfaction(_text(payload, "satisfaction")),
        "reopened": REOPENED_TAG in tags,
        "handle_time": _seconds(_text(payload, "handle_time")),
    }
    return Mapped(body)
