"""Outgoing webhooks to the helpdesk (placeholder: the delivery engineer's module replaces it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine


def enqueue(engine: Engine, event: str, payload: dict[str, Any]) -> None:
    """Queue a signed delivery of `payload` to the configured helpdesk webhook; never blocks, never raises."""
