"""Outgoing helpdesk webhooks: the outbox, the sender's retries and dead letters, against a real local receiver
that fails on purpose, on SQLite and PostgreSQL. The sender runs with an injected clock and jitter: the
schedule is read from the outbox, never from the wall clock."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from email.utils import format_datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO_ROOT
from databases import BACKENDS, database_url
from webhook_receiver import Receiver, Reply

from kbtools.analytics import outbox
from kbtools.analytics.store import connect, migrate, writing
from kbtools.cli import main
from kbtools.model.signatures import SignatureError, verify
from kbtools.service import create_app, outgoing, resolve_settings
from kbtools.service.settings import SettingsError, load_settings

SECRETS = ["old-secret-0001", "new-secret-0002"]
BASE = 10.0  # backoff base, seconds of the injected clock
JITTER = 0.5  # what the injected random source returns: a wait is BASE x 2^(n-1) x (1 - JITTER / 2)
T0 = 1_800_000_000.0


class Clock:
    def __init__(self, now: float = T0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path):
    engine = connect(database_url(request.param, tmp_path))
    migrate(engine)
    yield engine
    engine.dispose()


def _config(url: str, max_attempts: int = 5, timeout: float = 2.0) -> outgoing.WebhookConfig:
    return outgoing.WebhookConfig(url, tuple(SECRETS), max_attempts, BASE, timeout)


def _sender(engine, url: str, clock: Clock, **kwargs) -> outgoing.Sender:
    return outgoing.Sender(engine, _config(url, **kwargs), clock=clock, jitter=lambda: JITTER)


def _add(engine, clock: Clock, event: str = "ticket.solved", payload: dict | None = None) -> str:
    with writing(engine) as connection:
        return outbox.add(connection, event, payload or {"ticket_id": "4711"}, outbox.at(clock()))


def _only(engine) -> outbox.Delivery:
    (delivery,) = outbox.list_deliveries(engine, list(outbox.DeliveryState), 10)
    return delivery


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks/kb"  # nothing listens there: connection refused


def _backoff(failures: int) -> float:
    return BASE * 2 ** (failures - 1) * (1 - JITTER / 2)


def _assert_signed(request, now: float) -> dict:
    """Each secret alone verifies the signature (rotation); the body is the delivery document."""
    for secret in SECRETS:
        verify([secret], request.headers["X-KB-Signature"], request.body, now=now)
    with pytest.raises(SignatureError):
        verify(["not-the-secret"], request.headers["X-KB-Signature"], request.body, now=now)
    assert request.headers["Content-Type"] == "application/json"
    document = json.loads(request.body)
    assert document["id"] == request.headers["X-KB-Delivery"]
    assert document["event"] == request.headers["X-KB-Event"]
    return document


# Retries: every shape of failure the sender must try again, then success -------------------------------

RETRIED = {
    "500": (Reply(500, body="oops"), None),
    "503": (Reply(503), None),
    "408": (Reply(408), None),
    "429 Retry-After seconds": (Reply(429, {"Retry-After": "120"}), 120.0),
    "503 Retry-After date": (Reply(503, {"Retry-After": format_datetime(outbox.at(T0 + 90), usegmt=True)}), 90.0),
    "slow past the timeout": (Reply(200, delay=1.5), None),
}


@pytest.mark.parametrize("shape", list(RETRIED))
def test_failures_are_retried_with_backoff_then_delivered_once(engine, shape: str) -> None:
    failure, retry_after = RETRIED[shape]
    clock = Clock()
    with Receiver([failure, failure, Reply(200)]) as receiver:
        sender = _sender(engine, receiver.url, clock, timeout=0.5)
        delivery_id = _add(engine, clock)
        for failures in (1, 2):
            assert sender.run_once() == 1
            row = _only(engine)
            assert row.state is outbox.DeliveryState.PENDING and row.attempts == failures
            wait = retry_after if retry_after is not None else _backoff(failures)
            # The date form is read against the clock at the reply, which moved on by the earlier waits
            if shape == "503 Retry-After date":
                wait = max(T0 + 90 - clock.now, outgoing.MIN_DELAY_SECONDS)
            assert row.next_attempt_at.timestamp() == pytest.approx(clock.now + wait)
            assert row.last_error
            clock.now = row.next_attempt_at.timestamp() - 0.001
            assert sender.run_once() == 0  # not due yet
            clock.now = row.next_attempt_at.timestamp()
        assert sender.run_once() == 1
        requests = receiver.wait_for(3)
    row = _only(engine)
    assert row.state is outbox.DeliveryState.DELIVERED and row.attempts == 3 and row.last_status == 200
    assert row.delivered_at is not None and row.delivered_at.timestamp() == pytest.approx(clock.now)
    assert {request.headers["X-KB-Delivery"] for request in requests} == {delivery_id}
    assert len({request.body for request in requests}) == 1  # the same body on every attempt
    document = _assert_signed(requests[-1], now=clock.now)
    assert document["data"] == {"ticket_id": "4711"} and document["event"] == "ticket.solved"
    clock.now += 10_000
    assert sender.run_once() == 0  # delivered: never sent again


def test_connection_refused_is_retried_then_dead_lettered(engine) -> None:
    clock = Clock()
    sender = _sender(engine, _closed_port_url(), clock, max_attempts=3)
    _add(engine, clock)
    for failures in (1, 2):
        assert sender.run_once() == 1
        row = _only(engine)
        assert row.state is outbox.DeliveryState.PENDING
        assert row.next_attempt_at.timestamp() == pytest.approx(clock.now + _backoff(failures))
        assert "ConnectionError" in (row.last_error or "")
        clock.now = row.next_attempt_at.timestamp()
    assert sender.run_once() == 1
    row = _only(engine)
    assert row.state is outbox.DeliveryState.DEAD and row.attempts == 3 and row.last_status is None
    assert "ConnectionError" in (row.last_error or "")
    clock.now += 100_000
    assert sender.run_once() == 0  # a dead letter waits for an operator


def test_a_helpdesk_that_keeps_failing_dead_letters_after_the_configured_attempts(engine) -> None:
    clock = Clock()
    with Receiver([Reply(502, body="bad gateway")] * 4) as receiver:
        sender = _sender(engine, receiver.url, clock, max_attempts=4)
        _add(engine, clock)
        waits = []
        for _ in range(4):
            before = clock.now
            assert sender.run_once() == 1
            row = _only(engine)
            if row.state is outbox.DeliveryState.PENDING:
                waits.append(row.next_attempt_at.timestamp() - before)
                clock.now = row.next_attempt_at.timestamp()
        assert len(receiver.wait_for(4)) == 4
    assert waits == pytest.approx([_backoff(1), _backoff(2), _backoff(3)])  # doubling
    row = _only(engine)
    assert row.state is outbox.DeliveryState.DEAD and row.attempts == 4 and row.last_status == 502
    assert row.last_error == "HTTP 502: bad gateway"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422, 301])
def test_a_refusal_is_dead_lettered_at_once_with_the_reason(engine, status: int) -> None:
    clock = Clock()
    with Receiver([Reply(status, {"Location": "http://elsewhere/"}, body='{"error":"unknown ticket"}')]) as receiver:
        sender = _sender(engine, receiver.url, clock)
        _add(engine, clock)
        assert sender.run_once() == 1
        assert len(receiver.wait_for(1)) == 1
    row = _only(engine)
    assert row.state is outbox.DeliveryState.DEAD and row.attempts == 1 and row.last_status == status
    assert row.last_error == f'HTTP {status}: {{"error":"unknown ticket"}}'


def test_jitter_spreads_the_waits_within_half_of_the_backoff() -> None:
    for failures in range(1, 15):
        full = min(BASE * 2 ** (failures - 1), outgoing.MAX_DELAY_SECONDS)
        assert outgoing.backoff_seconds(failures, BASE, 0.0) == full
        assert outgoing.backoff_seconds(failures, BASE, 0.999) == pytest.approx(full * 0.5005)


# Several senders, restarts ------------------------------------------------------------------------------


def test_two_concurrent_senders_never_deliver_a_row_twice(engine, tmp_path: Path) -> None:
    clock = Clock()
    count = 40
    for number in range(count):
        _add(engine, clock, payload={"ticket_id": str(number)})
    with Receiver() as receiver:
        # Two engines, as two worker processes or instances have, over the same table
        engines = [connect(engine.url.render_as_string(hide_password=False)) for _ in range(2)]
        senders = [_sender(other, receiver.url, clock) for other in engines]
        barrier = threading.Barrier(2)

        def drain(sender: outgoing.Sender) -> None:
            barrier.wait()
            while sender.run_once():
                pass

        threads = [threading.Thread(target=drain, args=(sender,)) for sender in senders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        requests = receiver.wait_for(count)
        for other in engines:
            other.dispose()
    ids = [request.headers["X-KB-Delivery"] for request in requests]
    assert len(ids) == count and len(set(ids)) == count
    rows = outbox.list_deliveries(engine, list(outbox.DeliveryState), 100)
    assert all(row.state is outbox.DeliveryState.DELIVERED and row.attempts == 1 for row in rows)


SENDER_PROCESS = """
import pathlib, sys, time
from kbtools.analytics.store import connect
from kbtools.service.outgoing import Sender, WebhookConfig

database, url, go = sys.argv[1:]
sender = Sender(connect(database), WebhookConfig(url, ("old-secret-0001",), 5, 10.0, 5.0))
while not pathlib.Path(go).exists():  # both processes start draining together
    time.sleep(0.01)
while sender.run_once():
    pass
"""


def test_two_sender_processes_never_deliver_a_row_twice(engine, tmp_path: Path) -> None:
    clock = Clock(time.time())
    count = 40
    for number in range(count):
        _add(engine, clock, payload={"ticket_id": str(number)})
    go = tmp_path / "go"
    with Receiver() as receiver:
        url = engine.url.render_as_string(hide_password=False)
        processes = [
            subprocess.Popen([sys.executable, "-c", SENDER_PROCESS, url, receiver.url, str(go)]) for _ in range(2)
        ]
        go.touch()
        for process in processes:
            assert process.wait(timeout=120) == 0
        requests = list(receiver.requests)
    ids = [request.headers["X-KB-Delivery"] for request in requests]
    assert len(ids) == count and len(set(ids)) == count
    rows = outbox.list_deliveries(engine, list(outbox.DeliveryState), 100)
    assert len(rows) == count
    assert all(row.state is outbox.DeliveryState.DELIVERED and row.attempts == 1 for row in rows)


def test_pending_deliveries_survive_a_restart_and_a_sender_that_died_mid_attempt(engine) -> None:
    clock = Clock()
    _add(engine, clock, payload={"ticket_id": "1"})
    _add(engine, clock, payload={"ticket_id": "2"})
    # A sender claims both and dies before sending (a killed worker): its lease keeps others off them
    held = outbox.claim_due(engine, "dead-worker", outbox.at(clock.now), outbox.at(clock.now + 60), 10)
    assert len(held) == 2
    # Senders wait for the claim to run out rather than look again at once (no busy loop while one posts)
    assert outbox.next_due(engine) == outbox.at(clock.now + 60)
    with Receiver() as receiver:
        url = engine.url.render_as_string(hide_password=False)
        restarted = connect(url)  # a new process: its own engine, its own sender
        sender = _sender(restarted, receiver.url, clock)
        assert sender.run_once() == 0
        clock.now += 61  # the lease ran out
        assert sender.run_once() == 2
        requests = receiver.wait_for(2)
        restarted.dispose()
    assert sorted(json.loads(r.body)["data"]["ticket_id"] for r in requests) == ["1", "2"]
    # The dead sender's late outcome cannot overwrite the delivered rows
    for delivery in held:
        outbox.record_failure(engine, delivery.id, "dead-worker", outbox.at(clock.now), 500, "late", None)
    assert {row.state for row in outbox.list_deliveries(engine, list(outbox.DeliveryState), 10)} == {
        outbox.DeliveryState.DELIVERED
    }


# enqueue, through the app factory ----------------------------------------------------------------------


def _app_settings(url: str, webhook_url: str = "", **extra):
    return {
        "root": str(REPO_ROOT),
        "database_url": url,
        "rate_limit": "off",
        "api_tokens": ["webhook-token-0001"],
        "search_index": "/nonexistent",
        "helpdesk_webhook_url": webhook_url,
        "helpdesk_webhook_secrets": SECRETS if webhook_url else [],
        **extra,
    }


@pytest.mark.parametrize("backend", BACKENDS)
def test_enqueue_in_the_app_reaches_the_receiver_signed(backend: str, tmp_path: Path) -> None:
    url = database_url(backend, tmp_path)
    with Receiver() as receiver:
        app = create_app(_app_settings(url, receiver.url))
        engine = app.extensions["kb_engine"]
        started = time.time()
        outgoing.enqueue(engine, "ticket.solved", {"ticket_id": "9001", "article": "request-a-refund"})
        (request,) = receiver.wait_for(1)
        document = _assert_signed(request, now=time.time())
        assert document["data"] == {"ticket_id": "9001", "article": "request-a-refund"}
        signed_at = int(request.headers["X-KB-Signature"].split(",")[0].removeprefix("t="))
        assert signed_at >= int(started)
        app.extensions["kb_outgoing"].stop()
    deadline = time.monotonic() + 30  # the outcome is written just after the answer
    while _only(engine).state is not outbox.DeliveryState.DELIVERED and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _only(engine).state is outbox.DeliveryState.DELIVERED


@pytest.mark.parametrize("payload", [{"when": object()}, {"ratio": float("nan")}], ids=["not JSON", "NaN"])
def test_enqueue_never_raises_and_records_nothing_without_a_url_or_for_a_bad_payload(
    tmp_path: Path, payload: dict
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    app = create_app(_app_settings(url))  # no helpdesk webhook configured
    engine = app.extensions["kb_engine"]
    assert app.extensions["kb_outgoing"] is None
    outgoing.enqueue(engine, "ticket.solved", {"ticket_id": "1"})
    assert outbox.counts(engine) == {"pending": 0, "dead": 0, "delivered": 0}
    configured = create_app(_app_settings(url, _closed_port_url()))
    outgoing.enqueue(configured.extensions["kb_engine"], "ticket.solved", payload)  # logged, not raised
    assert outbox.counts(configured.extensions["kb_engine"]) == {"pending": 0, "dead": 0, "delivered": 0}


# Settings ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["ftp://helpdesk.example.com/hook", "helpdesk.example.com/hook", "https://", "x"])
def test_a_webhook_url_that_is_not_http_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(SettingsError, match=r"KB_HELPDESK_WEBHOOK_URL.*http:// or https://"):
        load_settings(environ={"KB_HELPDESK_WEBHOOK_URL": value})


@pytest.mark.parametrize("name,value", [("MAX_ATTEMPTS", "0"), ("BACKOFF_SECONDS", "0"), ("TIMEOUT_SECONDS", "-1")])
def test_webhook_numbers_must_be_positive(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"KB_HELPDESK_WEBHOOK_{name}"):
        load_settings(environ={f"KB_HELPDESK_WEBHOOK_{name}": value})


def test_secrets_are_a_list_for_rotation() -> None:
    settings = load_settings(environ={"KB_HELPDESK_WEBHOOK_SECRETS": "one-secret, two-secret"})
    assert settings.helpdesk_webhook_secrets == ["one-secret", "two-secret"]
    assert "one-secret" not in repr(settings)


def test_a_url_without_a_secret_stops_kb_serve_at_start(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="KB_HELPDESK_WEBHOOK_URL needs KB_HELPDESK_WEBHOOK_SECRETS"):
        resolve_settings({"root": str(REPO_ROOT), "helpdesk_webhook_url": "https://helpdesk.example.com/hook"})
    result = CliRunner().invoke(
        main,
        ["--root", str(REPO_ROOT), "serve"],
        env={
            "KB_HELPDESK_WEBHOOK_URL": "https://helpdesk.example.com/hook",
            "KB_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
    )
    assert result.exit_code == 1
    assert result.output.startswith("kb: error: KB_HELPDESK_WEBHOOK_URL needs KB_HELPDESK_WEBHOOK_SECRETS")
    assert "Traceback" not in result.output


# Operators: kb webhooks, the dashboard -----------------------------------------------------------------


def _dead_and_delivered(engine) -> tuple[int, int]:
    clock = Clock(time.time())
    with Receiver([Reply(404, body="no such ticket"), Reply(200)]) as receiver:
        sender = _sender(engine, receiver.url, clock)
        _add(engine, clock, payload={"ticket_id": "dead"})
        sender.run_once()
        _add(engine, clock, payload={"ticket_id": "ok"})
        sender.run_once()
    dead, delivered = outbox.list_deliveries(engine, list(outbox.DeliveryState), 2)[::-1]  # the two just added
    assert dead.state is outbox.DeliveryState.DEAD and delivered.state is outbox.DeliveryState.DELIVERED
    return dead.id, delivered.id


def _kb(url: str, *args: str):
    return CliRunner().invoke(main, ["--root", str(REPO_ROOT), "webhooks", *args], env={"KB_DATABASE_URL": url})


def test_kb_webhooks_lists_and_retries_dead_letters(engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    dead, delivered = _dead_and_delivered(engine)
    listed = _kb(url, "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    document = json.loads(listed.output)
    assert document["counts"] == {"pending": 0, "dead": 1, "delivered": 1}
    (row,) = document["deliveries"]  # unfinished by default
    assert row["id"] == dead and row["state"] == "dead" and row["last_error"] == "HTTP 404: no such ticket"
    assert row["payload"]["data"] == {"ticket_id": "dead"} and row["attempts"] == 1
    text = _kb(url, "list").output
    assert f"{dead}  dead" in text and "last error: HTTP 404: no such ticket" in text
    assert "kb webhooks retry --all-dead" in text
    every = json.loads(_kb(url, "list", "--state", "all", "--format", "json").output)["deliveries"]
    assert [row["id"] for row in every] == [delivered, dead]

    refused = _kb(url, "retry", str(delivered), "999999")
    assert refused.exit_code == 1
    assert f"{delivered}: delivered, not dead-lettered" in refused.output
    assert "999999: no such delivery" in refused.output
    assert _kb(url, "retry").exit_code == 1  # neither ids nor --all-dead

    retried = _kb(url, "retry", str(dead), "--format", "json")
    assert retried.exit_code == 0 and json.loads(retried.output) == {"retried": [dead], "problems": []}
    row = outbox.find(engine, [dead])[0]
    assert row.state is outbox.DeliveryState.PENDING and row.attempts == 0
    with Receiver() as receiver:  # sent again, from the first attempt
        assert _sender(engine, receiver.url, Clock(time.time() + 1)).run_once() == 1
        assert json.loads(receiver.wait_for(1)[0].body)["data"] == {"ticket_id": "dead"}
    assert outbox.find(engine, [dead])[0].state is outbox.DeliveryState.DELIVERED
    assert "Nothing queued again." in _kb(url, "retry", "--all-dead").output


def test_kb_webhooks_retry_all_dead_and_ping(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    engine = connect(url)
    migrate(engine)
    for _ in range(2):
        _dead_and_delivered(engine)
    result = _kb(url, "retry", "--all-dead")
    assert result.exit_code == 0 and result.output.count(",") == 1, result.output  # two ids put back
    assert outbox.counts(engine)["pending"] == 2
    no_url = _kb(url, "ping")
    assert no_url.exit_code == 1 and "KB_HELPDESK_WEBHOOK_URL" in no_url.output


def test_the_dashboard_says_when_deliveries_are_dead_lettered(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    app = create_app(_app_settings(url))
    client = app.test_client()
    headers = {"Authorization": "Bearer webhook-token-0001"}
    assert "dead-lettered" not in client.get("/internal/dashboard", headers=headers).get_data(as_text=True)
    _dead_and_delivered(app.extensions["kb_engine"])
    page = client.get("/internal/dashboard", headers=headers).get_data(as_text=True)
    assert "1 helpdesk webhook\ndelivery is dead-lettered" in page
    assert "kb webhooks retry --all-dead" in page


def test_the_receiver_example_in_the_operators_guide_verifies_a_real_delivery(engine) -> None:
    text = (REPO_ROOT / "docs/operators.md").read_text(encoding="utf-8")
    code = text.split("```python\nimport hashlib, hmac, time\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec("import hashlib, hmac, time\n" + code, namespace)
    clock = Clock(time.time())
    with Receiver() as receiver:
        _sender(engine, receiver.url, clock).run_once() if _add(engine, clock) else None
        (request,) = receiver.wait_for(1)
    header = request.headers["X-KB-Signature"]
    for secret in SECRETS:
        assert namespace["verify"](secret, header, request.body)
    assert not namespace["verify"]("not-the-secret", header, request.body)
    assert not namespace["verify"](SECRETS[0], header, request.body + b" ")
    stale = header.replace(header.split(",")[0], f"t={int(clock.now) - 3600}")
    assert not namespace["verify"](SECRETS[0], stale, request.body)


def test_the_ping_endpoint_queues_a_delivery_or_says_why_not(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    headers = {"Authorization": "Bearer webhook-token-0001"}
    unconfigured = create_app(_app_settings(url)).test_client()
    answer = unconfigured.post("/api/v1/webhooks/ping", headers=headers)
    assert answer.status_code == 409 and answer.json["error"] == "no_webhook"
    assert "KB_HELPDESK_WEBHOOK_URL" in answer.json["message"]
    with Receiver() as receiver:
        app = create_app(_app_settings(url, receiver.url))
        client = app.test_client()
        refused = client.post("/api/v1/webhooks/ping")
        assert refused.status_code == 401 and refused.json["error"] == "unauthorized"
        assert outbox.counts(app.extensions["kb_engine"])["pending"] == 0  # nothing stored from a refusal
        answer = client.post("/api/v1/webhooks/ping", headers=headers)
        assert answer.status_code == 202 and answer.json == {"status": "queued", "event": "ping"}
        (request,) = receiver.wait_for(1)
        app.extensions["kb_outgoing"].stop()
    document = _assert_signed(request, now=time.time())
    assert document["event"] == "ping" and document["data"] == {"requested_by": "token"}


@pytest.mark.parametrize(
    "where",
    ["/hooks/kb?token=query-secret-123", "/hooks/path-secret-123", "user:password-secret-123@"],
    ids=["query", "path", "password"],
)
def test_a_token_in_the_webhook_url_is_never_stored_or_logged(
    engine, where: str, caplog: pytest.LogCaptureFixture
) -> None:
    closed = _closed_port_url().removesuffix("/hooks/kb")
    url = closed.replace("http://", "http://" + where) if where.endswith("@") else closed + where
    clock = Clock()
    sender = _sender(engine, url, clock)
    _add(engine, clock)
    with caplog.at_level("WARNING"):
        assert sender.run_once() == 1
    row = _only(engine)
    assert "ConnectionError" in (row.last_error or "")
    assert "secret-123" not in (row.last_error or "") and "secret-123" not in caplog.text


def test_delivered_deliveries_are_removed_after_the_kept_days(engine) -> None:
    clock = Clock()
    day = 86400
    with Receiver([Reply(200), Reply(400)]) as receiver:
        config = outgoing.WebhookConfig(receiver.url, tuple(SECRETS), 5, BASE, 2.0, keep_days=30)
        sender = outgoing.Sender(engine, config, clock=clock, jitter=lambda: JITTER)
        _add(engine, clock, payload={"ticket_id": "delivered"})
        assert sender.run_once() == 1
        _add(engine, clock, payload={"ticket_id": "dead"})
        assert sender.run_once() == 1
    states = lambda: sorted(str(d.state) for d in outbox.list_deliveries(engine, list(outbox.DeliveryState), 10))  # noqa: E731
    assert states() == ["dead", "delivered"]
    clock.now += 29 * day
    sender.run_once()
    assert states() == ["dead", "delivered"]
    clock.now += 2 * day
    sender.run_once()
    assert states() == ["dead"]  # a dead letter waits for an operator, however old
