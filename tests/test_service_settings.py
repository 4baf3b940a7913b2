"""Service settings: bad values are refused at start, naming the variable; the rate limit behind proxies."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from browser import free_port
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
    from kbtools.cli.commands.service import sign_in_lines
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


# Lists read from every source --------------------------------------------------------------------------

MARKER = {"X-KB-Request": "1"}
STATS = "/api/v1/stats/articles?from=2026-11-20&to=2026-11-21"


def _tokens_work(client) -> bool:
    return all(
        client.get(STATS, headers={"Authorization": f"Bearer {token}"}).status_code == 200
        for token in ("abc-token-0001", "def-token-0002")
    )


def _origins_work(client) -> bool:
    return all(
        client.get("/api/v1/health", headers={"Origin": origin}).headers.get("Access-Control-Allow-Origin") == origin
        for origin in ("https://help.example.com", "https://shop.example.com")
    )


def _proxies_work(client) -> bool:
    headers = {"X-Forwarded-User": "amelie", **MARKER}
    return all(
        client.get(STATS, headers=headers, environ_base={"REMOTE_ADDR": peer}).status_code == 200
        for peer in ("10.0.0.5", "10.1.0.77")
    )


LISTS = {
    # setting: (its two values, what an agent or a browser sees when both were taken)
    "api_tokens": (["abc-token-0001", "def-token-0002"], _tokens_work),
    "allowed_origins": (["https://help.example.com", "https://shop.example.com"], _origins_work),
    "trusted_proxy_addresses": (["10.0.0.5", "10.1.0.0/24"], _proxies_work),
}
SOURCES = ["toml list", "toml comma text", "environment"]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("name", LISTS)
def test_a_list_setting_means_the_same_from_toml_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, source: str
) -> None:
    values, works = LISTS[name]
    for variable in ("KB_CONFIG", "KB_API_TOKENS", "KB_ALLOWED_ORIGINS", "KB_TRUSTED_PROXY_ADDRESSES"):
        monkeypatch.delenv(variable, raising=False)
    if source == "environment":
        monkeypatch.setenv(f"KB_{name.upper()}", ", ".join(values))
    else:
        quoted = [f'"{item}"' for item in values]
        value = f"[{', '.join(quoted)}]" if source == "toml list" else f'"{",".join(values)}"'
        (tmp_path / "kb.toml").write_text(f"{name} = {value}\n", encoding="utf-8")
        monkeypatch.setenv("KB_CONFIG", str(tmp_path / "kb.toml"))
    config = {"root": str(REPO_ROOT), "database_url": f"sqlite:///{tmp_path / 'db.sqlite3'}", "rate_limit": "off"}
    if name != "api_tokens":
        config["api_tokens"] = ["abc-token-0001"]
    if name == "trusted_proxy_addresses":
        config["trusted_user_header"] = "X-Forwarded-User"
    app = create_app(config)
    assert works(app.test_client())
    assert len(load_settings()[name]) == len(values)  # two values, not pieces of a list's text


# `kb serve` with a bad value: one message naming the variable (and the file), no traceback ------------

BAD = [
    # (environment, TOML file or None, what the message must name)
    ({"KB_WORKERS": "0"}, None, ["KB_WORKERS"]),
    ({"KB_SESSION_HOURS": "twelve"}, None, ["KB_SESSION_HOURS"]),
    ({"KB_DATABASE_URL": "not a database"}, None, ["KB_DATABASE_URL"]),
    ({"KB_DATABASE_URL": "postgresql://kb:secret-password@127.0.0.1:1/kb"}, None, ["KB_DATABASE_URL", "cannot be"]),
    ({"KB_RATE_LIMIT_STORAGE": "carrier-pigeon://loft"}, None, ["KB_RATE_LIMIT_STORAGE"]),
    ({}, "workers = 0", ["KB_WORKERS", "kb.toml"]),
    ({}, "api_tokens = 5", ["KB_API_TOKENS", "kb.toml"]),
    ({}, "api_tokens = [1, 2]", ["KB_API_TOKENS", "kb.toml"]),
    ({}, 'contact_url = ["https://help.example.com/contact"]', ["KB_CONTACT_URL", "kb.toml"]),
    ({}, 'trusted_proxies = "two"', ["KB_TRUSTED_PROXIES", "kb.toml"]),
    ({}, 'allowed_origins = {url = "https://help.example.com"}', ["KB_ALLOWED_ORIGINS", "kb.toml"]),
]


@pytest.mark.parametrize(("environ", "toml", "named"), BAD)
def test_kb_serve_refuses_a_bad_value_naming_its_variable(
    tmp_path: Path, environ: dict[str, str], toml: str | None, named: list[str]
) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("KB_")}
    env.update(environ, KB_DATABASE_URL=environ.get("KB_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}"))
    env.update(KB_SITE_DIR=str(tmp_path / "site"), KB_SEARCH_INDEX=str(tmp_path / "search"))
    if toml is not None:
        (tmp_path / "kb.toml").write_text(toml + "\n", encoding="utf-8")
        env["KB_CONFIG"] = str(tmp_path / "kb.toml")
    done = subprocess.run(
        [sys.executable, "-m", "kbtools", "--root", str(REPO_ROOT), "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert done.stderr.startswith("kb: error: "), done.stderr
    for word in named:
        assert word in done.stderr, done.stderr
    assert "secret-password" not in done.stderr + done.stdout
    assert not (tmp_path / "site").exists()  # refused before anything was built


def test_a_rate_limit_store_that_does_not_answer_stops_kb_serve(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("KB_")}
    url = f"redis://:secret-password@127.0.0.1:{free_port()}/0"  # nothing listens there
    env.update(KB_RATE_LIMIT_STORAGE=url, KB_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    done = subprocess.run(
        [sys.executable, "-m", "kbtools", "--root", str(REPO_ROOT), "serve", "--port", str(free_port())],
        env={**env, "KB_SITE_DIR": str(tmp_path / "site"), "KB_SEARCH_INDEX": str(tmp_path / "search")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "KB_RATE_LIMIT_STORAGE" in done.stderr and "does not answer" in done.stderr, done.stderr
    assert "secret-password" not in done.stderr + done.stdout and "Traceback" not in done.stderr
    assert not (tmp_path / "site").exists()
