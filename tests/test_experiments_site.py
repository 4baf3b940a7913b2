"""An experiment on the built help center: one canonical page for search, the sitemap and the wiki; in headless
Chromium, under a CSP without inline script, each reader sees only their variant (never the other one, from the
first frame), the same variant the Python assignment gives, and their events carry the experiment and variant."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser import SiteServer, chromium, free_port, serve
from click.testing import CliRunner
from conftest import MiniKB, page
from gitrepo import GitRepo
from playwright.sync_api import Error as PlaywrightError
from test_experiments import ASSIGNMENT_CASES

from kbtools.cli import main
from kbtools.model.experiments import assign
from kbtools.model.project import KnowledgeBase
from kbtools.service.headers import content_security_policy
from site_plugins.build import BuildOptions, build_sites

CONTROL_TEXT = "UNICORNISH control steps"
VARIANT_TEXT = "ZEBRACORN steps first"
DECLARATION = (
    "experiment:\n  id: steps-first\n  metric: contact_rate\n  min_sample: 200\n"
    "  start: 2020-01-01\n  stop: 2099-12-31\n"
)


def _tree(kb: MiniKB) -> None:
    body = f"## Why\n\n{CONTROL_TEXT}.\n"
    kb.write("en/cards/declined.md", page("declined", "Card declined", extra=DECLARATION, body=body))
    # The translation runs no experiment: lint wants the French file without the declaration
    kb.write("fr/cards/declined.md", page("declined", "Carte refusée", body="## Pourquoi\n\nTexte français.\n"))
    kb.write(
        "en/cards/declined-steps-first.md",
        page(
            "declined",
            "Card declined",
            extra="experiment: {id: steps-first, variant: steps-first}\n",
            body=f"## Why\n\n{VARIANT_TEXT}, see [limits](limits.md).\n",
        ),
    )
    kb.both("cards/limits.md", page("limits", "Card limits", related="[declined]"), page("limits", "Plafonds"))
    GitRepo(kb.root).commit("Experiment", date="2026-11-02T09:00:00+00:00")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MiniKB, int]:
    kb = MiniKB(tmp_path_factory.mktemp("experiment") / "kb")
    _tree(kb)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    options = BuildOptions(base_url=base, service_url=base.rstrip("/"), contact_url="https://acme.example/contact")
    build_sites(KnowledgeBase(kb.root), options)
    return kb.root / "site", kb, port


def test_the_canonical_page_carries_both_variants_and_the_head_script(site) -> None:
    out, _, _ = site
    html = (out / "public/cards/declined/index.html").read_text()
    head = html.split("</head>")[0]
    assert '<meta name="kb:experiment"' in head and "assets/kb/kb-experiment.js" in head
    assert head.index("kb.css") < head.index("kb-experiment.js")  # the rules that hide variants come first
    assert CONTROL_TEXT in html and VARIANT_TEXT in html
    assert 'data-kb-variant="control" data-kb-control' in html and 'data-kb-variant="steps-first"' in html
    assert 'href="../limits/"' in html  # the variant's links are resolved like the page's own


def test_search_sitemap_wiki_and_translation_see_one_canonical_page(site) -> None:
    out, kb, _ = site
    assert not (out / "public/cards/declined-steps-first").exists()
    assert not (out / "internal/cards/declined-steps-first").exists()
    sitemap = (out / "public/sitemap.xml").read_text()
    assert "cards/declined/" in sitemap and "steps-first" not in sitemap
    index = (out / "public/search/search_index.json").read_text()
    assert CONTROL_TEXT in index and "ZEBRACORN" not in index
    articles = (out / "public/assets/kb/articles.json").read_text()
    assert articles.count('"declined"') == 1  # this language's list: the page once
    wiki = (out / "internal/cards/declined/index.html").read_text()
    assert CONTROL_TEXT in wiki and "ZEBRACORN" not in wiki and "kb:experiment" not in wiki
    french = (out / "public/fr/cards/declined/index.html").read_text()
    assert "kb-variant" not in french and "kb:experiment" not in french
    # Other pages name the experiment's page by its id and reach the canonical page, never a variant
    limits = (out / "public/cards/limits/index.html").read_text()
    assert 'href="../declined/">Card declined</a>' in limits
    history = CliRunner().invoke(main, ["--root", str(kb.root), "history", "declined"])
    assert history.exit_code == 0 and "cards/declined.md" in history.output, history.output
    found = CliRunner().invoke(main, ["--root", str(kb.root), "search", "zebracorn", "--json"])
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["hits"] == []
    canonical = CliRunner().invoke(main, ["--root", str(kb.root), "search", "unicornish", "--json"])
    assert [hit["id"] for hit in json.loads(canonical.stdout)["hits"]] == ["declined"]


@pytest.fixture(scope="module")
def server(site):
    out, _, port = site
    with serve(out, port) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


CSP = content_security_policy()  # what `kb serve` sends: no inline script

# Runs before any script of the page: records, at every insertion of a variant block and at every frame before
# the page has loaded, which variants a reader could see (laid out, not display: none)
PROBE = """
window.__kbSeen = [];
window.__kbViolations = [];
document.addEventListener("securitypolicyviolation", function (e) { window.__kbViolations.push(e.violatedDirective); });
function __kbLook(when) {
  document.querySelectorAll(".kb-variant").forEach(function (el) {
    if (getComputedStyle(el).display !== "none") window.__kbSeen.push([when, el.getAttribute("data-kb-variant")]);
  });
}
new MutationObserver(function () { __kbLook("insert"); }).observe(document, { childList: true, subtree: true });
(function frame() { __kbLook("frame"); if (document.readyState !== "complete") requestAnimationFrame(frame); })();
"""


def _session_for(variant: str) -> str:
    ids = (f"{n:032x}" for n in range(1000))
    return next(sid for sid in ids if assign("steps-first", sid, ["control", "steps-first"]) == variant)


def _open(browser, server: SiteServer, session: str | None, javascript: bool = True):
    context = browser.new_context(java_script_enabled=javascript)

    def with_csp(route):
        try:
            response = route.fetch()
            route.fulfill(response=response, headers={**response.headers, "content-security-policy": CSP})
        except PlaywrightError:  # the test closed the tab while a late request (a beacon) was in flight
            pass

    context.route("**/*", with_csp)
    if session is not None:
        context.add_init_script(f"sessionStorage.setItem('kb-session', '{session}');")
    context.add_init_script(PROBE)
    tab = context.new_page()
    tab.goto(server.url + "cards/declined/")
    tab.wait_for_load_state("load")
    return context, tab


@pytest.mark.parametrize("variant", ["control", "steps-first"])
def test_each_reader_sees_only_their_variant_from_the_first_frame(browser, server: SiteServer, variant: str) -> None:
    session = _session_for(variant)
    context, tab = _open(browser, server, session)
    try:
        tab.wait_for_function("document.querySelector('.kb-variant--shown') !== null")
        seen = tab.evaluate("window.__kbSeen")
        assert seen and {name for _, name in seen} == {variant}  # the other one never laid out, at any frame
        assert tab.evaluate("window.__kbViolations") == []
        inline = (
            "() => { const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; "
            "document.head.appendChild(s); return window.__inline === undefined; }"
        )
        assert tab.evaluate(inline)  # the policy is in force: an inline script would not have run
        shown = tab.locator(".kb-variant:visible")
        assert shown.count() == 1 and shown.get_attribute("data-kb-variant") == variant
        # The other variant left the page: one heading per id, and the contents link reaches a visible heading
        assert tab.locator(".kb-variant").count() == 1
        ids = tab.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
        assert len(ids) == len(set(ids))
        assert (CONTROL_TEXT if variant == "control" else VARIANT_TEXT) in shown.inner_text()
        view = server.wait_for(lambda e: e.get("type") == "view" and e.get("session") == session)
        assert view and (view[0]["experiment"], view[0]["variant"]) == ("steps-first", variant)
        tab.reload()  # sticky: the same tab gets the same variant again
        tab.wait_for_function("document.querySelector('.kb-variant--shown') !== null")
        assert tab.locator(".kb-variant--shown").get_attribute("data-kb-variant") == variant
    finally:
        context.unroute_all(behavior="ignoreErrors")
        context.close()


def test_votes_carry_the_variant(browser, server: SiteServer) -> None:
    session = _session_for("steps-first")
    context, tab = _open(browser, server, session)
    try:
        tab.locator('[data-kb-vote="yes"]').click()
        vote = server.wait_for(lambda e: e.get("type") == "vote" and e.get("session") == session)
        assert vote and (vote[0]["experiment"], vote[0]["variant"]) == ("steps-first", "steps-first")
    finally:
        context.unroute_all(behavior="ignoreErrors")
        context.close()


def test_readers_without_script_get_the_control(browser, server: SiteServer) -> None:
    context, tab = _open(browser, server, None, javascript=False)
    try:
        visible = tab.locator(".kb-variant:visible")
        assert visible.count() == 1 and visible.get_attribute("data-kb-variant") == "control"
    finally:
        context.unroute_all(behavior="ignoreErrors")
        context.close()


def test_the_sites_script_assigns_as_python_does(browser, server: SiteServer) -> None:
    context, tab = _open(browser, server, None)
    try:
        cases = [list(case) for case in ASSIGNMENT_CASES]
        in_browser = tab.evaluate("cases => cases.map(c => window.kbAssign(c[0], c[1], c[2], c[3]))", cases)
        assert in_browser == [assign(*case) for case in ASSIGNMENT_CASES]
        assert len(set(in_browser)) > 2  # the cases reach several variants
    finally:
        context.unroute_all(behavior="ignoreErrors")
        context.close()


def test_a_broken_experiment_serves_its_canonical_page_only_and_the_build_says_why(mini_kb: MiniKB) -> None:
    _tree(mini_kb)
    canonical = mini_kb.root / "content/en/cards/declined.md"
    canonical.write_text(canonical.read_text().replace("min_sample: 200", "min_sample: 40"))
    builds = build_sites(KnowledgeBase(mini_kb.root), BuildOptions(audiences=("public",)))
    html = (mini_kb.root / "site/public/cards/declined/index.html").read_text()
    assert CONTROL_TEXT in html and "ZEBRACORN" not in html and "kb-variant" not in html
    assert not (mini_kb.root / "site/public/cards/declined-steps-first").exists()
    log = "".join(build.log for build in builds.builds)
    assert "cards/declined.md', line 13 (experiment.min_sample)" in log and "below the floor" in log


def test_contact_from_the_contact_step_carries_the_variant_of_the_page_the_reader_came_from(
    browser, server: SiteServer
) -> None:
    session = _session_for("steps-first")
    context, tab = _open(browser, server, session)
    try:
        context.route("https://acme.example/**", lambda route: route.abort())  # the helpdesk is elsewhere
        tab.locator("[data-kb-contact-step-link]").click()  # "Contact support" at the foot of the article
        tab.wait_for_url("**/contact/**")
        tab.locator("[data-kb-contact]").click()
        contact = server.wait_for(lambda e: e.get("type") == "contact" and e.get("session") == session)
        assert contact and contact[0]["article"] == "declined"
        assert (contact[0]["experiment"], contact[0]["variant"]) == ("steps-first", "steps-first")
    finally:
        context.unroute_all(behavior="ignoreErrors")
        context.close()
