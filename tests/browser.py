"""Headless Chromium (Debian's `chromium`) driven by Playwright, and a local server for the built sites."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    """A TCP port nothing listens on right now, on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SiteServer(ThreadingHTTPServer):
    """Serves site/public at /, site/internal at /internal/, and records the bodies of events posted to
    /api/v1/events (the help center) and /internal/api/v1/events (the wiki)."""

    def __init__(self, site: Path, port: int = 0):
        self.site = site
        self.events: list[dict] = []
        self.received = threading.Condition()
        super().__init__(("127.0.0.1", port), partial(_Handler, directory=str(site)))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def wait_for(self, predicate, timeout: float = 10.0) -> list[dict]:
        with self.received:
            self.received.wait_for(lambda: any(predicate(e) for e in self.events), timeout=timeout)
            return [e for e in self.events if predicate(e)]


class _Handler(SimpleHTTPRequestHandler):
    server: SiteServer

    def translate_path(self, path: str) -> str:
        if not path.startswith("/internal/"):
            path = "/public" + path
        return super().translate_path(path)

    def do_POST(self) -> None:
        if self.path not in ("/api/v1/events", "/internal/api/v1/events"):  # the wiki's go where its cookie is
            self.send_error(404)
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        event = json.loads(body)
        with self.server.received:
            self.server.events.append(event)
            self.server.received.notify_all()
        self.send_response(202)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"accepted": 1}')

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(site: Path, port: int = 0) -> Iterator[SiteServer]:
    server = SiteServer(site, port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
