"""The kb service: events in from the sites, reports and dashboard out, the sites themselves served.

`create_app(config)` (in `app.py`) is the application factory; one blueprint per feature. Importing this
package imports no web framework: `kb report` and `kb review` read settings from here and the event store
through `kbtools.analytics`.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbtools.analytics.location import default_database_url
from kbtools.model.project import KnowledgeBase
from kbtools.service.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from flask import Flask

    from kbtools.analytics.store import Engine


def resolve_settings(config: Mapping[str, Any] | Settings | None = None) -> Settings:
    """Settings with the defaults that depend on the knowledge base filled in."""
    settings = load_settings(config)
    kb = KnowledgeBase.at(Path(settings.root)) if settings.root else KnowledgeBase.discover()
    settings = settings.model_copy(
        update={
            "root": str(kb.root),
            "database_url": settings.database_url or default_database_url(kb.root),
            "site_dir": settings.site_dir or str(kb.root / "site"),
            "search_index": settings.search_index or str(kb.root / "var" / "search"),
            "api_tokens": list(settings.api_tokens) or [secrets.token_urlsafe(24)],
            "secret_key": settings.secret_key or secrets.token_hex(32),
        }
    )
    if settings.trusted_user_header and not settings.trusted_proxy_addresses:
        # Without the proxies' addresses any client could send the header and be taken as that agent
        raise SettingsError(
            "KB_TRUSTED_USER_HEADER needs KB_TRUSTED_PROXY_ADDRESSES: the addresses of the single-sign-on "
            "proxies, the only peers it is taken from"
        )
    if settings.helpdesk_webhook_url and not settings.helpdesk_webhook_secrets:
        # An unsigned delivery could not be told from a forged one by the helpdesk
        raise SettingsError(
            "KB_HELPDESK_WEBHOOK_URL needs KB_HELPDESK_WEBHOOK_SECRETS: the shared secret(s) each delivery is "
            "signed with, which the helpdesk checks"
        )
    return settings


def open_database(settings: Settings) -> Engine:
    """The event store, migrated; a database that cannot be reached is a SettingsError naming KB_DATABASE_URL."""
    from kbtools.analytics.store import StoreError, connect, migrate
    from kbtools.service.settings import without_password

    engine = connect(settings.database_url)
    try:
        migrate(engine)
    except StoreError as exc:  # no server there, refused, wrong password: one line, never a traceback
        engine.dispose()
        orig = getattr(exc, "orig", None)
        reason = str(orig).strip().splitlines()[0] if orig else "no answer"
        url = without_password(settings.database_url)
        raise SettingsError(f"KB_DATABASE_URL: the database at {url} cannot be used: {reason}") from None
    return engine


def create_app(config: Mapping[str, Any] | Settings | None = None) -> Flask:
    """The Flask application (imported on first use, so the settings above need no web framework)."""
    from kbtools.service.app import create_app as create

    return create(config)
