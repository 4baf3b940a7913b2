"""The built sites: the public help center at /, the agent wiki at /internal/ (signed-in agents only).

Each request resolves the site folder again, so a rebuild (an atomic symlink swap) is served at once.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, redirect, request, send_from_directory
from werkzeug.exceptions import NotFound
from werkzeug.routing import PathConverter
from werkzeug.security import safe_join
from werkzeug.wrappers import Response as BaseResponse  # what redirect() returns; flask.Response derives from it

from kbtools.model.vocabulary import AUDIENCES, Audience
from kbtools.service.auth import require_agent_page

bp = Blueprint("sites", __name__)


def _site(name: str) -> Path:
    return (Path(current_app.config["KB"]["site_dir"]) / name).resolve()


def _serve(name: str, path: str) -> BaseResponse:
    folder = _site(name)
    if not folder.is_dir():
        abort(503, description=f"the {name} site is not built yet: run 'kb build'")
    if path and not path.endswith("/") and _is_folder(folder, path):
        # A folder asked for without its slash: redirect as static hosts do. Served as is, every relative link
        # of the page (the language switcher, sibling articles, assets) would resolve one folder too high.
        query = request.query_string.decode("latin-1")
        return redirect(f"{request.script_root}{request.path}/" + (f"?{query}" if query else ""), code=301)
    candidate = f"{path}index.html" if not path or path.endswith("/") else path
    try:
        return send_from_directory(folder, candidate, max_age=60)
    except NotFound:
        return _not_found(folder, path)


def _is_folder(folder: Path, path: str) -> bool:
    joined = safe_join(str(folder), path)  # None for a path that leaves the site folder
    return joined is not None and os.path.isdir(joined)


def _not_found(folder: Path, path: str) -> Response:
    # The French site has its own 404 page
    lang_dir = path.split("/", 1)[0]
    page = (
        folder / lang_dir / "404.html"
        if lang_dir and (folder / lang_dir / "404.html").is_file()
        else folder / "404.html"
    )
    if not page.is_file():
        abort(404)
    response = send_from_directory(page.parent, page.name)
    response.status_code = 404
    return response


class SitePathConverter(PathConverter):
    """A path that is not under /api/, so API routes answer for their own methods only (405 with Allow)."""

    regex = r"(?!api/)[^/].*?"


@bp.get("/")
@bp.get("/<site_path:path>")
def public(path: str = "") -> BaseResponse:
    return _serve(Audience.PUBLIC, path)


@bp.get("/internal/")
@bp.get("/internal/<path:path>")
@require_agent_page
def internal(path: str = "") -> BaseResponse:
    return _serve(Audience.INTERNAL, path)


def sites_missing(site_dir: str) -> list[str]:
    return [name for name in AUDIENCES if not os.path.isfile(os.path.join(site_dir, name, "index.html"))]
