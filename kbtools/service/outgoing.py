"""Signed webhooks to the helpdesk: `enqueue` queues a delivery in the outbox, a sender thread posts it.

Design: one daemon sender thread per process that serves requests (each gunicorn worker, a Flask app under
any other WSGI server or a test client), started lazily: by the first request or `enqueue` of that process,
and by gunicorn's `post_worker_init` (so a restarted service sends what was pending without waiting for
traffic). It is never started in gunicorn's arbiter, whose threads would not survive the fork. All threads of
all workers and instances read the same outbox table; each row is claimed atomically (kbtools/analytics/
outbox.py), so running several changes throughput, never the number of copies a helpdesk receives. A thread
wakes when its process queues a delivery, when the earliest retry is due, and at least every
`POLL_SECONDS` (deliveries queued by other processes, rows whose sender died mid-attempt).

An attempt: POST of the stored JSON body with `X-KB-Signature` (kbtools/model/signatures.py, every configured
secret), `X-KB-Delivery` (the same on every attempt: the receiver de-duplicates on it) and `X-KB-Event`.
2xx is delivered. Network errors, timeouts, 408, 429 and 5xx are tried again after an exponential backoff
with jitter (or the `Retry-After` the helpdesk asked for), until `helpdesk_webhook_max_attempts`; then the
delivery is dead-lettered. Any other answer (4xx, 3xx) is dead-lettered at once: sending it again would get
the same answer.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
import urllib.parse
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import requests

from kbtools.analytics import outbox
from kbtools.analytics.store import StoreError, writing
from kbtools.model.signatures import signature_header

if TYPE_CHECKING:
    from kbtools.analytics.store import Engine
    from kbtools.service.settings import Settings

log = logging.getLogger(__name__)

DELIVERY_HEADER = "X-KB-Delivery"
EVENT_HEADER = "X-KB-Event"
USER_AGENT = "kb-webhooks/1"
MAX_DELAY_SECONDS = 3600.0  # backoff and Retry-After are capped here: a delivery is tried at least hourly
MIN_DELAY_SECONDS = 1.0  # a Retry-After of 0 or in the past: not again in the same pass
POLL_SECONDS = 5.0
BATCH = 20  # deliveries one pass attempts at most, before it looks at the clock and its stop flag again
LEASE_MARGIN_SECONDS = 30.0  # a claim outlives the attempt's timeout by this much
PURGE_EVERY_SECONDS = 3600.0
REPLY_CHARS = 200  # of the helpdesk's reply, kept with a failure
RETRY_STATUSES = frozenset({408, 429})  # and every 5xx


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    secrets: tuple[str, ...]
    max_attempts: int
    backoff_seconds: float
    timeout_seconds: float
    keep_days: int = 30

    @classmethod
    def of(cls, settings: Settings) -> WebhookConfig | None:
        """The helpdesk webhook the settings configure, or None (no URL: nothing is queued)."""
        if not settings.helpdesk_webhook_url:
            return None
        return cls(
            url=settings.helpdesk_webhook_url,
            secrets=tuple(settings.helpdesk_webhook_secrets),
            max_attempts=settings.helpdesk_webhook_max_attempts,
            backoff_seconds=settings.helpdesk_webhook_backoff_seconds,
            timeout_seconds=settings.helpdesk_webhook_timeout_seconds,
            keep_days=settings.helpdesk_webhook_keep_days,
        )


def backoff_seconds(failures: int, base: float, jitter: float) -> float:
    """The wait after the `failures`-th failed attempt: base x 2^(failures-1), capped at an hour, of which a
    random part of up to half is taken off (`jitter` in [0, 1)), so senders that failed together spread out."""
    full = min(base * 2 ** (failures - 1), MAX_DELAY_SECONDS)
    return full * (1 - jitter / 2)


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """A `Retry-After` header (seconds, or an HTTP date) as seconds from `now`, capped; None when absent or
    unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(max(float(value), MIN_DELAY_SECONDS), MAX_DELAY_SECONDS)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return min(max(moment.timestamp() - now, MIN_DELAY_SECONDS), MAX_DELAY_SECONDS)


def redact(text: str, url: str) -> str:
    """`text` (an error message, logged and stored) without the webhook URL's path, query and password: some
    helpdesks put the receiver's token there."""
    parts = urllib.parse.urlsplit(url)
    hidden = [parts.path + (f"?{parts.query}" if parts.query else ""), parts.query, parts.password or ""]
    for secret in sorted(hidden, key=len, reverse=True):
        if len(secret) > 1:
            text = text.replace(secret, "[hidden]")
    return text


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to."""

    delivered: bool
    retry: bool
    status: int | None
    error: str
    retry_after: float | None = None


@dataclass(frozen=True)
class Answer:
    """What the helpdesk answered: the status, its Retry-After, and the start of the reply (never more is read:
    a URL that points at something large costs nothing)."""

    status: int
    retry_after: str | None
    reply: str


def classify(answer: Answer | None, error: str, now: float) -> Outcome:
    if answer is None:  # no answer: refused, reset, timed out, DNS
        return Outcome(False, True, None, error)
    status = answer.status
    if 200 <= status < 300:
        return Outcome(True, False, status, "")
    text = f"HTTP {status}: {answer.reply.strip()}".rstrip(": ")
    if status in RETRY_STATUSES or status >= 500:
        return Outcome(False, True, status, text, retry_after_seconds(answer.retry_after, now))
    return Outcome(False, False, status, text)  # the helpdesk refused this request: it will refuse it again


class Sender:
    """Posts the outbox's due deliveries. `run_once` is one pass (tests drive it with their own clock);
    `ensure_running` starts the thread that calls it for this process."""

    def __init__(
        self,
        engine: Engine,
        config: WebhookConfig,
        clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
        poll_seconds: float = POLL_SECONDS,
    ):
        self.engine = engine
        self.config = config
        self.clock = clock
        self.jitter = jitter
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._claimer = uuid.uuid4().hex
        self._purged_at: float | None = None

    # Queueing --------------------------------------------------------------------------------------------

    def enqueue(self, event: str, payload: dict[str, Any]) -> str:
        with writing(self.engine) as connection:
            delivery_id = outbox.add(connection, event, payload, outbox.at(self.clock()))
        self.ensure_running()
        self._wake.set()
        return delivery_id

    # Sending ---------------------------------------------------------------------------------------------

    def run_once(self) -> int:
        """Attempt up to BATCH due deliveries once each; returns how many were attempted. Each is claimed just
        before its attempt, for the longest one attempt can take (connect, then answer) and a margin, so a slow
        helpdesk never outlasts a claim and lets a second sender post the same delivery."""
        self._purge_old()
        attempted = 0
        with requests.Session() as session:
            while attempted < BATCH:
                now = self.clock()
                lease = outbox.at(now + self.config.timeout_seconds * 2 + LEASE_MARGIN_SECONDS)
                claimed = outbox.claim_due(self.engine, self._claimer, outbox.at(now), lease, 1)
                if not claimed:
                    break
                self._attempt(session, claimed[0])
                attempted += 1
        return attempted

    def _purge_old(self) -> None:
        """Delivered rows older than `keep_days` are removed, at most once an hour by each sender."""
        now = self.clock()
        if self._purged_at is not None and now - self._purged_at < PURGE_EVERY_SECONDS:
            return
        self._purged_at = now
        outbox.purge_delivered(self.engine, outbox.at(now - self.config.keep_days * 86400))

    def _attempt(self, session: requests.Session, delivery: outbox.Delivery) -> None:
        body = delivery.body.encode()
        sent_at = self.clock()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            DELIVERY_HEADER: delivery.delivery_id,
            EVENT_HEADER: delivery.event,
            "X-KB-Signature": signature_header(self.config.secrets, int(sent_at), body),
        }
        answer: Answer | None = None
        error = ""
        try:
            with session.post(
                self.config.url,
                data=body,
                headers=headers,
                timeout=self.config.timeout_seconds,
                allow_redirects=False,
                stream=True,  # the reply is read up to REPLY_CHARS only
            ) as response:
                start = next(response.iter_content(REPLY_CHARS), b"")
                reply = start.decode(response.encoding or "utf-8", errors="replace")[:REPLY_CHARS]
                answer = Answer(response.status_code, response.headers.get("Retry-After"), reply)
        except requests.Timeout:
            error = f"no answer within {self.config.timeout_seconds:g} seconds"
        except requests.RequestException as exc:
            error = redact(f"{type(exc).__name__}: {exc}", self.config.url)
        now = self.clock()
        outcome = classify(answer, error, now)
        if outcome.delivered:
            outbox.record_delivered(self.engine, delivery.id, self._claimer, outbox.at(now), outcome.status or 200)
            return
        failures = delivery.attempts + 1
        retry_at = None
        if outcome.retry and failures < self.config.max_attempts:
            wait = outcome.retry_after
            if wait is None:
                wait = backoff_seconds(failures, self.config.backoff_seconds, self.jitter())
            retry_at = outbox.at(now + wait)
        log.warning(
            "helpdesk webhook delivery %s (%s) failed, attempt %d: %s%s",
            delivery.id,
            delivery.event,
            failures,
            outcome.error,
            "" if retry_at else "; dead-lettered",
        )
        outbox.record_failure(
            self.engine, delivery.id, self._claimer, outbox.at(now), outcome.status, outcome.error, retry_at
        )

    def _seconds_to_next(self) -> float:
        due = outbox.next_due(self.engine)
        if due is None:
            return self.poll_seconds
        return min(max(due.timestamp() - self.clock(), 0.0), self.poll_seconds)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                while self.run_once() and not self._stop.is_set():
                    pass
                wait = self._seconds_to_next()
            except StoreError:  # the database is away for a moment: pending rows wait there
                log.warning("helpdesk webhook sender: the event store did not answer; trying again", exc_info=True)
                wait = self.poll_seconds
            except Exception:  # a bug must not end the thread: nothing would be sent until a restart
                log.exception("helpdesk webhook sender failed; trying again")
                wait = self.poll_seconds
            self._wake.wait(wait)
            self._wake.clear()

    # The thread ------------------------------------------------------------------------------------------

    def ensure_running(self) -> None:
        """Start this process's sender thread unless it runs (cheap: called on every request)."""
        pid = os.getpid()
        if self._pid == pid and self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._pid == pid and self._thread is not None and self._thread.is_alive():
                return
            if self._pid != pid:  # a forked child: the parent's claims and events are not ours
                self._claimer = uuid.uuid4().hex
                self._wake = threading.Event()
                self._stop = threading.Event()
            self._pid = pid
            self._thread = threading.Thread(target=self._loop, name="kb-webhook-sender", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)


# The senders of the apps made in this process, by engine: what `enqueue` finds
_SENDERS: weakref.WeakKeyDictionary[Engine, Sender] = weakref.WeakKeyDictionary()


def register(engine: Engine, settings: Settings) -> Sender | None:
    """The sender for `engine` if the settings name a helpdesk webhook (not started: see `ensure_running`)."""
    config = WebhookConfig.of(settings)
    if config is None:
        _SENDERS.pop(engine, None)
        return None
    sender = Sender(engine, config)
    _SENDERS[engine] = sender
    return sender


def enqueue(engine: Engine, event: str, payload: dict[str, Any]) -> None:
    """Queue a signed delivery of payload to the configured helpdesk webhook; never blocks, never raises.

    One short insert; the sender thread posts it. No webhook configured: nothing is recorded. A failure to
    queue (the database away, a payload that is not JSON) is logged, not raised: the caller's request (a
    customer's click) must go on.
    """
    try:
        sender = _SENDERS.get(engine)
        if sender is None:
            return
        sender.enqueue(event, payload)
    except Exception:
        log.exception("could not queue the helpdesk webhook delivery of %s", event)
