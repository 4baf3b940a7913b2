"""Experiments (A/B tests) of content, declared in front-matter: one definition for lint, build, search and service.

An experiment is a set of sibling files in one language folder that share an `id` and an `experiment.id`. The
canonical file (the control) carries the declaration: its `experiment` mapping names the metric, the minimum
sample per variant and the dates. Each other file is a variant (`experiment: {id, variant}`), never a page of
its own: search, the sitemap, exports and translations see the canonical page, which serves the variant
assigned to the reader.

Assignment is a pure function of the experiment id and a unit id (a reader's session, a ticket): the same here
and in the site's script (site_plugins/assets/kb-experiment.js), checked by a shared vector of cases.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kbtools.model.content import ContentSet, Document
from kbtools.model.taxonomy import SLUG
from kbtools.model.vocabulary import INTERNAL_ONLY_TYPES, ExperimentMetric

KEY = "experiment"  # the front-matter key
CONTROL = "control"  # the canonical file's variant name when it gives none
# Fewer readers than this per variant cannot show any difference worth acting on; the floor stops a typo
# (min_sample: 40 for 400) from giving early verdicts.
MIN_SAMPLE_FLOOR = 100
# What each metric measures, and which content types it applies to: an article's readers vote and contact
# support; an auto-reply's tickets are resolved or not.
METRIC_TYPES: dict[str, tuple[str, ...]] = {
    ExperimentMetric.HELPFUL_RATE: ("article", "troubleshooting"),
    ExperimentMetric.CONTACT_RATE: ("article", "troubleshooting"),
    ExperimentMetric.RESOLUTION_RATE: ("autoreply",),
}
# Content types whose units are tickets (the auto-reply endpoint assigns them), not readers of a page
TICKET_TYPES = METRIC_TYPES[ExperimentMetric.RESOLUTION_RATE]
# Keys of the canonical file's declaration, and of a variant file's
DECLARATION_KEYS = ("id", "variant", "metric", "min_sample", "start", "stop", "weight")
VARIANT_KEYS = ("id", "variant", "weight")


# --- Assignment -------------------------------------------------------------------------------------------------


def _fnv1a_32(data: bytes) -> int:
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def _mix32(value: int) -> int:
    """MurmurHash3's finaliser: every input bit moves every output bit, so similar ids spread evenly."""
    value ^= value >> 16
    value = (value * 0x85EBCA6B) & 0xFFFFFFFF
    value ^= value >> 13
    value = (value * 0xC2B2AE35) & 0xFFFFFFFF
    value ^= value >> 16
    return value


def bucket(experiment_id: str, unit_id: str) -> float:
    """A number in [0, 1) fixed by the two ids: FNV-1a (32 bits) of UTF-8 `experiment_id:unit_id`, mixed."""
    return _mix32(_fnv1a_32(f"{experiment_id}:{unit_id}".encode())) / 2**32


def assign(experiment_id: str, unit_id: str, variants: Sequence[str], weights: Sequence[float] | None = None) -> str:
    """The variant of `experiment_id` that the unit (a session id, a ticket id) gets: deterministic, sticky
    (the same ids give the same variant, on every server and in the browser) and balanced by `weights` (equal by
    default). Different experiments split the same units independently."""
    if not variants:
        raise ValueError("an experiment needs at least one variant")
    shares = list(weights) if weights is not None else [1.0] * len(variants)
    if len(shares) != len(variants) or any(share <= 0 for share in shares):
        raise ValueError("one positive weight per variant")
    point = bucket(experiment_id, unit_id) * sum(shares)
    for variant, share in zip(variants, shares, strict=True):
        if point < share:
            return variant
        point -= share
    return variants[-1]  # rounding at the very top of the range


# --- Declaration ------------------------------------------------------------------------------------------------


def declared_id(doc: Document) -> str | None:
    """The experiment a file takes part in, or None."""
    return doc.experiment_id


def is_canonical(doc: Document) -> bool:
    """Whether `doc` declares an experiment (it is the control and the page everyone else sees)."""
    return doc.experiment_id is not None and not doc.is_variant


def is_variant(doc: Document) -> bool:
    """Whether `doc` is a variant file: served inside its canonical page, never published on its own."""
    return doc.is_variant


@dataclass(frozen=True)
class Variant:
    name: str
    doc: Document
    weight: float


@dataclass
class Experiment:
    id: str
    lang: str
    canonical: Document
    metric: str
    min_sample: int
    start: date | None
    stop: date | None
    variants: list[Variant] = field(default_factory=list)  # the control first

    @property
    def names(self) -> list[str]:
        return [variant.name for variant in self.variants]

    @property
    def weights(self) -> list[float]:
        return [variant.weight for variant in self.variants]

    def assign(self, unit_id: str) -> str:
        return assign(self.id, unit_id, self.names, self.weights)

    def is_running(self, today: date) -> bool:
        return (self.start is None or self.start <= today) and (self.stop is None or today <= self.stop)

    def variant(self, name: str) -> Variant | None:
        return next((variant for variant in self.variants if variant.name == name), None)

    def as_dict(self) -> dict[str, Any]:
        """What the site's script and the service need (no file paths)."""
        return {
            "id": self.id,
            "page": self.canonical.id,
            "metric": self.metric,
            "min_sample": self.min_sample,
            "start": self.start.isoformat() if self.start else None,
            "stop": self.stop.isoformat() if self.stop else None,
            "variants": self.names,
            "weights": self.weights,
        }


def _variant_name(doc: Document) -> str:
    value = doc.meta.get(KEY)
    name = value.get("variant", CONTROL if is_canonical(doc) else None) if isinstance(value, dict) else None
    return str(name) if name is not None else ""


def _weight(doc: Document) -> float:
    value = doc.meta.get(KEY)
    weight = value.get("weight", 1) if isinstance(value, dict) else 1
    return float(weight) if isinstance(weight, int | float) and not isinstance(weight, bool) and weight > 0 else 1.0


@dataclass(frozen=True)
class ExperimentProblem:
    doc: Document
    line: int
    key: str
    message: str


def _problem(doc: Document, message: str, *key: str) -> ExperimentProblem:
    return ExperimentProblem(doc, doc.line_of(KEY, *key), ".".join((KEY, *key)), message)


def _groups(content: ContentSet) -> dict[tuple[str, str], list[Document]]:
    found: dict[tuple[str, str], list[Document]] = {}
    for doc in content:
        experiment_id = declared_id(doc)
        if experiment_id is not None:
            found.setdefault((doc.lang, experiment_id), []).append(doc)
    return found


def _declaration_problems(doc: Document) -> list[ExperimentProblem]:
    value = doc.meta[KEY]
    problems = []
    keys = DECLARATION_KEYS if is_canonical(doc) else VARIANT_KEYS
    for key in value:
        if key not in keys:
            where = (
                "the canonical file's declaration" if is_canonical(doc) else "a variant file (only id, variant, weight)"
            )
            problems.append(_problem(doc, f"unknown key {key!r} in {where}", str(key)))
    if not SLUG.match(str(value["id"])):
        problems.append(
            _problem(doc, f"{value['id']!r} is not an experiment id: lowercase words joined by hyphens", "id")
        )
    name = _variant_name(doc)
    if not name or not SLUG.match(name):
        problems.append(
            _problem(doc, f"variant {name or None!r} is not a variant id: e.g. 'control', 'steps-first'", "variant")
        )
    weight = value.get("weight")
    if weight is not None and (isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0):
        problems.append(_problem(doc, f"weight must be a positive number, got {weight!r}", "weight"))
    if not is_canonical(doc):
        return problems
    metric = value.get("metric")
    allowed = [m for m, types in METRIC_TYPES.items() if doc.type in types]
    if metric not in METRIC_TYPES:
        problems.append(_problem(doc, f"unknown metric {metric!r}: one of {', '.join(METRIC_TYPES)}", "metric"))
    elif metric not in allowed:
        fits = ", ".join(allowed) or "none"
        problems.append(_problem(doc, f"metric {metric} does not apply to a {doc.type} (it can use: {fits})", "metric"))
    sample = value.get("min_sample")
    if isinstance(sample, bool) or not isinstance(sample, int):
        problems.append(
            _problem(doc, f"min_sample must be a whole number of units per variant, got {sample!r}", "min_sample")
        )
    elif sample < MIN_SAMPLE_FLOOR:
        problems.append(
            _problem(doc, f"min_sample {sample} is below the floor of {MIN_SAMPLE_FLOOR} per variant", "min_sample")
        )
    start, stop = value.get("start"), value.get("stop")
    for key, when in (("start", start), ("stop", stop)):
        if not isinstance(when, date):
            problems.append(_problem(doc, f"{key} must be a date written YYYY-MM-DD, got {when!r}", key))
    if isinstance(start, date) and isinstance(stop, date) and stop <= start:
        problems.append(_problem(doc, f"the dates are reversed: stop {stop} is not after start {start}", "stop"))
    return problems


def check(content: ContentSet) -> list[ExperimentProblem]:
    """Every problem with the experiments declared in `content` (lint reports them; the build runs none of a
    broken experiment's variants)."""
    problems: list[ExperimentProblem] = []
    for doc in content:
        if KEY not in doc.meta:
            continue
        if declared_id(doc) is None:
            problems.append(
                _problem(doc, "expected a mapping with at least id and variant, e.g. {id: steps-first, variant: b}")
            )
            continue
        problems.extend(_declaration_problems(doc))
        # Readers' experiments need a public page; a ticket's (auto-replies) is sent to the customer, whatever
        # the template's audience on the wiki
        if doc.type not in TICKET_TYPES and (doc.type in INTERNAL_ONLY_TYPES or not doc.is_public):
            problems.append(
                _problem(doc, f"experiments run on public pages and auto-replies, not on a {doc.audience} {doc.type}")
            )
    for (_, experiment_id), docs in _groups(content).items():
        canonical = [doc for doc in docs if is_canonical(doc)]
        if not canonical:
            problems.append(
                _problem(docs[0], f"no file declares experiment {experiment_id!r} (metric, min_sample, start, stop)")
            )
            continue
        for extra in canonical[1:]:
            problems.append(
                _problem(extra, f"experiment {experiment_id!r} is already declared in {canonical[0].rel}", "metric")
            )
        main = canonical[0]
        if len(docs) < 2:
            source = content.source_of(main)
            copied = source is not None and source.experiment_id == experiment_id
            hint = (
                f"a translation does not copy its source's experiment ({source.lang}/{source.rel}): remove the key"
                if copied and source is not None
                else f"add a sibling file with experiment: {{id: {experiment_id}, variant: b}}"
            )
            problems.append(_problem(main, f"experiment {experiment_id!r} has one variant: {hint}"))
        seen: dict[str, Document] = {}
        for doc in [main, *(doc for doc in docs if doc is not main)]:  # a repeated id is the variant's mistake
            name = _variant_name(doc)
            if name in seen:
                problems.append(_problem(doc, f"variant {name!r} is already used by {seen[name].rel}", "variant"))
            seen.setdefault(name, doc)
            if doc is main:
                continue
            if doc.id != main.id:
                problems.append(
                    ExperimentProblem(doc, doc.line_of("id"), "id", f"a variant keeps its page's id {main.id!r}")
                )
            if posixpath.dirname(doc.rel) != posixpath.dirname(main.rel):
                problems.append(
                    _problem(doc, f"a variant lives in the folder of its page ({posixpath.dirname(main.rel)}/)")
                )
            for key in ("audience", "type", "category", "status"):
                if doc.meta.get(key) != main.meta.get(key):
                    problems.append(
                        ExperimentProblem(
                            doc,
                            doc.line_of(key),
                            key,
                            f"variants of one experiment share their {key}: this is {doc.meta.get(key)!r}, "
                            f"{main.rel} says {main.meta.get(key)!r}",
                        )
                    )
    return problems


def experiments(content: ContentSet, valid_only: bool = True) -> list[Experiment]:
    """The experiments declared in `content` (only those without problems, unless `valid_only` is False)."""
    broken = {(p.doc.lang, declared_id(p.doc)) for p in check(content)} if valid_only else set()
    found = []
    for (lang, experiment_id), docs in sorted(_groups(content).items()):
        canonical = next((doc for doc in docs if is_canonical(doc)), None)
        if canonical is None or (lang, experiment_id) in broken:
            continue
        value = canonical.meta[KEY]
        others = sorted((doc for doc in docs if doc is not canonical), key=lambda d: d.rel)
        sample = value.get("min_sample")
        found.append(
            Experiment(
                id=experiment_id,
                lang=lang,
                canonical=canonical,
                metric=str(value.get("metric")),
                min_sample=sample if isinstance(sample, int) else MIN_SAMPLE_FLOOR,
                start=value.get("start") if isinstance(value.get("start"), date) else None,
                stop=value.get("stop") if isinstance(value.get("stop"), date) else None,
                variants=[Variant(_variant_name(doc), doc, _weight(doc)) for doc in [canonical, *others]],
            )
        )
    return found


def of_page(content: ContentSet, doc: Document) -> Experiment | None:
    """The (valid) experiment whose canonical page is `doc`."""
    return next((e for e in experiments(content) if e.canonical is doc), None)


def served(content: ContentSet, doc: Document, unit_id: str, today: date) -> tuple[Document, Variant | None]:
    """The file to serve for the canonical `doc` to one unit (a ticket for an auto-reply template, a session),
    and the variant it is (None when no valid experiment runs on `doc` today): what the auto-reply endpoint
    sends, and the experiment/variant its events record."""
    experiment = of_page(content, doc)
    if experiment is None or not experiment.is_running(today):
        return doc, None
    variant = experiment.variant(experiment.assign(unit_id))
    assert variant is not None  # assign() returns one of the experiment's names
    return variant.doc, variant


def find(content: ContentSet, experiment_id: str) -> list[Experiment]:
    """The experiments with this id (one per language that runs it), valid or not."""
    return [e for e in experiments(content, valid_only=False) if e.id == experiment_id]
