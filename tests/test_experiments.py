"""Experiments: assignment (deterministic, sticky, balanced), the statistics on simulated traffic with known
effects, the declaration's lint on every shape of mistake, `kb experiments stop --keep`, events and the report
through the service."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest
from click.testing import CliRunner
from conftest import TODAY, MiniKB, page
from databases import BACKENDS, database_url
from gitrepo import GitRepo

from kbtools.analytics.experiment_stats import (
    COLLECTING,
    NO_DIFFERENCE,
    Arm,
    compare,
    newcombe,
    sample_size,
    two_proportion_z,
    wilson,
)
from kbtools.cli import main
from kbtools.model.experiments import assign, bucket, experiments, served
from kbtools.model.project import KnowledgeBase
from kbtools.workflows.lint import lint

# --- Assignment -------------------------------------------------------------------------------------------------

# Shared with the browser test (tests/test_experiments_site.py runs the site's script on the same cases)
ASSIGNMENT_CASES = [
    ("steps-first", "0f3c9a7e5b2d4c1a8e6f0b9d7c5a3e1f", ["control", "b"], None),
    ("steps-first", "a" * 32, ["control", "b"], None),
    ("title-test", "session-1234", ["control", "short", "long"], None),
    ("title-test", "session-1235", ["control", "short", "long"], [1, 2, 1]),
    ("réponse-été", "ticket-98765", ["control", "b"], [3, 1]),
    ("x", "12345678", ["a", "b", "c", "d"], None),
    *[("autoreply-tone", f"ticket-{n}", ["control", "warm"], [1, 1.5]) for n in range(40)],
]


def test_assignment_is_deterministic_and_sticky() -> None:
    for experiment, unit, variants, weights in ASSIGNMENT_CASES:
        first = assign(experiment, unit, variants, weights)
        assert first in variants
        assert all(assign(experiment, unit, variants, weights) == first for _ in range(5))
    # A known value: a change of the hash would move every running experiment's readers
    assert bucket("steps-first", "a" * 32) == pytest.approx(bucket("steps-first", "a" * 32))
    assert assign("steps-first", "a" * 32, ["control", "b"]) == assign("steps-first", "a" * 32, ["control", "b"])


def _chi_square(counts: list[int], expected: list[float]) -> float:
    return sum((c - e) ** 2 / e for c, e in zip(counts, expected, strict=True))


# Critical values of chi-square at 0.001 (1, 2, 3 degrees of freedom): a fair split fails 1 run in 1,000
CHI2_999 = {1: 10.83, 2: 13.82, 3: 16.27}


@pytest.mark.parametrize(
    ("variants", "weights", "ids"),
    [
        (["control", "b"], None, lambda n: f"{n:032x}"),  # hex session ids like the site's
        (["control", "b", "c"], None, lambda n: f"session-{n}"),  # sequential ids
        (["control", "b"], [3, 1], lambda n: f"ticket-{n}"),
        (["a", "b", "c", "d"], [1, 2, 3, 4], lambda n: random.Random(n).randbytes(16).hex()),
    ],
)
def test_assignment_is_balanced_by_weight(variants, weights, ids) -> None:
    units = 10_000
    shares = weights or [1] * len(variants)
    counts = dict.fromkeys(variants, 0)
    for n in range(units):
        counts[assign("balance-check", ids(n), variants, weights)] += 1
    expected = [units * share / sum(shares) for share in shares]
    assert _chi_square(list(counts.values()), expected) < CHI2_999[len(variants) - 1]


def test_experiments_split_the_same_readers_independently() -> None:
    """A reader's variant in one experiment says nothing of their variant in another."""
    pairs = {("control", "control"): 0, ("control", "b"): 0, ("b", "control"): 0, ("b", "b"): 0}
    for n in range(10_000):
        unit = f"{n:032x}"
        pairs[(assign("one", unit, ["control", "b"]), assign("two", unit, ["control", "b"]))] += 1
    assert _chi_square(list(pairs.values()), [2500.0] * 4) < CHI2_999[3]


@pytest.mark.parametrize("weights", [[0, 1], [-1, 1], [1]])
def test_bad_weights_are_refused(weights) -> None:
    with pytest.raises(ValueError, match="weight"):
        assign("x", "unit-1234", ["control", "b"], weights)


# --- Statistics -------------------------------------------------------------------------------------------------


def test_wilson_and_newcombe_match_published_values() -> None:
    # Newcombe (1998), table II, example (a): 56/70 against 48/80 (the Wilson interval computed by hand)
    assert wilson(56, 70) == pytest.approx((0.6918, 0.8770), abs=1e-4)
    difference, lower, upper = newcombe(48, 80, 56, 70)
    assert difference == pytest.approx(0.2)
    assert (lower, upper) == pytest.approx((0.0524, 0.3339), abs=1e-4)
    assert two_proportion_z(48, 80, 56, 70) == pytest.approx((2.650, 0.0080), abs=5e-4)
    # The classic planning example: 10% -> 15% at 80% power needs 686 per group
    assert sample_size(0.10, 0.15) == 686


def _simulate(rng: random.Random, rates: list[float], n: int) -> list[Arm]:
    arms = []
    for index, rate in enumerate(rates):
        conversions = sum(1 for _ in range(n) if rng.random() < rate)
        arms.append(Arm(f"v{index}", n, n, conversions))
    return arms


def test_a_true_effect_is_found_at_the_planned_power() -> None:
    """30% -> 36%: with the sample planned for 80% power, the report declares the better variant in at least
    75% of 200 simulated experiments (binomial slack under 80%)."""
    rng = random.Random(20261201)
    n = sample_size(0.30, 0.36)
    found = 0
    for _ in range(200):
        _, verdict, winner = compare(_simulate(rng, [0.30, 0.36], n), n)
        found += verdict == "better" and winner == "v1"
    assert found / 200 >= 0.75


def test_aa_tests_declare_a_difference_at_most_5_percent_of_the_time() -> None:
    """400 A/A experiments (the same true rate in both variants): at most 5% false verdicts, plus the binomial
    slack of 400 runs (3 standard deviations: 5% + 3.3%)."""
    rng = random.Random(14)
    n = 400
    false = 0
    for _ in range(400):
        _, verdict, _ = compare(_simulate(rng, [0.25, 0.25], n), n)
        false += verdict != NO_DIFFERENCE
    assert false / 400 <= 0.05 + 3 * (0.05 * 0.95 / 400) ** 0.5


def test_no_verdict_before_the_minimum_sample_even_for_a_huge_difference() -> None:
    arms = [Arm("control", 90, 90, 10), Arm("b", 99, 99, 80)]
    comparisons, verdict, winner = compare(arms, 100)
    assert verdict == COLLECTING and winner is None
    assert comparisons[0].p_value < 1e-9 and not comparisons[0].significant


def test_lower_is_better_for_contact_rate() -> None:
    arms = [Arm("control", 2000, 2000, 400), Arm("b", 2000, 2000, 300)]
    _, verdict, winner = compare(arms, 1000, higher_is_better=False)
    assert (verdict, winner) == ("better", "b")


# --- Declaration and lint ---------------------------------------------------------------------------------------

DECLARATION = (
    "experiment:\n  id: steps\n  variant: control\n  metric: contact_rate\n  min_sample: 200\n"
    "  start: 2026-11-01\n  stop: 2026-12-31\n"
)
VARIANT = "experiment: {id: steps, variant: b}\n"


def _experiment(
    kb: MiniKB,
    canonical: dict | None = None,
    variant: dict | None = None,
    declaration: str = DECLARATION,
    variant_extra: str = VARIANT,
    rel: str = "cards/a-b.md",
    translation_extra: str = "",
) -> None:
    kb.write("en/cards/a.md", page("a", extra=declaration, **(canonical or {})))
    kb.write("fr/cards/a.md", page("a", extra=translation_extra))
    fields = dict(variant or {})
    kb.write(f"en/{rel}", page(fields.pop("id", "a"), extra=variant_extra, body="Other text.\n", **fields))


def _experiment_findings(kb: MiniKB):
    return [f for f in lint(KnowledgeBase(kb.root), today=TODAY).findings if f.rule == "experiment"]


# (what is wrong, how to write it, file, line, key, words of the message)
MISTAKES = [
    (
        "translation copied the declaration",
        dict(translation_extra=DECLARATION),
        "fr/cards/a.md",
        10,
        "experiment",
        "a translation does not copy its source's experiment (en/cards/a.md)",
    ),
    (
        "unknown metric",
        dict(declaration=DECLARATION.replace("contact_rate", "click_rate")),
        "en/cards/a.md",
        13,
        "experiment.metric",
        "unknown metric 'click_rate'",
    ),
    (
        "metric for another type",
        dict(declaration=DECLARATION.replace("contact_rate", "resolution_rate")),
        "en/cards/a.md",
        13,
        "experiment.metric",
        "does not apply to a article",
    ),
    (
        "variant ids not unique",
        dict(variant_extra="experiment: {id: steps, variant: control}\n"),
        "en/cards/a-b.md",
        10,
        "experiment.variant",
        "already used by cards/a.md",
    ),
    (
        "one variant",
        dict(variant_extra="experiment: {id: other, variant: b}\n"),
        "en/cards/a.md",
        10,
        "experiment",
        "has one variant",
    ),
    (
        "dates reversed",
        dict(declaration=DECLARATION.replace("start: 2026-11-01", "start: 2027-01-05")),
        "en/cards/a.md",
        16,
        "experiment.stop",
        "dates are reversed",
    ),
    (
        "no stop date",
        dict(declaration=DECLARATION.replace("  stop: 2026-12-31\n", "")),
        "en/cards/a.md",
        10,
        "experiment.stop",
        "stop must be a date",
    ),
    (
        "sample below the floor",
        dict(declaration=DECLARATION.replace("200", "40")),
        "en/cards/a.md",
        14,
        "experiment.min_sample",
        "below the floor",
    ),
    (
        "sample not a number",
        dict(declaration=DECLARATION.replace("200", "lots")),
        "en/cards/a.md",
        14,
        "experiment.min_sample",
        "whole number",
    ),
    (
        "internal page",
        dict(canonical={"audience": "internal"}, variant={"audience": "internal"}),
        "en/cards/a.md",
        10,
        "experiment",
        "not on a internal article",
    ),
    (
        "macro",
        dict(
            canonical={"type": "macro", "audience": "internal", "category": "billing", "owner": "billing"},
            variant={"type": "macro", "audience": "internal", "category": "billing", "owner": "billing"},
        ),
        "en/cards/a.md",
        10,
        "experiment",
        "not on a internal macro",
    ),
    (
        "variants of different audiences",
        dict(variant={"audience": "internal"}),
        "en/cards/a-b.md",
        5,
        "audience",
        "share their audience",
    ),
    ("variant with another id", dict(variant={"id": "a-2"}), "en/cards/a-b.md", 2, "id", "keeps its page's id"),
    (
        "variant in another folder",
        dict(rel="billing/a-b.md", variant={"category": "cards"}),
        "en/billing/a-b.md",
        10,
        "experiment",
        "folder of its page",
    ),
    (
        "declared twice",
        dict(variant_extra=DECLARATION.replace("variant: control", "variant: b")),
        "en/cards/a.md",
        13,
        "experiment.metric",
        "already declared",
    ),
    (
        "unknown key",
        dict(declaration=DECLARATION + "  goal: more\n"),
        "en/cards/a.md",
        17,
        "experiment.goal",
        "unknown key 'goal'",
    ),
    ("not a mapping", dict(declaration="experiment: steps\n"), "en/cards/a.md", 10, "experiment", "expected a mapping"),
]


@pytest.mark.parametrize(("name", "shape", "path", "line", "key", "says"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_every_mistake_in_a_declaration_is_reported_with_file_line_and_key(
    mini_kb: MiniKB, name, shape, path, line, key, says
) -> None:
    _experiment(mini_kb, **shape)
    found = _experiment_findings(mini_kb)
    assert any(
        f.path == mini_kb.root / "content" / path and f.line == line and f.key == key and says in f.message
        for f in found
    ), found
    # The same definition the build uses: a broken experiment runs no variant
    lang = path.split("/")[0]
    assert [e for e in experiments(KnowledgeBase(mini_kb.root).load()) if e.lang == lang] == []


def test_a_correct_experiment_lints_clean_and_its_variant_is_no_page_of_its_own(mini_kb: MiniKB) -> None:
    _experiment(mini_kb)
    assert lint(KnowledgeBase(mini_kb.root), today=TODAY).findings == []  # no duplicate id, no missing translation
    (found,) = experiments(KnowledgeBase(mini_kb.root).load())
    assert (found.id, found.names, found.metric, found.min_sample) == ("steps", ["control", "b"], "contact_rate", 200)
    assert (found.start, found.stop) == (date(2026, 11, 1), date(2026, 12, 31))


def test_served_gives_each_unit_its_variants_file_while_the_experiment_runs(mini_kb: MiniKB) -> None:
    """What the auto-reply endpoint calls per ticket: the file to send and the variant to record."""
    _experiment(mini_kb)
    content = KnowledgeBase(mini_kb.root).load()
    canonical = content.get("en", "cards/a.md")
    assert canonical is not None
    for ticket in ("ticket-1", "ticket-2", "ticket-3", "ticket-4"):
        doc, variant = served(content, canonical, ticket, date(2026, 12, 1))
        assert variant is not None and variant.name == assign("steps", ticket, ["control", "b"])
        assert doc.rel == ("cards/a.md" if variant.name == "control" else "cards/a-b.md")
    assert served(content, canonical, "ticket-1", date(2027, 1, 1)) == (canonical, None)  # after stop
    assert served(content, canonical, "ticket-1", date(2026, 10, 31)) == (canonical, None)  # before start


def test_translations_and_the_bot_export_see_only_the_canonical_page(mini_kb: MiniKB, tmp_path) -> None:
    _experiment(mini_kb)
    GitRepo(mini_kb.root).commit("Experiment", date="2026-11-02T09:00:00+00:00")
    runner = CliRunner()
    report = runner.invoke(main, ["--root", str(mini_kb.root), "translations", "--format", "json"])
    assert report.exit_code == 0, report.output
    assert "a-b.md" not in report.output and "cards/a.md" in report.output
    out = tmp_path / "kb.jsonl"
    exported = runner.invoke(main, ["--root", str(mini_kb.root), "export", "bot", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    text = out.read_text()
    assert "Some text." in text and "Other text." not in text


# --- kb experiments stop ----------------------------------------------------------------------------------------


def _committed_experiment(kb: MiniKB) -> GitRepo:
    _experiment(kb)
    repo = GitRepo(kb.root)
    repo.commit("Experiment", date="2026-11-02T09:00:00+00:00")
    return repo


@pytest.mark.parametrize(("keep", "body"), [("b", "Other text.\n"), ("control", "Some text.\n")])
def test_stop_keeps_one_file_with_the_kept_body_and_no_declaration(mini_kb: MiniKB, keep: str, body: str) -> None:
    _committed_experiment(mini_kb)
    result = CliRunner().invoke(main, ["--root", str(mini_kb.root), "experiments", "stop", "steps", "--keep", keep])
    assert result.exit_code == 0, result.output
    assert not (mini_kb.root / "content/en/cards/a-b.md").exists()
    text = (mini_kb.root / "content/en/cards/a.md").read_text()
    assert "experiment" not in text and text.endswith("---\n\n" + body)
    assert text.startswith("---\nid: a\ntitle: A page\n")
    assert lint(KnowledgeBase(mini_kb.root), today=TODAY).findings == []


@pytest.mark.parametrize(
    ("prepare", "args", "says"),
    [
        (lambda kb: None, ["steps", "--keep", "c"], "has no variant 'c'; its variants: control, b"),
        (lambda kb: None, ["nope", "--keep", "b"], "no experiment 'nope'"),
        (
            lambda kb: kb.write("en/cards/a-b.md", page("a", extra=VARIANT, body="Edited.\n")),
            ["steps", "--keep", "b"],
            "uncommitted changes (content/en/cards/a-b.md)",
        ),
        (lambda kb: kb.write("en/cards/new.md", page("new")), ["steps", "--keep", "b"], "uncommitted changes"),
    ],
    ids=["unknown variant", "unknown experiment", "edited file", "untracked file"],
)
def test_stop_refuses_with_a_clear_message_and_changes_nothing(mini_kb: MiniKB, prepare, args, says) -> None:
    _committed_experiment(mini_kb)
    prepare(mini_kb)
    before = {p: p.read_text() for p in (mini_kb.root / "content").rglob("*.md")}
    result = CliRunner().invoke(main, ["--root", str(mini_kb.root), "experiments", "stop", *args])
    assert result.exit_code != 0
    assert says in result.output and "Traceback" not in result.output
    assert {p: p.read_text() for p in (mini_kb.root / "content").rglob("*.md")} == before


# --- Events and the report through the service ------------------------------------------------------------------


TOKEN = "test-token-123456"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(params=BACKENDS)
def service(request: pytest.FixtureRequest, mini_kb: MiniKB, tmp_path):
    from kbtools.service import create_app

    declaration = DECLARATION.replace("2026-11-01", "2020-01-01").replace("2026-12-31", "2099-12-31")
    _experiment(mini_kb, declaration=declaration.replace("min_sample: 200", "min_sample: 100"))
    url = database_url(request.param, tmp_path)
    app = create_app(
        {
            "root": str(mini_kb.root),
            "database_url": url,
            "rate_limit": "off",
            "api_tokens": [TOKEN],
            "search_index": str(tmp_path / "none"),
        }
    )
    app.config["TEST_DATABASE_URL"] = url
    return app


def _post(client, events: list[dict]):
    return client.post("/api/v1/events", data=json.dumps({"events": events}), content_type="application/json")


def test_events_carry_experiment_and_variant_and_the_report_counts_them(service) -> None:
    client = service.test_client()
    events = []
    for n in range(120):
        session = f"session-{n:04d}"
        variant = assign("steps", session, ["control", "b"])
        pair = {"experiment": "steps", "variant": variant}
        events.append({"type": "view", "article": "a", "lang": "en", "session": session, **pair})
        if n % 4 == 0:
            events.append({"type": "contact", "article": "a", "lang": "en", "session": session, **pair})
        if n % 2 == 0:
            events.append(
                {"type": "vote", "article": "a", "lang": "en", "session": session, "helpful": n % 3 == 0, **pair}
            )
    # A contact whose view was lost is no conversion: a rate never goes over its exposures
    events.append(
        {
            "type": "contact",
            "article": "a",
            "lang": "en",
            "session": "session-lost",
            "experiment": "steps",
            "variant": "b",
        }
    )
    for start in range(0, len(events), 50):
        assert _post(client, events[start : start + 50]).status_code == 202
    from sqlalchemy import text

    with service.extensions["kb_engine"].connect() as connection:
        stored = connection.execute(
            text(
                "SELECT variant, count(DISTINCT session) FROM events WHERE experiment = 'steps' AND type = 'view' "
                "GROUP BY variant"
            )
        ).all()
        voted = connection.execute(text("SELECT count(*) FROM votes WHERE experiment = 'steps'")).scalar()
    views = dict(stored)
    assert sum(views.values()) == 120 and set(views) == {"control", "b"} and voted == 60
    answer = client.get("/api/v1/reports/experiments", headers=AUTH)
    assert answer.status_code == 200, answer.get_json()
    (found,) = answer.get_json()["experiments"]
    assert found["metric"] == "contact_rate" and found["verdict"] == "collecting"  # 100 per variant not reached
    by_variant = {v["variant"]: v for v in found["variants"]}
    assert {k: by_variant[k]["exposures"] for k in views} == views
    assert sum(v["conversions"] for v in by_variant.values()) == 30
    assert found["comparisons"][0]["against"] == "control"


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({"experiment": "steps"}, "variant"),
        ({"variant": "b"}, "experiment"),
        ({"experiment": "Not A Slug", "variant": "b"}, "experiment"),
        ({"experiment": "steps", "variant": "x" * 65}, "variant"),
    ],
)
def test_an_event_with_half_an_experiment_or_a_bad_id_is_a_422(service, event: dict, field: str) -> None:
    answer = _post(
        service.test_client(), [{"type": "view", "article": "a", "lang": "en", "session": "s" * 16, **event}]
    )
    assert answer.status_code == 422
    assert any(e["field"].endswith(field) for e in answer.get_json()["errors"])


def test_the_report_needs_a_sign_in_and_refuses_bad_parameters(service) -> None:
    client = service.test_client()
    assert client.get("/api/v1/reports/experiments").status_code == 401
    answer = client.get("/api/v1/reports/experiments?id=Bad%20Id", headers=AUTH)
    assert answer.status_code == 422 and answer.get_json()["errors"][0]["field"] == "id"


def test_kb_experiments_report_renders_text_markdown_and_json(service, mini_kb: MiniKB, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KB_DATABASE_URL", service.config["TEST_DATABASE_URL"])
    client = service.test_client()
    _post(
        client,
        [
            {
                "type": "view",
                "article": "a",
                "lang": "en",
                "session": "session-0001",
                "experiment": "steps",
                "variant": assign("steps", "session-0001", ["control", "b"]),
            }
        ],
    )
    runner = CliRunner()
    for fmt, says in (("text", "verdict: collecting"), ("md", "**Verdict:** collecting"), ("json", '"collecting"')):
        result = runner.invoke(main, ["--root", str(mini_kb.root), "experiments", "report", "steps", "--format", fmt])
        assert result.exit_code == 0, result.output
        assert says in result.output
    data = json.loads(
        runner.invoke(main, ["--root", str(mini_kb.root), "experiments", "report", "--format", "json"]).output
    )
    assert sum(v["exposures"] for v in data["experiments"][0]["variants"]) == 1
    unknown = runner.invoke(main, ["--root", str(mini_kb.root), "experiments", "report", "nope"])
    assert unknown.exit_code != 0 and "no valid experiment 'nope'" in unknown.output


def test_the_dashboard_shows_each_experiment_and_no_verdict_before_the_sample(service) -> None:
    client = service.test_client()
    session = "session-0002"
    variant = assign("steps", session, ["control", "b"])
    _post(
        client,
        [{"type": "view", "article": "a", "lang": "en", "session": session, "experiment": "steps", "variant": variant}],
    )
    page_html = client.get("/internal/dashboard", headers=AUTH).text
    section = page_html.split("<h2>Experiments</h2>", 1)[1].split("</section>", 1)[0]
    assert "steps (en, contact_rate, at least 100 per variant" in section
    assert "<td>control</td>" in section and "<td>b</td>" in section
    assert "Collecting: no verdict until every variant has 100." in section
