"""The rate limit counted in a shared store (Redis): the documented limit holds across workers and instances.

Two real `kb serve` processes of two workers each share one real Redis server (tests/redis_server.py); a
client spreading its requests over them gets exactly `KB_RATE_LIMIT` answered, as from a single process.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import redis
from browser import free_port
from conftest import MiniKB, page
from gitrepo import GitRepo
from redis_server import redis_server

LIMIT = 6  # per hour: the window starts at the first request, so it cannot end during the test
INSTANCES = 2
VIEW = {"type": "view", "article": "declined", "lang": "en", "session": "tab-0123456789"}


@contextmanager
def serving(root: Path, folder: Path, **settings: str) -> Iterator[int]:
    """A `kb serve` process on a free port until the block ends; yields the port once it answers."""
    port = free_port()
    env = {
        **os.environ,
        "KB_DATABASE_URL": f"sqlite:///{folder / 'events.sqlite3'}",
        "KB_SITE_DIR": str(folder / "site"),
        "KB_SEARCH_INDEX": str(folder / "search"),
        "KB_API_TOKENS": "limit-token-0001",
        "KB_WORKERS": "2",
        "KB_THREADS": "2",
        **settings,
    }
    log_path = folder / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kbtools", "--root", str(root), "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 240  # it builds the small sites first
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2):
                    break
            except OSError:
                pass
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "kb serve did not start:\n" + log_path.read_text()
            time.sleep(0.1)
        yield port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    assert "Traceback" not in log_path.read_text(), log_path.read_text()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[int]]]:
    """(Redis URL, ports of the `kb serve` instances counting in it)."""
    folder = tmp_path_factory.mktemp("shared-limit")
    kb = MiniKB(folder / "kb")
    kb.both(
        "cards/declined.md",
        page("declined", "Card declined", body="Why a card payment is declined.\n"),
        page("declined", "Carte refusée", body="Pourquoi un paiement par carte est refusé.\n"),
    )
    GitRepo(kb.root).commit("First version")
    with ExitStack() as stack:
        url = stack.enter_context(redis_server(folder))
        ports = []
        for number in range(INSTANCES):
            instance = folder / f"instance-{number}"
            instance.mkdir()
            settings = {"KB_RATE_LIMIT": f"{LIMIT}/hour", "KB_RATE_LIMIT_STORAGE": url}
            ports.append(stack.enter_context(serving(kb.root, instance, **settings)))
        yield url, ports


def _event(port: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("POST", "/api/v1/events", json.dumps(VIEW), {"Content-Type": "application/json"})
        return connection.getresponse().status
    finally:
        connection.close()


def _search(port: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", "/api/v1/search?q=card&log=0")
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.parametrize(("send", "accepted"), [(_event, 202), (_search, 200)], ids=["events", "search"])
def test_the_limit_holds_across_instances_and_workers_sharing_redis(shared, send, accepted: int) -> None:
    url, ports = shared
    redis.Redis.from_url(url).flushdb()  # each route starts with no count
    # Round robin over the instances (and, inside each, whichever worker gunicorn picks)
    statuses = [send(ports[number % len(ports)]) for number in range(LIMIT * len(ports))]
    assert statuses == [accepted] * LIMIT + [429] * (LIMIT * len(ports) - LIMIT)


def test_the_counts_are_in_redis_not_in_the_processes(shared) -> None:
    url, ports = shared
    client = redis.Redis.from_url(url)
    client.flushdb()
    assert _event(ports[0]) == 202
    assert client.dbsize() > 0  # a counter the other instance reads
    client.flushdb()  # an operator resetting the store resets every instance's count
    assert [_event(ports[1]) for _ in range(LIMIT)] == [202] * LIMIT
