"""A real Redis server for tests: Debian's redis-server on a free port, in a temporary folder, stopped at the end.

`KB_TEST_REDIS_URL` points the tests at a running server instead. Without either, the tests skip, except in
CI (`CI` set), where they fail: scripts/system-packages installs redis-server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from browser import free_port


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """The URL of a Redis server that answers, for as long as the block runs."""
    configured = os.environ.get("KB_TEST_REDIS_URL")
    if configured:
        yield configured
        return
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed (apt-get install redis-server, or set KB_TEST_REDIS_URL)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    # No persistence: the counters live only as long as the test session
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    log_path = folder / "redis.log"
    with log_path.open("w") as log:
        process = subprocess.Popen([*command, "--dir", str(folder)], stdout=log, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 30
        while True:
            try:
                if client.ping():
                    break
            except redis.ConnectionError:
                pass
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "redis-server did not start:\n" + log_path.read_text()
            time.sleep(0.05)
        client.close()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
