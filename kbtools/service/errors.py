"""API errors as JSON: every 4xx a client can cause has a body saying what was wrong; no 500 for bad input."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

API_PREFIXES = ("/api/", "/internal/api/")  # the public API, and the same routes for the wiki (its cookie's path)


def is_api_path(path: str) -> bool:
    """Whether `path` is an API route: answers and errors are JSON there."""
    return path.startswith(API_PREFIXES)


class ApiError(Exception):
    def __init__(self, status: int, error: str, message: str, errors: list[dict[str, str]] | None = None):
        self.status = status
        self.error = error
        self.message = message
        self.errors = errors
        super().__init__(message)


def error_response(status: int, error: str, message: str, errors: list[dict[str, str]] | None = None) -> Response:
    body: dict[str, Any] = {"error": error, "message": message}
    if errors is not None:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    return response


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return error_response(exc.status, exc.error, exc.message, exc.errors)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response | HTTPException:
        if not is_api_path(request.path):
            return exc  # pages keep the normal HTML error pages
        name = (exc.name or "error").lower().replace(" ", "_")
        response = error_response(exc.code or 500, name, exc.description or exc.name or "error")
        # Keep what the error says beyond its body: Allow on a 405, Retry-After on a 429
        extra = exc.response.headers if exc.response is not None else exc.get_headers()
        for header, value in extra:
            if header.lower() not in ("content-type", "content-length"):
                response.headers[header] = value
        return response
