"""Intercom: a webhook notification of the `conversation.admin.closed` topic (Developer Hub > the app >
Webhooks), as Intercom sends it:

    {"type": "notification_event", "topic": "conversation.admin.closed", "id": "notif_...", "app_id": "...",
     "created_at": 1795000000, "data": {"type": "notification_event_data", "item": {<the conversation>}}, ...}

Mapping, from the conversation (`data.item`):
- ticket_id: its `id`; macros: its tags named `kb_macro__<id>` (`tags.tags[].name`; an Intercom macro adds the
  tag when it is applied, see docs/helpdesks.md);
- satisfaction: `conversation_rating.rating`, 1 to 5 (null: not rated);
- reopened: `statistics.count_reopens` above 0;
- handle_time: `statistics.handling_time` when the workspace's API version has it, else
  `statistics.time_to_last_close` (from opening to the last close: longer than the agents' work);
- lang: the conversation's custom attribute `kb_lang` if set, else the knowledge base's default language;
- case_reason: the custom attribute `kb_case_reason` (reason/sub-reason), if set.

Replays: Intercom signs the body only (HMAC-SHA1, no timestamp header). The notification's `id` and
`created_at` are in the signed body: a notification id seen before is refused, and so is one created longer ago
than ids are remembered (KB_INTERCOM_MAX_AGE_HOURS). The limit: a notification captured before it reached kb
can be delivered once by someone else within that time, in place of Intercom's own.

The `ping` topic (sent when the webhook is set up) is answered and stores nothing.
"""

from __future__ import annotations

from typing import Any

from kbtools.model.macros import macros_in_tags
from kbtools.model.taxonomy import Taxonomy
from kbtools.service.inbound import Mapped, ShapeError

TOPIC = "conversation.admin.closed"
PING = "ping"


def _object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ShapeError(field, "expected an object")
    return value


def created_at(payload: Any) -> int:
    """The notification's signed creation time (Unix seconds)."""
    value = _object(payload, "(body)").get("created_at")
    if not isinstance(value, int) or isinstance(value, bool):
        raise ShapeError("created_at", "expected the notification's Unix time")
    return value


def _seconds(statistics: dict[str, Any]) -> Any:
    for key in ("handling_time", "time_to_last_close"):
        if statistics.get(key) is not None:
            return statistics[key]
    return None


def to_body(payload: Any, taxonomy: Taxonomy) -> Mapped:
    notification = _object(payload, "(body)")
    if notification.get("type") != "notification_event":
        raise ShapeError("type", "expected an Intercom notification (type notification_event)")
    notification_id = notification.get("id")
    if not isinstance(notification_id, str) or not notification_id:
        raise ShapeError("id", "expected the notification's id")
    topic = notification.get("topic")
    if topic == PING:
        return Mapped({}, notification_id, ping=True)
    if topic != TOPIC:
        raise ShapeError("topic", f"only {TOPIC} notifications are taken here, not {str(topic)[:40]!r}")
    item = _object(_object(notification.get("data"), "data").get("item"), "data.item")
    tags = _object(item.get("tags") or {"tags": []}, "data.item.tags").get("tags") or []
    if not isinstance(tags, list):
        raise ShapeError("data.item.tags.tags", "expected a list of tags")
    names = [str(tag["name"]) for tag in tags if isinstance(tag, dict) and isinstance(tag.get("name"), str)]
    rating = _object(item.get("conversation_rating") or {}, "data.item.conversation_rating").get("rating")
    statistics = _object(item.get("statistics") or {}, "data.item.statistics")
    reopens = statistics.get("count_reopens") or 0
    attributes = _object(item.get("custom_attributes") or {}, "data.item.custom_attributes")
    body = {
        "ticket_id": item.get("id"),
        "macros": macros_in_tags(names),
        "lang": attributes.get("kb_lang") or taxonomy.default_language,
        "case_reason": attributes.get("kb_case_reason") or None,
        "satisfaction": rating,
        "reopened": isinstance(reopens, int) and reopens > 0,
        "handle_time": _seconds(statistics),
    }
    return Mapped(body, notification_id)
