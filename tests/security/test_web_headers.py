"""What the service tells browsers on every response: a strict Content-Security-Policy and the other security
headers, who may cache it, the sign-in cookie's attributes, the API marker that stops cross-site calls, and
the single-sign-on header taken from trusted proxies only. The service through its test client, over the
real sample sites and search index built into a temporary folder."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from conftest import REPO_ROOT, MiniKB, page
from gitrepo import GitRepo

from kbtools.model.project import KnowledgeBase
from kbtools.service import create_app
from kbtools.service.settings import SettingsError
from site_plugins.build import BuildOptions, build_sites

TOKEN = "headers-token-0001"
MARKER = {"X-KB-Request": "1"}
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from search import build_index

    out = tmp_path_factory.mktemp("sample")
    kb = KnowledgeBase(REPO_ROOT)
    build_sites(kb, BuildOptions(out_dir=out / "site", base_url="http://localhost/", service_url="/"))
    build_index(kb, out / "search")
    return out


def _app(built: Path, tmp_path: Path, **settings):
    return create_app(
        {
            "root": str(REPO_ROOT),
            "database_url": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "site_dir": str(built / "site"),
            "search_index": str(built / "search"),
            "api_tokens": [TOKEN],
            "rate_limit": "off",
            **settings,
        }
    )


def _signed_in(app):
    client = app.test_client()
    answer = client.post("/internal/login", data={"token": TOKEN})
    assert answer.status_code == 302
    return client


def _directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


# Every kind of response: pages of both sites, the service's own pages, the API, errors and redirects
RESPONSES = {
    "help-center home": ("anonymous", "GET", "/"),
    "help-center article": ("anonymous", "GET", "/cards/card-payment-declined/"),
    "help-center asset": ("anonymous", "GET", "/assets/kb/kb.js"),
    "help-center 404 page": ("anonymous", "GET", "/no-such-page/"),
    "wiki redirect to sign-in": ("anonymous", "GET", "/internal/"),
    "sign-in form": ("anonymous", "GET", "/internal/login"),
    "wrong token": ("anonymous", "POST", "/internal/login"),
    "wiki page": ("cookie", "GET", "/internal/payments/macro-refund-approved/"),
    "wiki asset": ("cookie", "GET", "/internal/assets/kb/kb-search.js"),
    "dashboard": ("cookie", "GET", "/internal/dashboard"),
    "sign-out redirect": ("cookie", "POST", "/internal/logout"),
    "api health": ("anonymous", "GET", "/api/v1/health"),
    "api 404": ("anonymous", "GET", "/api/v1/nothing-here"),
    "api 405": ("anonymous", "DELETE", "/api/v1/events"),
    "api 422": ("anonymous", "GET", "/api/v1/search?q="),
    "api 401": ("anonymous", "GET", "/api/v1/reports/gaps"),
    "report": ("bearer", "GET", "/api/v1/reports/gaps"),
    "wiki search api": ("cookie", "GET", "/internal/api/v1/search?q=refund"),
    "wiki api without marker": ("cookie-no-marker", "GET", "/internal/api/v1/search?q=refund"),
}


def _request(app, who: str, method: str, path: str):
    client = _signed_in(app) if who.startswith("cookie") else app.test_client()
    headers = {**(BEARER if who == "bearer" else {}), **(MARKER if who == "cookie" else {})}
    data = {"token": "wrong"} if path == "/internal/login" and method == "POST" else None
    return client.open(path, method=method, headers=headers, data=data)


@pytest.mark.parametrize("kind", RESPONSES)
def test_every_response_carries_a_strict_policy_and_the_security_headers(built, tmp_path, kind: str) -> None:
    answer = _request(_app(built, tmp_path), *RESPONSES[kind])
    assert answer.status_code < 500
    policy = _directives(answer.headers.get("Content-Security-Policy", ""))
    assert policy.get("script-src") == ["'self'"]  # no inline script, no eval, no other origin
    assert policy.get("default-src") == ["'self'"]
    assert policy.get("object-src") == ["'none'"]
    assert policy.get("base-uri") == ["'self'"]
    assert policy.get("frame-ancestors") == ["'none'"]
    assert policy.get("form-action") == ["'self'"]
    assert policy.get("connect-src") == ["'self'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)
    assert answer.headers.get("X-Content-Type-Options") == "nosniff"
    assert answer.headers.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin")
    assert answer.headers.get("X-Frame-Options") == "DENY"


def _inline_scripts(html: str) -> list[str]:
    """Inline scripts a browser would run (a JSON data block is not run)."""
    found = []
    for attributes, body in re.findall(r"<script\b([^>]*)>(.*?)</script\s*>", html, re.S | re.I):
        if "src=" in attributes:
            continue
        kind = re.search(r"type=[\"']?([^\"' >]+)", attributes)
        if kind and kind.group(1).lower() not in ("text/javascript", "module", "application/javascript"):
            continue
        found.append(body)
    return found


THEME_SETTINGS = {
    "defaults": "",
    "palette toggle": (
        "theme:\n  name: material\n  palette:\n"
        "    - media: '(prefers-color-scheme: light)'\n      scheme: default\n"
        "      toggle: {icon: material/weather-night, name: Dark}\n"
        "    - media: '(prefers-color-scheme: dark)'\n      scheme: slate\n"
        "      toggle: {icon: material/weather-sunny, name: Light}\n"
    ),
    "linked content tabs and scope": (
        "theme:\n  name: material\n  features: [content.tabs.link, announce.dismiss]\n"
        "extra:\n  scope: /\n  consent:\n    title: Cookies\n    description: None used.\n"
        "markdown_extensions:\n  - pymdownx.superfences\n  - pymdownx.tabbed:\n      alternate_style: true\n"
    ),
}


@pytest.mark.parametrize("settings", THEME_SETTINGS)
def test_built_pages_hold_no_inline_script_whatever_the_theme_settings(mini_kb: MiniKB, settings: str) -> None:
    (mini_kb.root / "mkdocs.yml").write_text(
        "site_name: Acme Help\nsite_url: http://127.0.0.1:8000/\n" + THEME_SETTINGS[settings], encoding="utf-8"
    )
    body = '## Steps\n\n=== "Web"\n\n    Open the app.\n\n=== "Phone"\n\n    Tap the card.\n'
    mini_kb.both("cards/declined.md", page("declined", "Card declined", body=body), page("declined", "Refusée"))
    mini_kb.write("en/playbooks/sop.md", page("sop", "An SOP", type="sop", audience="internal", category="playbooks"))
    repo = GitRepo(mini_kb.root)
    repo.commit("content")
    out = mini_kb.root / "site"
    build_sites(KnowledgeBase(mini_kb.root), BuildOptions(out_dir=out, base_url="http://127.0.0.1:8000/"))
    pages = sorted(out.glob("*/**/*.html"))
    assert len(pages) > 8
    offenders = {str(p.relative_to(out)): _inline_scripts(p.read_text("utf-8")) for p in pages}
    assert {name: scripts for name, scripts in offenders.items() if scripts} == {}
    home = (out / "public" / "index.html").read_text("utf-8")
    assert "assets/kb-theme/base.js" in home  # mkdocs-material's head script still runs, as a file


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.mark.parametrize("path", ["/internal/login", "/internal/dashboard"])
def test_the_service_pages_inline_only_the_styles_the_policy_names(built, tmp_path, path: str) -> None:
    answer = _signed_in(_app(built, tmp_path)).get(path)
    assert answer.status_code == 200
    styles = re.findall(r"<style>(.*?)</style>", answer.text, re.S)
    assert styles  # kb report needs one self-contained file: the styles stay inline, hashed
    allowed = _directives(answer.headers["Content-Security-Policy"])["style-src"]
    assert all(_hash(style) in allowed for style in styles)
    assert _inline_scripts(answer.text) == []
    assert " style=" not in answer.text


BEHIND_AUTHENTICATION = [
    ("cookie", "/internal/"),
    ("cookie", "/internal/payments/macro-refund-approved/"),
    ("cookie", "/internal/assets/kb/kb-search.js"),
    ("cookie", "/internal/sitemap.xml"),
    ("cookie", "/internal/dashboard"),
    ("cookie", "/internal/api/v1/search?q=refund"),
    ("cookie", "/internal/api/v1/reports/gaps"),
    ("anonymous", "/internal/login"),
    ("anonymous", "/internal/payments/macro-refund-approved/"),  # the redirect to the sign-in form
    ("bearer", "/internal/cards/card-payment-declined/"),
    ("bearer", "/api/v1/reports/gaps"),
    ("bearer", "/api/v1/stats/articles"),
    ("bearer", "/api/v1/search?q=refund"),
]


@pytest.mark.parametrize(("who", "path"), BEHIND_AUTHENTICATION)
def test_nothing_behind_authentication_may_be_stored_by_a_cache(built, tmp_path, who: str, path: str) -> None:
    app = _app(built, tmp_path)
    answer = _request(app, who, "GET", path)
    assert answer.status_code in (200, 302)
    cache = {part.strip() for part in answer.headers.get("Cache-Control", "").split(",")}
    assert {"private", "no-store"} <= cache
    assert "public" not in cache and not any(part.startswith("max-age") for part in cache)
    assert "Expires" not in answer.headers
    # while the help center's pages and assets stay cacheable by anyone
    for public in ["/", "/cards/card-payment-declined/", "/fr/", "/assets/kb/kb.css"]:
        cache = app.test_client().get(public).headers["Cache-Control"]
        assert "public" in cache and "max-age=" in cache


def _cookie(answer) -> dict[str, str | bool]:
    header = answer.headers["Set-Cookie"]
    name_value, *attributes = [part.strip() for part in header.split(";")]
    parsed: dict[str, str | bool] = {"name": name_value.split("=", 1)[0]}
    for attribute in attributes:
        key, _, value = attribute.partition("=")
        parsed[key.lower()] = value or True
    return parsed


@pytest.mark.parametrize(
    ("base_url", "headers", "settings", "secure"),
    [
        ("http://localhost/", {}, {}, False),
        ("https://localhost/", {}, {}, True),
        # a trusted proxy terminating TLS says so
        (
            "http://localhost/",
            {"X-Forwarded-Proto": "https"},
            {"trusted_proxies": 1, "trusted_proxy_addresses": ["127.0.0.1"]},
            True,
        ),
        # any other peer saying so is not believed
        (
            "http://localhost/",
            {"X-Forwarded-Proto": "https"},
            {"trusted_proxies": 1, "trusted_proxy_addresses": ["10.9.9.9"]},
            False,
        ),
    ],
)
def test_the_sign_in_cookie_is_scoped_to_the_wiki_httponly_strict_and_secure_over_https(
    built, tmp_path, base_url: str, headers: dict, settings: dict, secure: bool
) -> None:
    client = _app(built, tmp_path, **settings).test_client()
    answer = client.post("/internal/login", data={"token": TOKEN}, base_url=base_url, headers=headers)
    assert answer.status_code == 302
    cookie = _cookie(answer)
    assert cookie["path"] == "/internal/"
    assert cookie.get("httponly") is True
    assert cookie.get("samesite") == "Strict"
    assert bool(cookie.get("secure")) is secure
    assert TOKEN not in answer.headers["Set-Cookie"]


WIKI_API_CALLS = [
    ("GET", "/internal/api/v1/search?q=refund", None),
    ("GET", "/internal/api/v1/reports/gaps", None),
    ("GET", "/internal/api/v1/stats/macros", None),
    (
        "POST",
        "/internal/api/v1/events",
        {
            "type": "macro_used",
            "article": "macro-refund-approved",
            "lang": "en",
            "session": "tab-00000001",
            "site": "internal",
        },
    ),
]


@pytest.mark.parametrize(("method", "path", "body"), WIKI_API_CALLS)
def test_cookie_signed_api_calls_need_the_marker_a_cross_site_page_cannot_send(
    built, tmp_path, method: str, path: str, body: dict | None
) -> None:
    client = _signed_in(_app(built, tmp_path))
    refused = client.open(path, method=method, json=body)
    assert refused.status_code == 403
    assert refused.json["error"] == "request_marker_missing"
    accepted = client.open(path, method=method, json=body, headers=MARKER)
    assert accepted.status_code in (200, 202), accepted.json
    # Bearer-token programs need no marker
    program = _app(built, tmp_path).test_client().open(path, method=method, json=body, headers=BEARER)
    assert program.status_code in (200, 202)
    # No other origin is granted the preflight the marker needs, even one allowed to send public events
    allowed = _app(built, tmp_path, allowed_origins=["https://help.example.com"]).test_client()
    for origin in ["https://evil.example", "https://help.example.com"]:
        preflight = allowed.options(
            path.split("?")[0],
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": "x-kb-request, content-type",
            },
        )
        assert "Access-Control-Allow-Origin" not in preflight.headers
        assert "Access-Control-Allow-Headers" not in preflight.headers


def test_a_cookie_is_never_taken_outside_the_wiki(built, tmp_path) -> None:
    """Even a client that sends the wiki's cookie to /api/v1/ (browsers do not) is anonymous there."""
    client = _signed_in(_app(built, tmp_path))
    cookie = client.get_cookie("kb_wiki", path="/internal/")
    assert cookie is not None
    client.set_cookie("kb_wiki", cookie.value, path="/")
    answer = client.get("/api/v1/reports/gaps", headers=MARKER)
    assert answer.status_code == 401


SSO = {"trusted_user_header": "X-Forwarded-User", "trusted_proxy_addresses": ["10.0.0.5", "192.168.7.0/24"]}
SSO_REQUESTS = [  # path, kind, status without the header
    ("/internal/", "page", 302),
    ("/internal/dashboard", "page", 302),
    ("/internal/api/v1/reports/gaps", "api", 401),
    ("/api/v1/reports/gaps", "api", 401),
    ("/api/v1/search?q=refund", "api", 200),
    ("/cards/card-payment-declined/", "page", 200),
]


@pytest.mark.parametrize(("path", "kind", "anonymous"), SSO_REQUESTS)
def test_the_sso_header_is_taken_from_the_proxies_only(built, tmp_path, path: str, kind: str, anonymous: int) -> None:
    client = _app(built, tmp_path, **SSO).test_client()
    for peer in ["127.0.0.1", "10.0.0.6", "192.168.8.1", "203.0.113.9"]:
        # Forwarding headers do not make a client a proxy: only the connection's own address counts
        headers = {"X-Forwarded-User": "amelie", "X-Forwarded-For": "10.0.0.5", **MARKER}
        answer = client.get(path, headers=headers, environ_base={"REMOTE_ADDR": peer})
        assert answer.status_code == 403, peer
        if kind == "api":
            assert answer.json["error"] == "untrusted_sso_header"
        else:
            assert "X-Forwarded-User" in answer.text and "Traceback" not in answer.text
    for peer in ["10.0.0.5", "192.168.7.200"]:
        answer = client.get(path, headers={"X-Forwarded-User": "amelie", **MARKER}, environ_base={"REMOTE_ADDR": peer})
        assert answer.status_code == 200, peer
    without = client.get(path, environ_base={"REMOTE_ADDR": "203.0.113.9"})  # no header: as before
    assert without.status_code == anonymous


def test_an_sso_header_without_proxy_addresses_stops_the_service_at_start(built, tmp_path) -> None:
    with pytest.raises(SettingsError, match="KB_TRUSTED_PROXY_ADDRESSES"):
        _app(built, tmp_path, trusted_user_header="X-Forwarded-User")


@pytest.mark.parametrize("value", ["10.0.0.300", "proxy.internal", "10.0.0.0/33"])
def test_a_proxy_address_that_is_not_one_is_a_settings_error(built, tmp_path, value: str) -> None:
    with pytest.raises(SettingsError, match="KB_TRUSTED_PROXY_ADDRESSES"):
        _app(built, tmp_path, trusted_proxy_addresses=value)


OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",  # browsers read a backslash as a slash
    "\\\\evil.example/",
    "/\t/evil.example/",  # and drop tabs
    "javascript:alert(1)",
    "https:evil.example",
]


def test_signing_in_never_redirects_off_site(built, tmp_path) -> None:
    client = _app(built, tmp_path).test_client()
    for target in OFF_SITE:
        answer = client.post("/internal/login", data={"token": TOKEN, "next": target})
        assert (answer.status_code, answer.headers["Location"]) == (302, "/internal/"), target
    answer = client.post("/internal/login", data={"token": TOKEN, "next": "/internal/dashboard?from=2026-11-01"})
    assert answer.headers["Location"] == "/internal/dashboard?from=2026-11-01"
