"""`kb serve` as a real server process: PostgreSQL right after each start, and slow clients.

- Storage: 20 starts on the real PostgreSQL of KB_TEST_DATABASE_URL (migrations run in the arbiter before the
  workers fork), each followed straight away by events from several threads: no error, no acknowledged
  event missing from the table.
- Slow clients: more half-sent requests (headers or body) than there are worker processes, held open while
  the health check, a page and an event POST must still answer. The failure bound is a generous socket
  timeout, not a timing assertion.

The sites and the search index are built once for the module and reused by every start.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

import pytest
from browser import free_port
from conftest import REPO_ROOT
from databases import database_url
from sqlalchemy import select

from kbtools.analytics.store import connect, events
from kbtools.model.project import KnowledgeBase
from kbtools.service import resolve_settings
from search import build_index
from site_plugins.build import BuildOptions, build_sites

TOKEN = "process-token-0001"
PUBLIC_PAGE = "card-payment-declined"
STARTS = 20
LOAD_THREADS = 8
EVENTS_PER_THREAD = 40
ANSWER_TIMEOUT = 20.0  # seconds: the failure bound for "still answers", far above any normal answer
WORKERS = 2


@dataclass(frozen=True)
class Built:
    site_dir: Path
    search_index: Path
    port: int  # every start serves on it, so the sites built for it are current (kb serve rebuilds others)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("built")
    kb = KnowledgeBase(REPO_ROOT)
    port = free_port()
    options = BuildOptions(
        out_dir=folder / "site",
        base_url=f"http://127.0.0.1:{port}/",
        service_url="/",
        contact_url=resolve_settings({"root": str(REPO_ROOT)})["contact_url"],
    )
    build_sites(kb, options)
    build_index(kb, folder / "search")
    return Built(folder / "site", folder / "search", port)


@contextmanager
def serving(built: Built, folder: Path, database: str, **settings: str) -> Iterator[str]:
    """A `kb serve` process on the module's port until the block ends; yields its base URL once it answers."""
    port = built.port
    env = {
        **os.environ,
        "KB_DATABASE_URL": database,
        "KB_SITE_DIR": str(built.site_dir),
        "KB_SEARCH_INDEX": str(built.search_index),
        "KB_API_TOKENS": TOKEN,
        "KB_RATE_LIMIT": "off",
        "KB_WORKERS": str(WORKERS),
        **settings,
    }
    log_path = folder / f"serve-{port}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kbtools", "--root", str(REPO_ROOT), "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(url + "/api/v1/health", timeout=2):
                        break
                except OSError:
                    pass
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "kb serve did not start:\n" + log_path.read_text()
                time.sleep(0.05)
            yield url
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    log = log_path.read_text()
    assert "Traceback" not in log, log
    assert "Building the sites" not in log, log  # each start serves the sites built once for the module


def _post_event(port: int, session: str) -> int:
    connection = HTTPConnection("127.0.0.1", port, timeout=ANSWER_TIMEOUT)
    try:
        body = json.dumps({"type": "view", "article": PUBLIC_PAGE, "lang": "en", "session": session})
        connection.request("POST", "/api/v1/events", body, {"Content-Type": "application/json"})
        return connection.getresponse().status
    finally:
        connection.close()


def _load(url: str, prefix: str) -> tuple[list[str], list[str]]:
    """Events from LOAD_THREADS threads at once: (sessions answered 202, what went wrong with the others)."""
    port = int(url.rsplit(":", 1)[1])
    acknowledged: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(LOAD_THREADS)

    def client(number: int) -> None:
        start.wait()
        for index in range(EVENTS_PER_THREAD):
            session = f"{prefix}-{number:02d}-{index:03d}"
            try:
                status = _post_event(port, session)
            except OSError as exc:
                status, failure = 0, f"{session}: {exc!r}"
            else:
                failure = f"{session}: HTTP {status}"
            with lock:
                (acknowledged if status == 202 else failures).append(session if status == 202 else failure)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(LOAD_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return acknowledged, failures


def test_every_event_right_after_each_start_on_postgresql_is_answered_and_stored(built: Built, tmp_path: Path) -> None:
    database = database_url("postgresql", tmp_path)  # a clean schema: the first start migrates it
    engine = connect(database)
    try:
        for start in range(STARTS):
            prefix = f"start{start:02d}"
            with serving(built, tmp_path, database) as url:
                acknowledged, failures = _load(url, prefix)
            with engine.connect() as connection:
                stored = set(
                    connection.execute(select(events.c.session).where(events.c.session.like(f"{prefix}-%"))).scalars()
                )
            missing = sorted(set(acknowledged) - stored)
            assert (failures[:5], missing[:5]) == ([], []), (
                f"start {start}: {len(failures)} errors, {len(missing)} lost"
            )
            assert len(acknowledged) == LOAD_THREADS * EVENTS_PER_THREAD
    finally:
        engine.dispose()


def _half_sent_headers(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # the headers never end
    return sock


def _half_sent_body(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    body = json.dumps({"type": "view", "article": PUBLIC_PAGE, "lang": "en", "session": "slow-body-client"})
    head = (
        f"POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    sock.sendall(head.encode() + body[: len(body) // 2].encode())  # the rest of the body never comes
    return sock


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_slow_clients_do_not_hold_up_other_clients(built: Built, tmp_path: Path, database: str) -> None:
    url_of_database = database_url(database, tmp_path)
    with serving(built, tmp_path, url_of_database) as url:
        port = int(url.rsplit(":", 1)[1])
        # More slow clients than worker processes, of both kinds, opened before anyone else asks
        slow = [_half_sent_headers(port) for _ in range(WORKERS + 1)] + [
            _half_sent_body(port) for _ in range(WORKERS + 1)
        ]
        try:
            for path in ("/api/v1/health", "/", "/fr/cards/card-payment-declined/"):
                with urllib.request.urlopen(url + path, timeout=ANSWER_TIMEOUT) as answer:
                    assert answer.status == 200
            assert _post_event(port, "fast-client-0001") == 202
            request = urllib.request.Request(url + "/internal/", headers={"Authorization": f"Bearer {TOKEN}"})
            with urllib.request.urlopen(request, timeout=ANSWER_TIMEOUT) as answer:
                assert "Agent wiki" in answer.read().decode()
        finally:
            for sock in slow:
                sock.close()
