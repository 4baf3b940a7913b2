"""Experiment reports: per variant exposures, conversions and rates from the event store, and the verdict.

Units are sessions (articles; tickets for auto-replies). Counted between the declaration's start and stop days:
- exposures: sessions with a view event carrying the experiment and variant;
- helpful_rate: trials are the sessions that voted on the page under the variant, conversions their "yes" votes;
- contact_rate: trials are the exposed sessions, conversions those that went on to contact support from the page
  (a contact event carrying the experiment and variant);
- resolution_rate: units are tickets; exposures and trials are the tickets the auto-reply endpoint sent the
  variant of the template to (with articles: a ticket without suggestions gets no reply), conversions those
  whose customer answered "Yes, this solved my request" on one of its links.

The statistics are in `experiment_stats.py`; the text, Markdown and JSON renderings are here, next to the report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, and_, distinct, func, select

from kbtools.analytics.autoreply_store import SOLVED
from kbtools.analytics.experiment_stats import COLLECTING, Arm, Comparison, compare, wilson
from kbtools.analytics.store import autoreply_links, autoreply_tickets, events, votes
from kbtools.model.experiments import Experiment
from kbtools.model.vocabulary import ExperimentMetric

# Whether a higher rate is the better one
HIGHER_IS_BETTER = {
    ExperimentMetric.HELPFUL_RATE: True,
    ExperimentMetric.CONTACT_RATE: False,  # a reader who need not contact support was helped by the page
    ExperimentMetric.RESOLUTION_RATE: True,
}


def _window(table: Any, experiment: Experiment) -> Any:
    condition = table.c.experiment == experiment.id
    if experiment.start is not None:
        condition = and_(condition, table.c.created_at >= datetime.combine(experiment.start, time(), UTC))
    if experiment.stop is not None:
        end = datetime.combine(experiment.stop + timedelta(days=1), time(), UTC)
        condition = and_(condition, table.c.created_at < end)
    return and_(condition, table.c.lang == experiment.lang)


def _sessions(engine: Engine, experiment: Experiment, kind: str) -> dict[str, int]:
    """variant -> distinct sessions with an event of `kind` under the experiment."""
    query = (
        select(events.c.variant, func.count(distinct(events.c.session)))
        .where(events.c.type == kind, _window(events, experiment))
        .group_by(events.c.variant)
    )
    with engine.connect() as connection:
        return {str(variant): int(count) for variant, count in connection.execute(query)}


def _exposed_contacts(engine: Engine, experiment: Experiment) -> dict[str, int]:
    """variant -> sessions that saw the variant and contacted support from the page (a contact alone, its view
    lost, is not counted: a rate never goes over its exposures)."""

    def sessions(kind: str) -> Any:
        return (
            select(events.c.variant, events.c.session)
            .where(events.c.type == kind, _window(events, experiment))
            .distinct()
            .subquery()
        )

    viewers, contacts = sessions("view"), sessions("contact")
    query = (
        select(viewers.c.variant, func.count())
        .select_from(
            viewers.join(
                contacts, and_(viewers.c.variant == contacts.c.variant, viewers.c.session == contacts.c.session)
            )
        )
        .group_by(viewers.c.variant)
    )
    with engine.connect() as connection:
        return {str(variant): int(count) for variant, count in connection.execute(query)}


def _votes(engine: Engine, experiment: Experiment) -> dict[str, tuple[int, int]]:
    """variant -> (votes, helpful votes)."""
    query = (
        select(votes.c.variant, func.count(), func.count().filter(votes.c.helpful.is_(True)))
        .where(_window(votes, experiment))
        .group_by(votes.c.variant)
    )
    with engine.connect() as connection:
        return {str(variant): (int(total), int(yes)) for variant, total, yes in connection.execute(query)}


def _tickets(engine: Engine, experiment: Experiment) -> dict[str, tuple[int, int]]:
    """variant -> (tickets sent the variant, of them tickets solved through one of their links)."""
    solved = select(autoreply_links.c.ticket).where(autoreply_links.c.outcome == SOLVED).distinct().subquery()
    query = (
        select(
            autoreply_tickets.c.variant,
            func.count(),
            func.count(solved.c.ticket),
        )
        .select_from(autoreply_tickets.outerjoin(solved, solved.c.ticket == autoreply_tickets.c.id))
        .where(_window(autoreply_tickets, experiment))
        .group_by(autoreply_tickets.c.variant)
    )
    with engine.connect() as connection:
        return {str(variant): (int(sent), int(yes)) for variant, sent, yes in connection.execute(query)}


def arms(engine: Engine, experiment: Experiment) -> list[Arm]:
    """Each declared variant's counts, the control first (variants the content no longer declares are left out)."""
    if experiment.metric == ExperimentMetric.RESOLUTION_RATE:
        sent = _tickets(engine, experiment)
        return [Arm(name, sent.get(name, (0, 0))[0], *sent.get(name, (0, 0))) for name in experiment.names]
    exposures = _sessions(engine, experiment, "view")
    if experiment.metric == ExperimentMetric.HELPFUL_RATE:
        counted = _votes(engine, experiment)
    elif experiment.metric == ExperimentMetric.CONTACT_RATE:
        contacts = _exposed_contacts(engine, experiment)
        counted = {name: (exposures.get(name, 0), contacts.get(name, 0)) for name in experiment.names}
    else:
        counted = {}
    return [Arm(name, exposures.get(name, 0), *counted.get(name, (0, 0))) for name in experiment.names]


@dataclass(frozen=True)
class ExperimentReport:
    experiment: Experiment
    arms: list[Arm]
    comparisons: list[Comparison]
    verdict: str  # collecting, better, worse, no_difference
    winner: str | None

    @classmethod
    def of(cls, experiment: Experiment, counts: list[Arm]) -> ExperimentReport:
        higher = HIGHER_IS_BETTER.get(ExperimentMetric(experiment.metric), True)
        comparisons, verdict, winner = compare(counts, experiment.min_sample, higher)
        return cls(experiment, counts, comparisons, verdict, winner)

    def as_dict(self) -> dict[str, Any]:
        e = self.experiment
        return {
            "id": e.id,
            "page": e.canonical.id,
            "lang": e.lang,
            "metric": e.metric,
            "min_sample": e.min_sample,
            "start": e.start,
            "stop": e.stop,
            "method": "Wilson 95% intervals per variant; Newcombe hybrid score interval of the difference; pooled "
            "two-proportion z test; fixed horizon: a verdict only once every variant has min_sample",
            "verdict": self.verdict,
            "winner": self.winner,
            "variants": [
                {
                    "variant": arm.variant,
                    "exposures": arm.exposures,
                    "trials": arm.trials,
                    "conversions": arm.conversions,
                    "rate": arm.rate,
                    "rate_lower": wilson(arm.conversions, arm.trials)[0] if arm.trials else None,
                    "rate_upper": wilson(arm.conversions, arm.trials)[1] if arm.trials else None,
                    "sample_reached": arm.trials >= e.min_sample,
                }
                for arm in self.arms
            ],
            "comparisons": [
                {
                    "variant": c.variant,
                    "against": self.arms[0].variant,
                    "difference": c.difference,
                    "difference_lower": c.lower,
                    "difference_upper": c.upper,
                    "z": c.z,
                    "p_value": c.p_value,
                    "significant": c.significant,
                }
                for c in self.comparisons
            ],
        }


def report(engine: Engine, experiment: Experiment) -> ExperimentReport:
    return ExperimentReport.of(experiment, arms(engine, experiment))


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _verdict_line(found: ExperimentReport) -> str:
    e = found.experiment
    if found.verdict == COLLECTING:
        smallest = min(arm.trials for arm in found.arms)
        return f"collecting: {smallest} of {e.min_sample} units in the smallest variant; no verdict before the sample"
    if found.verdict == "no_difference":
        return "no difference at the 5% level"
    return f"{found.winner} wins ({found.verdict} than the control on {e.metric})"


def _rows(found: ExperimentReport) -> list[list[str]]:
    rows = []
    by_variant = {c.variant: c for c in found.comparisons}
    for arm in found.arms:
        lower, upper = wilson(arm.conversions, arm.trials) if arm.trials else (None, None)
        c = by_variant.get(arm.variant)
        rows.append(
            [
                arm.variant,
                str(arm.exposures),
                f"{arm.conversions}/{arm.trials}",
                f"{_pct(arm.rate)} [{_pct(lower)}, {_pct(upper)}]",
                "control" if c is None else f"{c.difference:+.1%} [{c.lower:+.1%}, {c.upper:+.1%}]",
                "" if c is None else f"{c.p_value:.3f}",
            ]
        )
    return rows


HEADERS = ["variant", "exposures", "conversions", "rate [95% CI]", "difference [95% CI]", "p"]


def render_text(reports: list[ExperimentReport]) -> str:
    if not reports:
        return "No experiments declared.\n"
    out = []
    for found in reports:
        e = found.experiment
        out.append(f"{e.id} ({e.lang}/{e.canonical.rel}, {e.metric}, min sample {e.min_sample}, {e.start} to {e.stop})")
        widths = [max(len(row[i]) for row in [HEADERS, *_rows(found)]) for i in range(len(HEADERS))]
        for row in [HEADERS, *_rows(found)]:
            out.append("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        out.append(f"  verdict: {_verdict_line(found)}")
    return "\n".join(out) + "\n"


def render_markdown(reports: list[ExperimentReport]) -> str:
    out = ["# Experiments", ""]
    if not reports:
        return "\n".join([*out, "No experiments declared.", ""])
    for found in reports:
        e = found.experiment
        out += [
            f"## {e.id}",
            "",
            f"Page `{e.lang}/{e.canonical.rel}`, metric {e.metric}, minimum sample "
            f"{e.min_sample} per variant, {e.start} to {e.stop}.",
            "",
        ]
        out.append("| " + " | ".join(HEADERS) + " |")
        out.append("|" + "---|" * len(HEADERS))
        out += ["| " + " | ".join(row) + " |" for row in _rows(found)]
        out += ["", f"**Verdict:** {_verdict_line(found)}", ""]
    return "\n".join(out)


def render_json(reports: list[ExperimentReport]) -> str:
    def default(value: object) -> str:
        if isinstance(value, date):
            return value.isoformat()
        raise TypeError(type(value).__name__)

    return json.dumps({"experiments": [r.as_dict() for r in reports]}, indent=2, default=default) + "\n"
