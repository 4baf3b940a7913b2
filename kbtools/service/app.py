"""The application factory: the settings resolved, the event store migrated, one blueprint per feature."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_cors import CORS

from kbtools.model.project import KnowledgeBase
from kbtools.service import (
    auth,
    autoreply,
    dashboard,
    errors,
    events,
    experiments_api,
    headers,
    open_database,
    openapi,
    outgoing,
    popular,
    reports,
    resolve_settings,
    search_api,
    sites,
    ticket_solved,
    webhooks_api,
)
from kbtools.service.catalog import Catalog
from kbtools.service.limits import init_limiter
from kbtools.service.proxies import TrustedProxies
from kbtools.service.schemas import MAX_BODY_BYTES
from kbtools.service.settings import Settings


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
    )
    # Keys in the order the code declares them (Flask 3 ignores JSON_SORT_KEYS; its provider sorts by default)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    kb = KnowledgeBase.at(Path(settings.root))
    engine = open_database(settings)
    # No connection made here may reach gunicorn's forked workers: a database connection shared across
    # processes breaks (every wiki request now reads its session). Each worker opens its own.
    engine.dispose()
    app.extensions["kb_engine"] = engine
    # The helpdesk webhook's sender: started by this process's first request (or gunicorn's post_worker_init),
    # never here, in what may be gunicorn's arbiter (see outgoing.py)
    sender = outgoing.register(engine, settings)
    app.extensions["kb_outgoing"] = sender
    if sender is not None:
        app.before_request(sender.ensure_running)
    app.extensions["kb_catalog"] = Catalog(kb)
    app.extensions["kb"] = kb
    init_limiter(app, settings)
    origins = settings.allowed_origins
    if origins:
        CORS(
            app,
            resources={r"/api/v1/(events|search|health|popular|autoreply/outcome)": {"origins": origins}},
            methods=["GET", "POST"],
        )
    errors.register(app)
    headers.register(app)
    auth.register(app)
    app.register_blueprint(events.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(search_api.bp)
    app.register_blueprint(popular.bp)
    app.register_blueprint(webhooks_api.bp)
    app.register_blueprint(ticket_solved.bp)
    app.register_blueprint(experiments_api.bp)
    app.register_blueprint(autoreply.bp)
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
