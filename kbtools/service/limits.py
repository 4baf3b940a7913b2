"""Per-client rate limit on public write and search routes (Flask-Limiter, counted in memory only).

The key is the client address (`request.remote_addr`, which `KB_TRUSTED_PROXIES` makes the address the
load balancer saw). Counters live in each worker process: a client may send the limit to every worker.
"""

from __future__ import annotations

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# The client address is a key in memory for the current window, never stored.
limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", default_limits=[], headers_enabled=True)


def rate_limit() -> str:
    return current_app.config["KB"]["rate_limit"]
