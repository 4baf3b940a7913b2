"""Wiki sessions end when they must (sign-out, a removed or rotated token), on every worker and across
restarts, and sign-in attempts are limited per client address and logged without the token. A real `kb
serve` (gunicorn, 2 workers) restarted with other tokens, and the service through its test client on SQLite
and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO_ROOT
from databases import BACKENDS, database_url
from kbserve import KbServe, request, sign_in

from kbtools.service import create_app

SECRET = "a-fixed-secret-key-for-these-tests-0123456789"
ALPHA, BETA, GAMMA = "token-alpha-000000001", "token-beta-000000002", "token-gamma-000000003"


@pytest.fixture
def server(tmp_path: Path):
    running = KbServe(tmp_path, {"KB_SECRET_KEY": SECRET, "KB_API_TOKENS": f"{ALPHA},{BETA}"})
    (tmp_path / "search").mkdir()  # no agent search here: kb serve need not index
    yield running.start()
    running.stop()


def _wiki(server: KbServe, cookie: str | None) -> int:
    return request(server, "GET", "/internal/", cookie=cookie).status


def test_a_session_ends_with_its_token_and_at_sign_out_across_restarts(server: KbServe) -> None:
    signed_alpha, alpha = sign_in(server, ALPHA)
    signed_beta, beta = sign_in(server, BETA)
    assert signed_alpha.status == signed_beta.status == 302 and alpha and beta
    assert _wiki(server, alpha) == _wiki(server, beta) == 200
    # The operator removes token alpha (same secret key): sessions made with it end, others live on
    server.restart(KB_API_TOKENS=f"{BETA},{GAMMA}")
    assert _wiki(server, alpha) == 302
    assert request(server, "GET", "/internal/api/v1/reports/gaps", alpha, headers={"X-KB-Request": "1"}).status == 401
    assert _wiki(server, beta) == 200
    # Signing out ends the session on the server: the same cookie, replayed, is refused by every worker
    assert request(server, "POST", "/internal/logout", cookie=beta).status == 302
    assert [_wiki(server, beta) for _ in range(6)] == [302] * 6
    server.restart()
    assert _wiki(server, beta) == 302
    assert ALPHA not in server.log() and BETA not in server.log()


def test_sign_in_attempts_are_limited_per_client_address_and_logged(tmp_path: Path) -> None:
    running = KbServe(
        tmp_path,
        {
            "KB_API_TOKENS": ALPHA,
            "KB_SIGN_IN_LIMIT": "10/hour",  # the default's count, in a window no slow machine outlasts
            "KB_TRUSTED_PROXIES": "1",  # clients are told apart by the address the proxy (this test) gives
            "KB_TRUSTED_PROXY_ADDRESSES": "127.0.0.1",
        },
    )
    (tmp_path / "search").mkdir()
    running.start()
    try:
        attacker = {"X-Forwarded-For": "203.0.113.7"}
        answers = [sign_in(running, f"guess-{n:04d}-secret", attacker)[0] for n in range(60)]
        statuses = [answer.status for answer in answers]
        assert statuses[:10] == [200] * 10  # the form again, "That token is not valid."
        assert statuses[10:] == [429] * 50  # whichever worker answers
        refused = answers[-1]
        assert "Too many failed sign-ins" in refused.text and int(refused.headers["Retry-After"]) > 0
        assert sign_in(running, ALPHA, attacker)[0].status == 429  # even the right token, from that address
        answer, cookie = sign_in(running, ALPHA, {"X-Forwarded-For": "198.51.100.4"})  # another client
        assert answer.status == 302 and cookie
        log = running.log()
        assert "sign-in from 203.0.113.7: wrong token" in log
        assert "sign-in refused from 203.0.113.7: too many failed attempts" in log
        assert "sign-in from 198.51.100.4: ok" in log
        assert "guess-0001-secret" not in log and ALPHA not in log
    finally:
        running.stop()


def _app(url: str, tokens: list[str], **settings):
    return create_app(
        {
            "root": str(REPO_ROOT),
            "database_url": url,
            "rate_limit": "off",
            "api_tokens": tokens,
            "secret_key": SECRET,
            **settings,
        }
    )


def _cookie_of(client) -> str:
    cookie = client.get_cookie("kb_wiki", path="/internal/")
    assert cookie is not None
    return cookie.value


def _replay(app, value: str) -> int:
    client = app.test_client()
    client.set_cookie("kb_wiki", value, path="/internal/")
    return client.get("/internal/dashboard").status_code


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("tokens_after", "alive"),
    [
        ([ALPHA, BETA], True),  # unchanged: the session survives a restart
        ([BETA, ALPHA], True),
        ([BETA], False),  # removed
        ([GAMMA], False),  # rotated: a new token replaces it
        ([ALPHA + "x", BETA], False),  # rotated to a near value
        ([], False),  # none configured: kb makes a random one
    ],
)
def test_a_session_lives_exactly_as_long_as_its_token(
    backend: str, tmp_path: Path, tokens_after: list[str], alive: bool
) -> None:
    url = database_url(backend, tmp_path)
    client = _app(url, [ALPHA, BETA]).test_client()
    assert client.post("/internal/login", data={"token": ALPHA}).status_code == 302
    value = _cookie_of(client)
    restarted = _app(url, tokens_after)  # another process with the same secret and database
    assert _replay(restarted, value) == (200 if alive else 302)
    assert _replay(restarted, value) == (200 if alive else 302)  # and it does not come back


@pytest.mark.parametrize("backend", BACKENDS)
def test_sign_out_ends_the_session_for_every_instance(backend: str, tmp_path: Path) -> None:
    url = database_url(backend, tmp_path)
    first, second = _app(url, [ALPHA]), _app(url, [ALPHA])  # two instances behind a load balancer
    client = first.test_client()
    assert client.post("/internal/login", data={"token": ALPHA}).status_code == 302
    value = _cookie_of(client)
    assert _replay(second, value) == 200
    assert client.post("/internal/logout").status_code == 302
    assert client.get_cookie("kb_wiki", path="/internal/") is None
    assert _replay(first, value) == 302
    assert _replay(second, value) == 302


@pytest.mark.parametrize(("limit", "allowed"), [("3/minute", 3), ("5/hour", 5), ("2/day", 2)])
def test_the_sign_in_limit_counts_failures_per_client(tmp_path: Path, limit: str, allowed: int) -> None:
    app = _app(f"sqlite:///{tmp_path / 'db.sqlite3'}", [ALPHA], sign_in_limit=limit)
    client = app.test_client()
    here, there = {"REMOTE_ADDR": "192.0.2.10"}, {"REMOTE_ADDR": "192.0.2.11"}
    # Right tokens do not count: an agent signing in again and again is never locked out
    for _ in range(allowed + 2):
        assert client.post("/internal/login", data={"token": ALPHA}, environ_base=here).status_code == 302
    wrong = [
        client.post("/internal/login", data={"token": "nope"}, environ_base=here).status_code
        for _ in range(allowed + 2)
    ]
    assert wrong == [200] * allowed + [429, 429]
    assert client.post("/internal/login", data={"token": ALPHA}, environ_base=here).status_code == 429
    assert client.post("/internal/login", data={"token": ALPHA}, environ_base=there).status_code == 302
