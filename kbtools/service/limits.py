"""Per-client rate limit on public write and search routes (Flask-Limiter).

The key is the client address (`request.remote_addr`, which `KB_TRUSTED_PROXIES` makes the address the
load balancer saw). Counters live where `KB_RATE_LIMIT_STORAGE` says: in each worker process's memory by
default (a client may then send the limit to every worker), or in a server every worker and instance
shares (Redis), so the limit holds for the whole deployment.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import storage_from_string

from kbtools.service.settings import Settings, SettingsError, without_password

# The client address is a key for the current window, never stored beyond it. No storage is given here:
# a constructor argument would override the app's RATELIMIT_STORAGE_URI. An unreachable shared store lets
# requests through (swallow_errors logs it) rather than refusing the sites' events.
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True, swallow_errors=True)


def check_storage(settings: Settings) -> None:
    """Raises SettingsError when the rate limit is on and its store does not answer (a Redis server down)."""
    if settings.rate_limit == "off":
        return
    if not storage_from_string(settings.rate_limit_storage).check():
        raise SettingsError(
            f"KB_RATE_LIMIT_STORAGE: the rate-limit store at {without_password(settings.rate_limit_storage)} "
            "does not answer"
        )


def init_limiter(app: Flask, settings: Settings) -> None:
    """Counts in the configured store; a shared store that does not answer stops the service at start."""
    check_storage(settings)
    app.config.update(
        RATELIMIT_ENABLED=settings.rate_limit != "off",
        RATELIMIT_STORAGE_URI=settings.rate_limit_storage,
    )
    limiter.init_app(app)


def rate_limit() -> str:
    settings: Settings = current_app.config["KB"]
    return settings.rate_limit
