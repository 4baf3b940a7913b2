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
from werkzeug.middleware.proxy_fix import ProxyFix

from kbtools.project import KnowledgeBase
from kbtools.service import auth, dashboard, errors, events, openapi, reports, search_api, sites
from kbtools.service.catalog import Catalog
from kbtools.service.db import connect, default_database_url, migrate
from kbtools.service.limits import limiter
from kbtools.service.schemas import MAX_BODY_BYTES
from kbtools.service.settings import load_settings


def resolve_settings(config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Settings with the defaults that depend on the knowledge base filled in."""
    settings = load_settings(config)
    kb = KnowledgeBase.at(Path(settings["root"])) if settings["root"] else KnowledgeBase.discover()
    settings["root"] = str(kb.root)
    settings["database_url"] = settings["database_url"] or default_database_url(kb.root)
    settings["site_dir"] = settings["site_dir"] or str(kb.root / "site")
    settings["search_index"] = settings["search_index"] or str(kb.root / "var" / "search")
    settings["api_tokens"] = list(settings["api_tokens"]) or [secrets.token_urlsafe(24)]
    settings["secret_key"] = settings["secret_key"] or secrets.token_hex(32)
    return settings


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    settings = resolve_settings(config)
    app = Flask(__name__)
    if settings["trusted_proxies"]:
        # request.remote_addr (the rate limit's key) becomes the client address the nearest trusted proxy
        # saw, from the X-Forwarded-For entries those proxies appended
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings["trusted_proxies"])  # type: ignore[method-assign]
    app.url_map.converters["site_path"] = sites.SitePathConverter
    app.config.update(
        KB=settings,
        SECRET_KEY=settings["secret_key"],
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        RATELIMIT_ENABLED=settings["rate_limit"] != "off",
        JSON_SORT_KEYS=False,
    )
    kb = KnowledgeBase.at(Path(settings["root"]))
    engine = connect(settings["database_url"])
    migrate(engine)
    app.extensions["kb_engine"] = engine
    app.extensions["kb_catalog"] = Catalog(kb)
    app.extensions["kb"] = kb
    limiter.init_app(app)
    origins = settings["allowed_origins"]
    if origins:
        CORS(app, resources={r"/api/v1/(events|search)": {"origins": origins}}, methods=["GET", "POST"])
    errors.register(app)
    auth.register(app)
    app.register_blueprint(events.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(search_api.bp)
    app.register_blueprint(sites.bp)  # last: its catch-all route serves the help center
    return app
