"""Who may read internal routes: a bearer token from configuration, the wiki's sign-in cookie, or a trusted
header set by a single-sign-on proxy. Public event ingestion and public search need none.

- The sign-in cookie holds a random session id (signed with the secret key) and is sent for `/internal/`
  only: HttpOnly, SameSite=Strict, Secure over HTTPS. The session lives in the database (`wiki_sessions`),
  bound to an HMAC of the token it was made with: sign-out, expiry, or removing or rotating that token in
  `KB_API_TOKENS` ends it on every worker and instance, across restarts.
- The wiki calls the API under `/internal/api/v1/` (so the cookie goes with it). Calls signed in by the
  cookie or the single-sign-on header carry `X-KB-Request: 1`: a page on another origin cannot send that
  header without a CORS preflight, which kb never grants for those routes. Bearer-token clients need no marker.
- The single-sign-on header is taken from the proxies in `KB_TRUSTED_PROXY_ADDRESSES` only; a request
  carrying it from any other peer is refused.
- Failed sign-ins are counted per client address in the database (`KB_SIGN_IN_LIMIT`) and logged with the
  address and the outcome, never the token.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
import sys
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlparse

from flask import Blueprint, Flask, abort, current_app, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from werkzeug.wrappers import Response

from kbtools.analytics import store as db
from kbtools.service.errors import ApiError, is_api_path
from kbtools.service.proxies import peer_is_trusted

bp = Blueprint("auth", __name__)
log = logging.getLogger("kb.auth")

WIKI_PREFIX = "/internal/"  # the sign-in cookie's path: the wiki, its sign-in form and its API calls
API_MARKER = "X-KB-Request"  # value "1"; the wiki's scripts send it with every API call
_NO_AGENT = object()


def fingerprint(token: str) -> str:
    """What a session remembers of its token: an HMAC with the secret key (the token cannot be read back)."""
    key = current_app.config["KB"]["secret_key"].encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def _id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def current_agent() -> str | None:
    """The authenticated agent (a name, or 'token'), or None. An API call signed in by the cookie or the
    single-sign-on header without the API marker is refused (403 JSON): it could come from another site."""
    cached = g.get("kb_agent", _NO_AGENT)
    if cached is _NO_AGENT:
        cached = g.kb_agent = _authenticate()
    if cached is None or cached[1] == "bearer":
        return None if cached is None else cached[0]
    if is_api_path(request.path) and request.headers.get(API_MARKER) != "1":
        raise ApiError(
            403,
            "request_marker_missing",
            f"API calls signed in by the wiki's cookie or single sign-on must send '{API_MARKER}: 1' "
            "(programs: send 'Authorization: Bearer <token>')",
        )
    return cached[0]


def _authenticate() -> tuple[str, str] | None:
    """(agent, how) or None; `how` is bearer, header or cookie."""
    settings = current_app.config["KB"]
    authorization = request.headers.get("Authorization", "")
    if authorization.startswith("Bearer "):
        return ("token", "bearer") if _valid(authorization.removeprefix("Bearer ").strip()) else None
    header = settings["trusted_user_header"]
    if header and request.headers.get(header):
        return request.headers[header], "header"  # refuse_untrusted_header let it through: a trusted proxy
    if not request.path.startswith(WIKI_PREFIX):
        return None  # the cookie is the wiki's; browsers send it nowhere else
    agent = _session_agent()
    return (agent, "cookie") if agent else None


def _valid(token: str) -> bool:
    return any(hmac.compare_digest(token, known) for known in current_app.config["KB"]["api_tokens"])


def _session_agent() -> str | None:
    session_id = session.get("sid")
    if not isinstance(session_id, str):
        return None
    engine = current_app.extensions["kb_engine"]
    with engine.begin() as connection:
        row = db.find_wiki_session(connection, _id_hash(session_id), _now())
        if row is None:
            return None
        known = {fingerprint(token) for token in current_app.config["KB"]["api_tokens"]}
        if row["token_fingerprint"] not in known:  # its token was removed or rotated: the session is over
            db.end_wiki_session(connection, row["id_hash"])
            return None
    return str(row["agent"])


def require_agent(view: Any) -> Any:
    """Internal API routes: 401 JSON without credentials."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_agent() is None:
            raise ApiError(401, "unauthorized", "sign in: send 'Authorization: Bearer <token>'")
        return view(*args, **kwargs)

    return wrapped


def require_agent_page(view: Any) -> Any:
    """Internal pages: redirect to the sign-in form without credentials."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_agent() is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def _client_key() -> str:
    """The sign-in limit's key for this client: an HMAC of its address (addresses are not stored)."""
    key = current_app.config["KB"]["secret_key"].encode()
    return hmac.new(key, (request.remote_addr or "").encode(), hashlib.sha256).hexdigest()


def _refused_for(now: datetime) -> int | None:
    """Seconds until this client may try again, or None when it is under the sign-in limit."""
    from limits import parse

    limit = current_app.config["KB"]["sign_in_limit"]
    if limit == "off":
        return None
    item = parse(limit)
    window = timedelta(seconds=item.get_expiry())
    with current_app.extensions["kb_engine"].begin() as connection:
        count, oldest = db.sign_in_failures_since(connection, _client_key(), now - window)
    if count < item.amount or oldest is None:
        return None
    oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)  # SQLite gives naive UTC
    return max(1, math.ceil((oldest + window - now).total_seconds()))


def _record_failure(now: datetime) -> None:
    from limits import parse

    limit = current_app.config["KB"]["sign_in_limit"]
    if limit == "off":
        return
    window = timedelta(seconds=parse(limit).get_expiry())
    with current_app.extensions["kb_engine"].begin() as connection:
        db.record_sign_in_failure(connection, _client_key(), now, now - window)


def _start_session(now: datetime, token: str) -> None:
    session_id = secrets.token_urlsafe(32)
    hours = current_app.config["KB"]["session_hours"]
    with current_app.extensions["kb_engine"].begin() as connection:
        db.end_expired_wiki_sessions(connection, now)
        db.create_wiki_session(
            connection,
            {
                "id_hash": _id_hash(session_id),
                "agent": "token",
                "token_fingerprint": fingerprint(token),
                "created_at": now,
                "expires_at": now + timedelta(hours=hours),
            },
        )
    session.clear()
    session["sid"] = session_id
    session.permanent = True  # the cookie expires with the session (PERMANENT_SESSION_LIFETIME)


def _local(target: str) -> bool:
    """A path on this site; browsers read a backslash as a slash (`/\\evil.example` is `//evil.example`)."""
    return (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not urlparse(target).netloc
        and target.isprintable()
    )


@bp.route("/internal/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int, dict[str, str]]:
    error = None
    target = request.values.get("next") or WIKI_PREFIX
    if not _local(target):
        target = WIKI_PREFIX  # never redirect off-site
    if request.method == "POST":
        now = _now()
        address = request.remote_addr
        wait = _refused_for(now)
        if wait is not None:
            log.warning("sign-in refused from %s: too many failed attempts", address)
            error = f"Too many failed sign-ins from your address. Try again in {wait} seconds."
            return render_template("login.html", error=error, next=target), 429, {"Retry-After": str(wait)}
        token = request.form.get("token", "").strip()
        if token and _valid(token):
            _start_session(now, token)
            log.info("sign-in from %s: ok", address)
            return redirect(target)
        _record_failure(now)
        log.warning("sign-in from %s: wrong token", address)
        error = "That token is not valid."
    return render_template("login.html", error=error, next=target)


@bp.route("/internal/logout", methods=["POST"])
def logout() -> Response:
    session_id = session.get("sid")
    if isinstance(session_id, str):
        with current_app.extensions["kb_engine"].begin() as connection:
            db.end_wiki_session(connection, _id_hash(session_id))  # a replayed cookie finds nothing
    session.clear()
    return redirect(url_for("auth.login"))


def refuse_untrusted_header() -> None:
    """A request carrying the single-sign-on header from a peer that is not a trusted proxy: refused (403)."""
    header = current_app.config["KB"]["trusted_user_header"]
    if not header or header not in request.headers or peer_is_trusted(request.environ):
        return
    log.warning("refused %s from %s: not a trusted proxy", header, request.environ.get("kb.peer"))
    message = f"the {header} header is only accepted from the single-sign-on proxy"
    if is_api_path(request.path):
        raise ApiError(403, "untrusted_sso_header", message)
    abort(403, description=message)


class WikiSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request came over HTTPS (as the service saw it, or
    as a trusted proxy reported it)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure


def register(app: Flask) -> None:
    app.config.update(
        SESSION_COOKIE_NAME="kb_wiki",
        SESSION_COOKIE_PATH=WIKI_PREFIX,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=app.config["KB"]["session_hours"]),
    )
    app.session_interface = WikiSessionInterface()
    app.before_request(refuse_untrusted_header)
    if not log.handlers:  # sign-ins are logged to stderr, as gunicorn's error log is
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s [kb.auth] %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    app.register_blueprint(bp)
