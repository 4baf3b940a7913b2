"""Outgoing webhooks to the helpdesk (placeholder: the delivery engineer's module replaces it)."""

from __future__ import annotations

from typing import Any


# The brief's placeholder types `engine` as sqlalchemy's Engine; tests/test_analytics_layer.py allows no
# SQLAlchemy import outside kbtools/analytics/, so this copy says Any (the call is the same)
def enqueue(engine: Any, event: str, payload: dict[str, Any]) -> None:
    """Queue a signed delivery of `payload` to the configured helpdesk webhook; never blocks, never raises."""
