"""Service settings: bad values are refused at start, naming the variable; the rate limit behind proxies."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO_ROOT

from kbtools.service import create_app
from kbtools.service.settings import SettingsError, load_settings

VIEW = {"type": "view", "article": "card-payment-declined", "lang": "en", "session": "tab-0123456789"}


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("KB_RATE_LIMIT", "banana"),
        ("KB_RATE_LIMIT", ""),
        ("KB_RATE_LIMIT", "600 a minute"),
        ("KB_TRUSTED_PROXIES", "-1"),
        ("KB_TRUSTED_PROXIES", "one"),
        ("KB_WORKERS", "0"),
    ],
)
def test_a_bad_value_is_refused_naming_its_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        load_settings(environ={variable: value})


def test_good_rate_limits_are_kept() -> None:
    assert load_settings(environ={"KB_RATE_LIMIT": " 120/minute "})["rate_limit"] == "120/minute"
    several = "10/second; 600 per hour"
    assert load_settings(environ={"KB_RATE_LIMIT": several})["rate_limit"] == several
    assert load_settings(environ={"KB_RATE_LIMIT": "OFF"})["rate_limit"] == "off"
    assert load_settings(environ={})["trusted_proxies"] == 0


def test_create_app_checks_text_given_in_its_config_too(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="KB_RATE_LIMIT"):
        create_app({"root": str(REPO_ROOT), "database_url": f"sqlite:///{tmp_path / 'db'}", "rate_limit": "banana"})


def _statuses(client, forwarded_for: list[str]) -> list[int]:
    return [
        client.post(
            "/api/v1/events",
            json=VIEW,
            headers={"X-Forwarded-For": address},
            environ_base={"REMOTE_ADDR": "10.0.0.2"},  # the load balancer
        ).status_code
        for address in forwarded_for
    ]


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(tmp_path: Path) -> None:
    app = create_app(
        {
            "root": str(REPO_ROOT),
            "database_url": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "rate_limit": "2/minute",
            "trusted_proxies": 1,
        }
    )
    clients = ["203.0.113.7", "203.0.113.7", "198.51.100.4", "203.0.113.7", "198.51.100.4", "198.51.100.4"]
    assert _statuses(app.test_client(), clients) == [202, 202, 202, 429, 202, 429]
    # A client cannot pick its key: only the entry the trusted proxy appended counts
    assert _statuses(app.test_client(), ["1.1.1.1, 203.0.113.7"]) == [429]


def test_without_trusted_proxies_the_header_is_ignored(tmp_path: Path) -> None:
    app = create_app(
        {"root": str(REPO_ROOT), "database_url": f"sqlite:///{tmp_path / 'db.sqlite3'}", "rate_limit": "2/minute"}
    )
    assert _statuses(app.test_client(), ["203.0.113.7", "198.51.100.4", "192.0.2.1"]) == [202, 202, 429]


@pytest.mark.parametrize(
    ("environ", "config", "hint", "printed"),
    [
        ({}, None, "sign in with the token below", True),
        ({"KB_API_TOKENS": " , "}, None, "sign in with the token below", True),  # no token: one is made
        ({"KB_API_TOKENS": "configured-token-1,configured-token-2"}, None, "one of the tokens in KB_API_TOKENS", False),
        ({}, 'api_tokens = "configured-token-1"', "one of the tokens of api_tokens in ", False),
        ({"KB_API_TOKENS": "configured-token-2"}, 'api_tokens = "configured-token-1"', "in KB_API_TOKENS", False),
    ],
)
def test_kb_serve_says_how_to_sign_in_and_never_prints_a_configured_token(
    tmp_path: Path, environ: dict[str, str], config: str | None, hint: str, printed: bool
) -> None:
    from kbtools.commands.service import sign_in_lines
    from kbtools.service import resolve_settings

    if config is not None:
        (tmp_path / "kb.toml").write_text(config + "\n", encoding="utf-8")
        environ = {**environ, "KB_CONFIG": str(tmp_path / "kb.toml")}
    settings = resolve_settings({**load_settings(environ=environ), "root": str(REPO_ROOT)})
    wiki, token_line = sign_in_lines(settings, environ)
    assert hint in wiki
    if printed:
        assert token_line is not None and settings["api_tokens"][0] in token_line
    else:
        assert token_line is None and "configured-token" not in wiki
