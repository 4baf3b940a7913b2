"""The service's settings, declared once: name, environment variable, default and meaning.

Values come from, in order: the `config` mapping given to `create_app` (tests), environment variables
(`KB_*`), an optional TOML file named by `KB_CONFIG`, then the defaults. docs/operators.md's table is
generated from `SETTINGS` (and a test fails if it drifts).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbtools.errors import KbError


class SettingsError(KbError):
    """A setting has a value the service cannot use."""


def _text(value: str) -> str:
    return value.strip()


def _list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(f"expected 1 or more, got {number}")
    return number


def _count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(f"expected 0 or more, got {number}")
    return number


def _rate_limit(value: str) -> str:
    """`off`, or limits as Flask-Limiter reads them: `600/minute`, `10 per second; 300/hour`."""
    from limits import parse_many

    value = value.strip()
    if value.lower() == "off":
        return "off"
    try:
        parse_many(value)
    except ValueError:
        raise ValueError(f"expected a rate such as 600/minute (or off), got {value!r}") from None
    return value


def _networks(value: str) -> list[str]:
    """Addresses or networks (`10.0.0.5`, `10.0.0.0/24`, `::1`), checked here and kept as text."""
    import ipaddress

    networks = []
    for item in _list(value):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ValueError(f"expected addresses or networks such as 10.0.0.5 or 10.0.0.0/24, got {item!r}") from None
    return networks


def _sign_in_limit(value: str) -> str:
    """One rate, `10/minute` (or off): sign-in attempts are counted in the database, in one window."""
    from limits import parse_many

    value = _rate_limit(value)
    if value != "off" and len(parse_many(value)) != 1:
        raise ValueError(f"expected one rate such as 10/minute (or off), got {value!r}")
    return value


def _flag(value: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    description: str
    parse: Callable[[str], Any] = _text

    @property
    def env(self) -> str:
        return f"KB_{self.name.upper()}"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "root", "", "Knowledge-base folder (holds mkdocs.yml and content/). Default: found from the current folder."
    ),
    Setting(
        "database_url",
        "",
        "SQLAlchemy URL of the event store. Default: SQLite at `<root>/var/kb.sqlite3` (WAL). "
        "PostgreSQL: `postgresql+psycopg://user:password@host/dbname`.",
    ),
    Setting("site_dir", "", "Folder holding the built sites (`public/`, `internal/`). Default: `<root>/site`."),
    Setting("search_index", "", "Folder of the agent search index. Default: `<root>/var/search`."),
    Setting(
        "allowed_origins",
        "",
        "Comma-separated origins allowed to send events and search (CORS), e.g. "
        "`https://help.example.com`. Default: none besides the service's own pages.",
        _list,
    ),
    Setting(
        "rate_limit",
        "600/minute",
        "Events and searches a client may send, e.g. `120/minute` or `10/second; 600/hour`; `off` disables "
        "the limit (load tests). Counted in memory by each worker process, keyed by client address, never "
        "stored: a client may send up to this many to each worker (see Rate limit above).",
        _rate_limit,
    ),
    Setting(
        "trusted_proxies",
        "0",
        "Reverse proxies or load balancers in front of the service that append the client address to "
        "`X-Forwarded-For` (usually 1). The rate limit then keys on the address they saw, not theirs; 0 trusts "
        "no such header (a client could forge it).",
        _count,
    ),
    Setting(
        "api_tokens",
        "",
        "Comma-separated bearer tokens for internal routes (wiki, reports, dashboard, "
        "internal search). Default: one random token made at start and printed by `kb serve`.",
        _list,
    ),
    Setting(
        "trusted_user_header",
        "",
        "Header set by a single-sign-on proxy naming the signed-in agent (e.g. `X-Forwarded-User`). Taken only "
        "from a peer listed in `trusted_proxy_addresses` (required with it); a request carrying it from any "
        "other address is refused (403).",
    ),
    # Browsers, cookies and sessions (kbtools/service/auth.py, headers.py): kept together
    Setting(
        "trusted_proxy_addresses",
        "",
        "Comma-separated addresses or networks of the reverse proxies in front of the service (e.g. "
        "`10.0.0.5, 10.1.0.0/24`). Only a request whose peer is one of them may set the single-sign-on header; "
        "when set, `X-Forwarded-For` and `X-Forwarded-Proto` are read only from them too. Default: none.",
        _networks,
    ),
    Setting(
        "secret_key",
        "",
        "Key signing the wiki's sign-in cookie and binding each session to its token. Default: random at start "
        "(agents sign in again after a restart).",
    ),
    Setting(
        "session_hours",
        "12",
        "Hours a wiki sign-in lasts at most. A session also ends at sign-out and when its token is removed "
        "from `api_tokens`.",
        _positive,
    ),
    Setting(
        "sign_in_limit",
        "10/minute",
        "Failed sign-ins a client address may make in the window, e.g. `10/minute` or `20/hour`; then every "
        "attempt from it is refused (429) until the window has passed. Counted in the database (shared by all "
        "workers and instances) under a keyed hash of the address; `off` disables it.",
        _sign_in_limit,
    ),
    Setting("contact_url", "", "Where the help center's 'Contact support' link goes."),
    # How `kb serve` runs (gunicorn): processes, and threads in each
    Setting("workers", "4", "Worker processes of `kb serve` (gunicorn).", _positive),
    Setting(
        "threads",
        "8",
        "Threads per worker process of `kb serve` (gunicorn `gthread` workers): the requests each worker "
        "handles at once. A slow client holds one thread while its request is incomplete, not a whole worker. "
        "A worker opens up to 10 database connections: more threads than that wait for one.",
        _positive,
    ),
    Setting("min_votes", "5", "Votes an article needs before the dashboard ranks it among the worst.", _count),
    Setting(
        "popular_cache_seconds",
        "300",
        "How long each worker keeps an answer of /api/v1/popular (the home page's popular articles), and the "
        "`max-age` browsers and CDNs are told. 0: count the views again on every request.",
        _count,
    ),
)

SETTINGS_BY_NAME = {setting.name: setting for setting in SETTINGS}


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Every setting, parsed; raises SettingsError naming the variable of a bad value."""
    environ = os.environ if environ is None else environ
    file_values: dict[str, Any] = {}
    config_file = environ.get("KB_CONFIG")
    if config_file:
        try:
            file_values = tomllib.loads(Path(config_file).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"KB_CONFIG={config_file}: {exc}") from None
        unknown = set(file_values) - set(SETTINGS_BY_NAME)
        if unknown:
            raise SettingsError(f"KB_CONFIG={config_file}: unknown settings {sorted(unknown)}")
    overrides = overrides or {}
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.name in overrides:
            value = overrides[setting.name]
            if isinstance(value, str):  # text is checked as from the environment; lists and numbers are taken
                try:
                    value = setting.parse(value)
                except ValueError as exc:
                    raise SettingsError(f"{setting.name} ({setting.env}): {exc}") from None
            values[setting.name] = value
            continue
        raw = environ.get(setting.env)
        source = setting.env
        if raw is None and setting.name in file_values:
            raw, source = str(file_values[setting.name]), f"{config_file} ({setting.name})"
        if raw is None:
            raw, source = setting.default, "default"
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as exc:
            raise SettingsError(f"{source}: {exc}") from None
    return values
