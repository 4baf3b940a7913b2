"""Who may read internal routes: a bearer token from configuration, the wiki's signed sign-in cookie, or a
trusted header set by a single-sign-on proxy. Public event ingestion and public search need none."""

from __future__ import annotations

import hmac
from functools import wraps
from typing import Any
from urllib.parse import urlparse

from flask import Blueprint, Flask, current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from kbtools.service.errors import ApiError

bp = Blueprint("auth", __name__)


def current_agent() -> str | None:
    """The authenticated agent (a name, or 'token'), or None."""
    settings = current_app.config["KB"]
    header = settings["trusted_user_header"]
    if header and request.headers.get(header):
        return request.headers[header]
    authorization = request.headers.get("Authorization", "")
    if authorization.startswith("Bearer ") and _valid(authorization.removeprefix("Bearer ").strip()):
        return "token"
    return session.get("agent")


def _valid(token: str) -> bool:
    return any(hmac.compare_digest(token, known) for known in current_app.config["KB"]["api_tokens"])


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


@bp.route("/internal/login", methods=["GET", "POST"])
def login() -> str | Response:
    error = None
    target = request.values.get("next") or "/internal/"
    if urlparse(target).netloc or not target.startswith("/"):
        target = "/internal/"  # never redirect off-site
    if request.method == "POST":
        if _valid(request.form.get("token", "").strip()):
            session["agent"] = "token"
            return redirect(target)
        error = "That token is not valid."
    return render_template("login.html", error=error, next=target)


@bp.route("/internal/logout", methods=["POST"])
def logout() -> Response:
    session.pop("agent", None)
    return redirect(url_for("auth.login"))


def register(app: Flask) -> None:
    app.register_blueprint(bp)
