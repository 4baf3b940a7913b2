"""Headers on every response the service sends (pages of both sites, the service's own pages, the API,
errors and redirects): a strict Content-Security-Policy, no MIME sniffing, no referrer to other sites, no
framing, and who may cache it.

The policy allows scripts from the service's own origin only, with no inline script at all: kb's theme
(site_plugins/theme/) replaces every inline script mkdocs-material emits with a file. The service's own pages
(sign-in form, dashboard) keep their styles inline, as `kb report` needs one self-contained file; those
stylesheets are files of this package and the policy names their SHA-256, so no other inline style runs.
"""

from __future__ import annotations

import base64
import hashlib
from importlib import resources

from flask import Flask, Response, g, request
from markupsafe import Markup

from kbtools.analytics import report
from kbtools.service.errors import is_api_path

STYLESHEETS = ("login.css",)  # in kbtools/service/templates/, inlined by inline_css


def _stylesheet(name: str) -> str:
    return resources.files("kbtools.service").joinpath("templates", name).read_text(encoding="utf-8")


def inline_css(name: str) -> Markup:
    """A stylesheet of the service's pages, to put in a <style> element: the policy allows its hash."""
    return Markup(_stylesheet(name))


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def content_security_policy() -> str:
    inlined = [_stylesheet(name) for name in STYLESHEETS] + [report.stylesheet()]  # the dashboard's
    styles = " ".join(_hash(text) for text in inlined)
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",  # no 'unsafe-inline', no hashes: the sites and pages have no inline script
        "style-src": f"'self' {styles}",
        "img-src": "'self' data:",  # mkdocs-material's icons are data: URLs in its stylesheet
        "font-src": "'self'",
        "connect-src": "'self'",
        "worker-src": "'self'",  # the help center's search runs in a web worker
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


PRIVATE = "private, no-store"


def _behind_authentication() -> bool:
    """The wiki, its sign-in and API routes, and any request that carried credentials."""
    if request.path.startswith("/internal/"):
        return True
    if "Authorization" in request.headers:
        return True
    return g.get("kb_agent") is not None


def register(app: Flask) -> None:
    policy = content_security_policy()

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = policy
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"  # frame-ancestors, for browsers that predate it
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.is_secure:
            headers["Strict-Transport-Security"] = "max-age=31536000"
        if _behind_authentication():
            # A shared cache in front must never hand a wiki page, a report or a sign-in to someone else
            headers["Cache-Control"] = PRIVATE
            headers.pop("Expires", None)
        elif is_api_path(request.path) and "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-store"
        return response

    app.jinja_env.globals["inline_css"] = inline_css
