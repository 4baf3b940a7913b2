"""The helpdesk webhook through a real `kb serve` (gunicorn, two workers): a delivery queued while it was down
goes out when it starts, with no request to wake it; deliveries queued in the app and by another process while
it runs go out; each once, signed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from browser import free_port
from click.testing import CliRunner
from conftest import REPO_ROOT
from webhook_receiver import Receiver

from kbtools.cli import main
from kbtools.model.signatures import verify

SECRETS = "served-secret-0001,served-secret-0002"


def _ping(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["--root", str(REPO_ROOT), "webhooks", "ping"], env=env)
    assert result.exit_code == 0, result.output


def test_kb_serve_sends_pending_and_new_deliveries_once_each(tmp_path: Path) -> None:
    database = tmp_path / "events.sqlite3"
    with Receiver() as receiver:
        env = {
            "KB_DATABASE_URL": f"sqlite:///{database}",
            "KB_SITE_DIR": str(tmp_path / "site"),
            "KB_SEARCH_INDEX": str(tmp_path / "search"),
            "KB_API_TOKENS": "served-token-1234",
            "KB_WORKERS": "2",
            "KB_HELPDESK_WEBHOOK_URL": receiver.url,
            "KB_HELPDESK_WEBHOOK_SECRETS": SECRETS,
        }
        _ping(env)  # queued while no service runs
        log = (tmp_path / "serve.log").open("w")
        port = free_port()
        base = f"http://127.0.0.1:{port}/"
        process = subprocess.Popen(
            [sys.executable, "-m", "kbtools", "--root", str(REPO_ROOT), "serve", "--port", str(port)],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 300  # it builds both sites first
            while not receiver.requests:  # nobody requests a page: the workers' senders start on their own
                assert process.poll() is None, (tmp_path / "serve.log").read_text()
                assert time.monotonic() < deadline, "the pending delivery never arrived"
                time.sleep(0.2)
            # Queued in the app while it runs, through the same outgoing.enqueue the auto-reply answers use
            request = urllib.request.Request(
                base + "api/v1/webhooks/ping", method="POST", headers={"Authorization": "Bearer served-token-1234"}
            )
            with urllib.request.urlopen(request, timeout=30) as answer:
                assert answer.status == 202 and json.loads(answer.read()) == {"status": "queued", "event": "ping"}
            _ping(env)  # and by another process (`kb webhooks ping`): the senders poll the outbox
            requests = receiver.wait_for(3, timeout=60)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # the outcome is written just after the answer
                with sqlite3.connect(database) as connection:
                    rows = connection.execute(
                        "SELECT attempts, delivered_at IS NOT NULL FROM webhook_deliveries ORDER BY id"
                    ).fetchall()
                if rows == [(1, 1)] * 3:
                    break
                time.sleep(0.2)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
            log.close()
    printed = (tmp_path / "serve.log").read_text()
    assert f"Webhook:      http://127.0.0.1:{receiver.url.split(':')[2].split('/')[0]} (signed" in printed
    assert "/hooks/kb" not in printed and "served-secret" not in printed
    assert rows == [(1, 1)] * 3  # each delivered at the first attempt, by one of the two workers
    assert len(requests) == 3 and len({r.headers["X-KB-Delivery"] for r in requests}) == 3
    for request in requests:
        for secret in SECRETS.split(","):
            verify([secret], request.headers["X-KB-Signature"], request.body, now=time.time())
        assert json.loads(request.body)["event"] == "ping"
