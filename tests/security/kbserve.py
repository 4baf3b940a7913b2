"""`kb serve` as a real server process (gunicorn), started and restarted by tests, and plain HTTP to it."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from browser import free_port
from conftest import REPO_ROOT


class KbServe:
    """One `kb serve` on a free port; `restart` keeps the port, the database and the built sites."""

    def __init__(self, folder: Path, env: dict[str, str], root: Path = REPO_ROOT, workers: int = 2):
        self.folder = folder
        self.root = root
        self.port = free_port()
        self.log_path = folder / "serve.log"
        self.env = {
            **os.environ,
            "KB_DATABASE_URL": f"sqlite:///{folder / 'events.sqlite3'}",
            "KB_SITE_DIR": str(folder / "site"),
            "KB_SEARCH_INDEX": str(folder / "search"),
            "KB_WORKERS": str(workers),
            **env,
        }
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, **env: str) -> KbServe:
        self.env.update(env)
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kbtools", "--root", str(self.root), "serve", "--port", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 240  # the first start builds both sites
        while True:
            try:
                if request(self, "GET", "/api/v1/health").status == 200:
                    return self
            except OSError:
                pass
            assert self.process.poll() is None, self.log_path.read_text()
            assert time.monotonic() < deadline, "kb serve did not start"
            time.sleep(0.3)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        self.process = None

    def restart(self, **env: str) -> KbServe:
        self.stop()
        return self.start(**env)

    def log(self) -> str:
        return self.log_path.read_text()


class Answer:
    def __init__(self, response: http.client.HTTPResponse):
        self.status = response.status
        self.headers = response.headers
        self.text = response.read().decode("utf-8", "replace")


def request(
    server: KbServe,
    method: str,
    path: str,
    cookie: str | None = None,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request, redirects not followed; `cookie` is a `name=value` pair."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    sent = dict(headers or {})
    body = None
    if cookie:
        sent["Cookie"] = cookie
    if form is not None:
        body = urllib.parse.urlencode(form)
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=sent)
        return Answer(connection.getresponse())
    finally:
        connection.close()


def sign_in(server: KbServe, token: str, headers: dict[str, str] | None = None) -> tuple[Answer, str | None]:
    """POST the sign-in form; the answer and the cookie it set (`name=value`), if any."""
    answer = request(server, "POST", "/internal/login", form={"token": token}, headers=headers)
    set_cookie = answer.headers.get("Set-Cookie")
    return answer, set_cookie.split(";", 1)[0] if set_cookie else None
