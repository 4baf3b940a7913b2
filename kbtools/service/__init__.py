"""The kb service: events in from the sites, reports and dashboard out, the sites themselves served.

`create_app(config)` is the application factory; one blueprint per feature.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_cors import CORS
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from kbtools.project import KnowledgeBase
from kbtools.service import auth, dashboard, errors, events, headers, openapi, reports, search_api, sites
from kbtools.service.catalog import Catalog
from kbtools.service.db import connect, default_database_url, migrate
from kbtools.service.limits import init_limiter
from kbtools.service.proxies import TrustedProxies
from kbtools.service.schemas import MAX_BODY_BYTES
from kbtools.service.settings import Settings, SettingsError, load_settings, without_password


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
    return settings


def open_database(settings: Settings) -> Engine:
    """The event store, migrated; a database that cannot be reached is a SettingsError naming KB_DATABASE_URL."""
    engine = connect(settings.database_url)
    try:
        migrate(engine)
    except OperationalError as exc:  # no server there, refused, wrong password: one line, never a traceback
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "no answer"
        url = without_password(settings.database_url)
        raise SettingsError(f"KB_DATABASE_URL: the database at {url} cannot be used: {reason}") from None
    return engine


def create_app(config: Mapping[str, Any] | Settings | None = None) -> Flask:
    settings = resolve_settings(config)
    app = Flask(__name__)
    # request.remote_addr (the rate limits' key) becomes the client address the nearest trusted proxy saw,
    # from the X-Forwarded-For entries those proxies appended; the peer itself is kept (single sign-on)
    app.wsgi_app = TrustedProxies(  # type: ignore[method-assign]
        app.wsgi_app, settings.trusted_proxies, settings.trusted_proxy_addresses
    )
    app.url_map.converters["site_path"] = sites.SitePathConverter
    app.config.update(
        KB=settings,
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        JSON_SORT_KEYS=False,
    )
    kb = KnowledgeBase.at(Path(settings.root))
    engine = open_database(settings)
    # No connection made here may reach gunicorn's forked workers: a database connection shared across
    # processes breaks (every wiki request now reads its session). Each worker opens its own.
    engine.dispose()
    app.extensions["kb_engine"] = engine
    app.extensions["kb_catalog"] = Catalog(kb)
    app.extensions["kb"] = kb
    init_limiter(app, settings)
    origins = settings.allowed_origins
    if origins:
        CORS(app, resources={r"/api/v1/(events|search|health)": {"origins": origins}}, methods=["GET", "POST"])
    errors.register(app)
    headers.register(app)
    auth.register(app)
    app.register_blueprint(events.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(search_api.bp)
    app.register_blueprint(sites.bp)  # last: its catch-all route serves the help center
    wiki_api_routes(app)
    return app


def wiki_api_routes(app: Flask) -> None:
    """Every /api/v1/ route also under /internal/api/v1/, where the wiki's sign-in cookie is sent (its path)."""
    for rule in list(app.url_map.iter_rules()):
        if rule.rule.startswith("/api/v1/"):
            app.add_url_rule(
                auth.WIKI_PREFIX.rstrip("/") + rule.rule,
                endpoint=rule.endpoint,
                view_func=app.view_functions[rule.endpoint],
                methods=sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}),
            )
