"""`kb serve` as a real server process (gunicorn), receiving events from the built site in headless Chromium."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser import chromium, free_port
from conftest import REPO_ROOT


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("served")
    port = free_port()
    env = {
        **os.environ,
        "KB_DATABASE_URL": f"sqlite:///{folder / 'events.sqlite3'}",
        "KB_SITE_DIR": str(folder / "site"),
        "KB_SEARCH_INDEX": str(folder / "search"),
        "KB_API_TOKENS": "served-token-1234",
        "KB_WORKERS": "2",
    }
    log = (folder / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "kbtools", "--root", str(REPO_ROOT), "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180  # it builds both sites first
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        assert process.poll() is None, (folder / "serve.log").read_text()
        assert time.monotonic() < deadline, "kb serve did not start"
        time.sleep(0.5)
    yield url, folder / "events.sqlite3"
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)
    log.close()


def _rows(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchall()


def test_events_from_the_built_site_reach_the_database(server) -> None:
    url, database = server
    with chromium() as browser:
        page = browser.new_page()
        page.goto(url + "fr/cards/report-a-lost-or-stolen-card/")
        page.locator('[data-kb-vote="no"]').click()
        page.locator('input[name="reason"][value="unclear"]').check()
        page.get_by_role("button", name="Envoyer").click()
        assert page.locator(".kb-feedback__thanks").is_visible()
        deadline = time.monotonic() + 10
        while not _rows(database, "SELECT 1 FROM votes") and time.monotonic() < deadline:
            time.sleep(0.2)
    views = _rows(database, "SELECT article, lang, site FROM events WHERE type = 'view'")
    assert ("report-a-lost-or-stolen-card", "fr", "public") in views
    votes = _rows(database, "SELECT article, lang, helpful, reason FROM votes")
    assert votes == [("report-a-lost-or-stolen-card", "fr", 0, "unclear")]


def test_the_wiki_needs_sign_in_and_the_api_answers(server) -> None:
    url, database = server
    printed = (database.parent / "serve.log").read_text()
    assert "Agent wiki:   " + url + "internal/  (sign in with one of the tokens in KB_API_TOKENS)" in printed
    assert "served-token-1234" not in printed and "token below" not in printed  # configured: never printed
    with urllib.request.urlopen(url + "api/v1/openapi.json") as answer:
        assert answer.headers["Content-Type"].startswith("application/json")
    request = urllib.request.Request(url + "internal/", headers={"Authorization": "Bearer served-token-1234"})
    with urllib.request.urlopen(request) as answer:
        assert "Agent wiki" in answer.read().decode()
    with urllib.request.urlopen(url + "internal/") as answer:  # redirected to the sign-in form
        assert answer.url.startswith(url + "internal/login")


def test_agent_signs_in_searches_the_wiki_and_copies_a_macro(server) -> None:
    url, database = server
    with chromium() as browser:
        context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
        page = context.new_page()
        page.goto(url + "internal/search/")
        page.wait_for_url("**/internal/login**")
        page.get_by_label("Access token").fill("served-token-1234")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/internal/search/")
        page.locator("#kb-q").press_sequentially("refund approved", delay=20)
        first = page.locator(".kb-search__hit").first
        first.wait_for()
        assert "Refund approved" in first.inner_text()
        assert page.locator(".kb-search__hit mark").count() > 0  # highlighted snippet
        page.locator("#kb-q").press("ArrowDown")
        assert "kb-search__hit--selected" in (first.get_attribute("class") or "")
        page.screenshot(path=str(REPO_ROOT / "test-artifacts" / "screenshots" / "wiki-search.png"), full_page=True)
        first.get_by_role("button").click()
        assert page.evaluate("navigator.clipboard.readText()").startswith("Hi {{ticket.requester.first_name}}")
        # The wiki sends its events with fetch (it needs the API marker header); closing the browser context
        # at once would cancel a request still in flight, which a reader's open tab never does.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if _rows(database, "SELECT 1 FROM events WHERE type = 'macro_used' AND article = 'macro-refund-approved'"):
                break
            time.sleep(0.2)
        context.close()
    assert _rows(database, "SELECT site FROM events WHERE type = 'macro_used'") == [("internal",)]
    searches = _rows(database, "SELECT query, site FROM events WHERE type = 'search' AND query LIKE 'refund%'")
    assert ("refund approved", "internal") in searches
