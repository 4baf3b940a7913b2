"""The service's settings, declared once as a typed object: name, type, default and meaning of each.

`Settings` is a pydantic-settings model. Values come from, in order: the `config` mapping given to
`create_app` (tests, `kb serve`), environment variables (`KB_*`), the instance's TOML file named by
`KB_CONFIG`, then the defaults. Text is read the same way from every source (a comma list from the
environment, a list or a comma list from TOML). docs/operators.md's table is generated from the fields (a
test fails if it drifts). A bad value raises SettingsError naming its variable (and the file it came from).
"""

from __future__ import annotations

import contextvars
import ipaddress
import os
import tomllib
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from pydantic_settings.sources.utils import parse_env_vars

from kbtools.model.errors import KbError
from search.suggestions import MIN_CONFIDENCE

ENV_PREFIX = "KB_"
CONFIG_VARIABLE = "KB_CONFIG"  # names the instance's TOML file; not a setting itself


class SettingsError(KbError):
    """A setting has a value the service cannot use."""


# Value types: each check raises ValueError with a message a reader can act on --------------------------


def _items(value: object) -> object:
    """A comma-separated string (environment, TOML) or a list (TOML, `create_app`): items stripped, blanks dropped."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, list | tuple):
        items = [item.strip() if isinstance(item, str) else item for item in value]
        return [item for item in items if item != ""]
    return value  # anything else: the list type refuses it


def _rate_limit(value: str) -> str:
    """`off`, or limits as Flask-Limiter reads them: `600/minute`, `10 per second; 300/hour`."""
    from limits import parse_many

    if value.lower() == "off":
        return "off"
    try:
        parse_many(value)
    except ValueError:
        raise ValueError(f"expected a rate such as 600/minute (or off), got {value!r}") from None
    return value


def _sign_in_limit(value: str) -> str:
    """One rate, `10/minute` (or off): sign-in attempts are counted in the database, in one window."""
    from limits import parse_many

    value = _rate_limit(value)
    if value != "off" and len(parse_many(value)) != 1:
        raise ValueError(f"expected one rate such as 10/minute (or off), got {value!r}")
    return value


def _networks(value: list[str]) -> list[str]:
    """Addresses or networks (`10.0.0.5`, `10.0.0.0/24`, `::1`), checked here and kept as text."""
    networks = []
    for item in value:
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ValueError(f"expected addresses or networks such as 10.0.0.5 or 10.0.0.0/24, got {item!r}") from None
    return networks


def without_password(url: str) -> str:
    """A URL safe to print: the password (of a database or Redis URL) replaced by `***`."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def _database_url(value: str) -> str:
    """Empty (SQLite under the knowledge base), or an SQLAlchemy URL whose driver is installed."""
    if not value:
        return value
    from kbtools.analytics.store import url_problem

    problem = url_problem(value)
    if problem:
        raise ValueError(problem.replace("{url}", repr(without_password(value))))
    return value


def _storage_uri(value: str) -> str:
    """A storage URI of the `limits` library (`memory://`, `redis://host:6379/0`...) it can use here."""
    from limits.errors import ConfigurationError
    from limits.storage import storage_from_string

    try:
        storage_from_string(value)  # builds the client only: reachability is checked when the service starts
    except ConfigurationError as exc:
        if str(exc).startswith("unknown storage scheme"):  # that message holds the URI, password included
            raise ValueError(f"expected memory:// or redis://host:6379/0, got {without_password(value)!r}") from None
        # A client library missing or too old
        raise ValueError(f"{exc} (install kb's redis extra: pip install 'kb[redis]')") from None
    return value


def _webhook_url(value: str) -> str:
    """Empty (no helpdesk webhook), or an absolute http(s) URL with a host."""
    if not value:
        return value
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        shown = without_password(value)
        raise ValueError(f"expected an http:// or https:// URL such as https://example.com/hooks/kb, got {shown!r}")
    return value


CommaList = Annotated[list[str], NoDecode, BeforeValidator(_items)]
Positive = Annotated[int, Field(ge=1)]
Count = Annotated[int, Field(ge=0)]


class Settings(BaseSettings):
    """Every setting of the service; read by name (`settings.rate_limit`, or `settings["rate_limit"]`)."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="ignore", frozen=True, str_strip_whitespace=True, validate_default=True
    )

    root: str = Field(
        "", description="Knowledge-base folder (holds mkdocs.yml and content/). Default: found from the current folder."
    )
    database_url: Annotated[str, AfterValidator(_database_url)] = Field(
        "",
        repr=False,  # may hold a password
        description="SQLAlchemy URL of the event store. Default: SQLite at `<root>/var/kb.sqlite3` (WAL). "
        "PostgreSQL: `postgresql+psycopg://user:password@host/dbname` (install kb's `postgres` extra).",
    )
    site_dir: str = Field(
        "", description="Folder holding the built sites (`public/`, `internal/`). Default: `<root>/site`."
    )
    search_index: str = Field("", description="Folder of the agent search index. Default: `<root>/var/search`.")
    allowed_origins: CommaList = Field(
        default_factory=list,
        description="Comma-separated origins (a list in the TOML file) allowed to send events and search (CORS), "
        "e.g. `https://help.example.com`. Default: none besides the service's own pages.",
    )
    rate_limit: Annotated[str, AfterValidator(_rate_limit)] = Field(
        "600/minute",
        description="Events and searches a client may send, e.g. `120/minute` or `10/second; 600/hour`; `off` "
        "disables the limit (load tests). Keyed by client address, kept for the current window only; counted where "
        "`rate_limit_storage` says: by default in the memory of each worker process, so a client may send up to "
        "this many to each worker (see Rate limit above).",
    )
    rate_limit_storage: Annotated[str, AfterValidator(_storage_uri)] = Field(
        "memory://",
        repr=False,  # may hold a password
        description="Where the rate limit's counters live, as a storage URI of the `limits` library: `memory://` "
        "(each worker process counts alone) or a Redis server shared by every worker and instance, e.g. "
        "`redis://redis.internal:6379/0` (install kb's `redis` extra). Checked at start; while the server is "
        "unreachable later, requests are let through (and logged) rather than refused.",
    )
    trusted_proxies: Count = Field(
        0,
        description="Reverse proxies or load balancers in front of the service that append the client address to "
        "`X-Forwarded-For` (usually 1). The rate limit then keys on the address they saw, not theirs; 0 trusts "
        "no such header (a client could forge it).",
    )
    api_tokens: CommaList = Field(
        default_factory=list,
        repr=False,
        description="Comma-separated bearer tokens (a list in the TOML file) for internal routes (wiki, reports, "
        "dashboard, internal search). Default: one random token made at start and printed by `kb serve`.",
    )
    trusted_user_header: str = Field(
        "",
        description="Header set by a single-sign-on proxy naming the signed-in agent (e.g. `X-Forwarded-User`). "
        "Taken only from a peer listed in `trusted_proxy_addresses` (required with it); a request carrying it "
        "from any other address is refused (403).",
    )
    # Browsers, cookies and sessions (kbtools/service/auth.py, headers.py): kept together
    trusted_proxy_addresses: Annotated[CommaList, AfterValidator(_networks)] = Field(
        default_factory=list,
        description="Comma-separated addresses or networks (a list in the TOML file) of the reverse proxies in "
        "front of the service (e.g. `10.0.0.5, 10.1.0.0/24`). Only a request whose peer is one of them may set "
        "the single-sign-on header; when set, `X-Forwarded-For` and `X-Forwarded-Proto` are read only from them "
        "too. Default: none.",
    )
    secret_key: str = Field(
        "",
        repr=False,
        description="Key signing the wiki's sign-in cookie and binding each session to its token. Default: random "
        "at start (agents sign in again after a restart).",
    )
    session_hours: Positive = Field(
        12,
        description="Hours a wiki sign-in lasts at most. A session also ends at sign-out and when its token is "
        "removed from `api_tokens`.",
    )
    sign_in_limit: Annotated[str, AfterValidator(_sign_in_limit)] = Field(
        "10/minute",
        description="Failed sign-ins a client address may make in the window, e.g. `10/minute` or `20/hour`; then "
        "every attempt from it is refused (429) until the window has passed. Counted in the database (shared by "
        "all workers and instances) under a keyed hash of the address; `off` disables it.",
    )
    contact_url: str = Field("", description="Where the help center's 'Contact support' link goes.")
    # How `kb serve` runs (gunicorn): processes, and threads in each
    workers: Positive = Field(4, description="Worker processes of `kb serve` (gunicorn).")
    threads: Positive = Field(
        8,
        description="Threads per worker process of `kb serve` (gunicorn `gthread` workers): the requests each "
        "worker handles at once. A slow client holds one thread while its request is incomplete, not a whole "
        "worker. A worker opens up to 10 database connections: more threads than that wait for one.",
    )
    min_votes: Count = Field(5, description="Votes an article needs before the dashboard ranks it among the worst.")
    popular_cache_seconds: Count = Field(
        300,
        description="How long each worker keeps an answer of /api/v1/popular (the home page's popular articles), "
        "and the `max-age` browsers and CDNs are told. 0: count the views again on every request.",
    )
    # The helpdesk webhook (kbtools/service/outgoing.py): where "solved" answers and other events are sent
    helpdesk_webhook_url: Annotated[str, AfterValidator(_webhook_url)] = Field(
        "",
        repr=False,  # may hold credentials
        description="http(s) URL the service POSTs signed events to (a Zendesk or Intercom webhook, say). "
        "Needs `helpdesk_webhook_secrets`. Default: none, and nothing is queued or sent.",
    )
    helpdesk_webhook_secrets: CommaList = Field(
        default_factory=list,
        repr=False,
        description="Comma-separated shared secrets (a list in the TOML file) signing each delivery's "
        "`X-KB-Signature` (one `v1=` per secret: add the new secret, switch the receiver, then remove the old one).",
    )
    helpdesk_webhook_max_attempts: Positive = Field(
        8, description="Attempts of one delivery before it is dead-lettered (`kb webhooks list --state dead`)."
    )
    helpdesk_webhook_backoff_seconds: Annotated[float, Field(gt=0)] = Field(
        30.0,
        description="Wait before the second attempt; it doubles with each failure (up to an hour), with random "
        "jitter of up to half; a `Retry-After` of the helpdesk replaces it.",
    )
    helpdesk_webhook_timeout_seconds: Annotated[float, Field(gt=0)] = Field(
        5.0,
        description="Seconds an attempt waits for the helpdesk to connect, and then to answer, before it fails.",
    )
    helpdesk_webhook_keep_days: Positive = Field(
        30,
        description="Days a delivered delivery stays in the outbox (`kb webhooks list --state delivered`); "
        "dead-lettered ones stay until they are retried.",
    )

    # The ticket-solved webhooks (kbtools/service/ticket_solved.py): one secret list per signing scheme
    ticket_solved_secrets: CommaList = Field(
        default_factory=list,
        repr=False,
        description="Shared secrets (comma-separated; a list in the TOML file) of "
        "`POST /api/v1/webhooks/ticket-solved`, "
        "signed with `X-KB-Signature`. Two during a rotation. Default: none (the endpoint refuses every request).",
    )
    zendesk_webhook_secrets: CommaList = Field(
        default_factory=list,
        repr=False,
        description="Signing secrets of the Zendesk webhooks (Admin Center > Webhooks > the webhook > Signing secret) "
        "sending to `/api/v1/webhooks/zendesk/ticket-solved`. Default: none (refused).",
    )
    intercom_client_secrets: CommaList = Field(
        default_factory=list,
        repr=False,
        description="Client secrets of the Intercom apps (Developer Hub > the app > Basic information) whose "
        "webhooks send to `/api/v1/webhooks/intercom/ticket-solved`. Default: none (refused).",
    )
    webhook_window_seconds: Positive = Field(
        300,
        description="How far a signed timestamp (kb's and Zendesk's) may be from the service's clock, either way, "
        "before a ticket-solved delivery is refused as a replay.",
    )
    intercom_max_age_hours: Positive = Field(
        72,
        description="Intercom signs no timestamp header: a notification whose signed `created_at` is older than this "
        "is refused, and notification ids are remembered this long, so a captured one is never taken twice.",
    )

    # Auto-replies (kbtools/service/autoreply.py)
    autoreply_min_confidence: Annotated[float, Field(ge=0)] = Field(
        MIN_CONFIDENCE,
        description="Confidence the best article must reach before POST /api/v1/autoreply suggests anything: its "
        "search score over the square root of the ticket's distinct terms (see Auto-replies above for how the "
        "default was chosen). Higher: fewer tickets answered, fewer wrong suggestions.",
    )
    autoreply_link_days: Positive = Field(
        14, description="Days an auto-reply's tracking link (`/r/<token>`) works, and its solved question with it."
    )
    autoreply_retention_days: Positive = Field(
        180,
        description="Days auto-reply tickets and their links are kept (ticket id, language, case reason, channel, "
        "suggested articles, clicks, answers; never the ticket's text). Older rows are deleted when the service "
        "starts and then at most once an hour.",
    )

    # Read by name as well, for the call sites that look settings up by a name held in a variable
    def __getitem__(self, name: str) -> Any:
        if name not in type(self).model_fields:
            raise KeyError(name)
        return getattr(self, name)

    def keys(self) -> list[str]:
        return list(type(self).model_fields)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources = _SOURCES.get()
        if sources is None:  # Settings() on its own: the process environment and its KB_CONFIG file
            sources = _Sources.of(os.environ)
        return (init_settings, _EnvironmentSource(settings_cls, sources.environ), *sources.files(settings_cls))


@dataclass(frozen=True)
class SettingInfo:
    """One setting as the reference table shows it."""

    name: str
    default: str
    description: str

    @property
    def env(self) -> str:
        return env_name(self.name)


def env_name(name: str) -> str:
    return f"{ENV_PREFIX}{name.upper()}"


def _default_text(default: object) -> str:
    return "" if default in ("", None, []) else str(default)


def setting_infos() -> Iterator[SettingInfo]:
    """Every setting, in declaration order, with its default as text ("" when it is worked out at start)."""
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        yield SettingInfo(name, _default_text(default), field.description or "")


SETTINGS: tuple[SettingInfo, ...] = tuple(setting_infos())


# Sources -------------------------------------------------------------------------------------------------


class _EnvironmentSource(EnvSettingsSource):
    """The `KB_*` variables of a given environment (the process's, or a mapping given by a caller)."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]):
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str)


@dataclass(frozen=True)
class _Sources:
    environ: Mapping[str, str]
    config_file: str | None

    @classmethod
    def of(cls, environ: Mapping[str, str]) -> _Sources:
        return cls(environ, environ.get(CONFIG_VARIABLE) or None)

    def files(self, settings_cls: type[BaseSettings]) -> tuple[PydanticBaseSettingsSource, ...]:
        if not self.config_file:
            return ()
        return (TomlConfigSettingsSource(settings_cls, toml_file=Path(self.config_file)),)

    def file_values(self) -> dict[str, Any]:
        """The TOML file's values, checked: readable, valid TOML, known keys only."""
        if not self.config_file:
            return {}
        where = f"{CONFIG_VARIABLE}={self.config_file}"
        try:
            values = tomllib.loads(Path(self.config_file).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"{where}: {exc}") from None
        unknown = set(values) - set(Settings.model_fields)
        if unknown:
            raise SettingsError(f"{where}: unknown settings {sorted(unknown)}")
        return values


_SOURCES: contextvars.ContextVar[_Sources | None] = contextvars.ContextVar("kb_settings_sources", default=None)


def _where(name: str, overrides: Mapping[str, Any], sources: _Sources, file_values: Mapping[str, Any]) -> str:
    """Which variable (and file) a value came from, for the error message."""
    variable = env_name(name)
    if name in overrides:
        return f"{name} ({variable})"
    if variable in sources.environ:
        return variable
    if name in file_values:
        return f"{sources.config_file}: {name} ({variable})"
    return f"{variable} (default)"


def _message(name: str, error: Mapping[str, Any]) -> str:
    text = str(error["msg"]).removeprefix("Value error, ")
    field = Settings.model_fields.get(name)
    text = text[:1].lower() + text[1:]
    secret = field is not None and not field.repr
    if error["type"] == "value_error" or secret:  # our checks say what they got; a secret is never repeated
        return text
    return f"{text}, got {error['input']!r}"


def load_settings(
    overrides: Mapping[str, Any] | Settings | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Every setting, validated; raises SettingsError naming the variable (and file) of each bad value."""
    if isinstance(overrides, Settings):
        return overrides
    overrides = {name: value for name, value in (overrides or {}).items() if name in Settings.model_fields}
    sources = _Sources.of(os.environ if environ is None else environ)
    file_values = sources.file_values()
    token = _SOURCES.set(sources)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            problems.append(f"{_where(name, overrides, sources, file_values)}: {_message(name, error)}")
        raise SettingsError("\n".join(problems)) from None
    finally:
        _SOURCES.reset(token)
