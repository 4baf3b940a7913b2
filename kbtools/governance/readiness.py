"""Market readiness: what a language still needs before go-live (`kb readiness --lang`), and its score.

Each check is a share of what the language needs that it has: the pages of each type in MARKET_TYPES translated
(weighted by the source pages' views when the service's data is given), translations up to date with their
source, case reasons routed to a queue whose agents answer in the language, taxonomy labels and interface
strings in the language. The score is the average of the checks' percentages (a check with nothing to count is
left out), so that each part of the checklist counts the same whatever its size.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kbtools.governance.reviews import ViewCounts
from kbtools.governance.translations import State, market_content, translation_state
from kbtools.model.content import ContentSet, Document
from kbtools.model.history import ContentHistory
from kbtools.model.site_strings import SiteStrings, declared_keys
from kbtools.model.taxonomy import Labels, Taxonomy
from kbtools.model.vocabulary import INTERNAL_ONLY_TYPES, MARKET_TYPES

_TYPE_NAMES = {
    "article": "Articles",
    "troubleshooting": "Troubleshooting guides",
    "macro": "Macros",
    "autoreply": "Auto-reply templates",
}


@dataclass(frozen=True)
class Check:
    """One line of the launch checklist: `done` of `total` (or weights), and what is still missing."""

    name: str
    done: float
    total: float
    missing: list[str] = field(default_factory=list)  # ids, paths or keys, to act on
    weighted: bool = False  # done and total are views, not counts
    counts: tuple[int, int] | None = None  # (done, total) as counts, shown beside a weighted share

    @property
    def share(self) -> float | None:
        """0..1, or None when there is nothing to count."""
        return self.done / self.total if self.total else None

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "done": self.counts[0] if self.counts else int(self.done),
            "total": self.counts[1] if self.counts else int(self.total),
            "percent": _percent(self.share),
            "weighted_by_views": self.weighted,
            "missing": self.missing,
        }


@dataclass(frozen=True)
class ReadinessReport:
    lang: str
    language_name: str
    checks: list[Check]
    weights: str  # how page checks were weighted, said in every format
    today: date
    launched: bool

    @property
    def score(self) -> float:
        shares = [share for check in self.checks if (share := check.share) is not None]
        return round(100 * sum(shares) / len(shares), 1) if shares else 100.0

    def passes(self, min_score: float) -> bool:
        return self.score >= min_score

    def as_json(self) -> str:
        payload = {
            "lang": self.lang,
            "language": self.language_name,
            "launched": self.launched,
            "date": self.today.isoformat(),
            "score": self.score,
            "weights": self.weights,
            "checks": [check.as_dict() for check in self.checks],
        }
        return json.dumps(payload, indent=2, ensure_ascii=False)

    def as_markdown(self) -> str:
        lines = [f"## Launch readiness: {self.language_name} ({self.lang}), {self.today}\n"]
        lines.append(f"Score **{self.score}%** (the average of the checks below); {self.weights}.\n")
        lines.append("| Check | Done | Share |\n|---|---|---|")
        for check in self.checks:
            lines.append(f"| {check.name} | {_done(check)} | {_percent_text(check.share)} |")
        for check in self.checks:
            if check.missing:
                lines.append(f"\n### {check.name}: still missing\n")
                lines.extend(f"- [ ] `{item}`" for item in check.missing)
        return "\n".join(lines) + "\n"

    def as_text(self) -> str:
        lines = [f"{self.language_name} ({self.lang}): readiness {self.score}%  ({self.weights})"]
        width = max(len(check.name) for check in self.checks)
        for check in self.checks:
            lines.append(f"  {check.name:<{width}}  {_percent_text(check.share):>5}  {_done(check)}")
            for item in check.missing:
                lines.append(f"  {'':<{width}}    missing: {item}")
        return "\n".join(lines)

    def render(self, fmt: str) -> str:
        return {"json": self.as_json, "md": self.as_markdown, "text": self.as_text}[fmt]()


def _percent(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 1)


def _percent_text(share: float | None) -> str:
    return "n/a" if share is None else f"{_percent(share)}%"


def _done(check: Check) -> str:
    done, total = check.counts or (int(check.done), int(check.total))
    views = f" ({int(check.done)} of {int(check.total)} views)" if check.weighted else ""
    return f"{done}/{total}{views}"


def readiness(
    kb_root: Path,
    content: ContentSet,
    taxonomy: Taxonomy,
    history: ContentHistory,
    lang: str,
    today: date,
    views: ViewCounts | None = None,
    views_note: str = "",
) -> ReadinessReport:
    """The readiness of `lang`; `views` ({(id, lang): views}) weights the help-center pages by their source's
    views, `views_note` says where they came from (or why there are none)."""
    default = content.default_language
    needed = market_content(content)
    # A translation counts once it is published: a draft (from `kb translations scaffold`) is work to do
    translated: list[tuple[Document, Document]] = []
    checks: list[Check] = []
    any_weighted = False
    for content_type in MARKET_TYPES:
        pages = [doc for doc in needed if doc.type == content_type]
        if not pages:
            continue
        pairs = [(doc, content.get(lang, doc.rel)) for doc in pages]
        done_pairs = [(doc, translation) for doc, translation in pairs if translation and translation.is_published]
        translated.extend(done_pairs)
        done = [doc for doc, _ in done_pairs]
        done_rels = {doc.rel for doc in done}
        missing = [f"{default}/{doc.rel}" for doc in pages if doc.rel not in done_rels]
        name = f"{_TYPE_NAMES.get(content_type, content_type)} translated"
        check = Check(name, len(done), len(pages), missing)
        if views is not None and content_type not in INTERNAL_ONLY_TYPES:
            weight = {doc.rel: views.get((doc.id or "", default), 0) for doc in pages}
            if sum(weight.values()):
                any_weighted = True
                check = Check(
                    name,
                    sum(weight[doc.rel] for doc in done),
                    sum(weight.values()),
                    missing,
                    weighted=True,
                    counts=(len(done), len(pages)),
                )
        checks.append(check)
    checks.append(_up_to_date(content, history, translated, lang))
    checks.append(_routing(taxonomy, lang))
    checks.append(_labels(taxonomy, lang))
    strings = SiteStrings(kb_root)
    missing_strings = list(strings.missing(lang))
    total = len(declared_keys())
    checks.append(Check("Interface strings", total - len(missing_strings), total, missing_strings))
    if views is None:
        weights = f"pages counted, not weighted: {views_note or 'no view data'}"
    elif any_weighted:
        weights = f"help-center pages weighted by their {default} views{': ' + views_note if views_note else ''}"
    else:
        weights = f"pages counted, not weighted: no {default} views recorded{': ' + views_note if views_note else ''}"
    language = next(item for item in taxonomy.languages if item.code == lang)
    return ReadinessReport(lang, language.name, checks, weights, today, language.launched)


def _up_to_date(
    content: ContentSet, history: ContentHistory, translated: list[tuple[Document, Document]], lang: str
) -> Check:
    """Translations whose source has not changed since their source_commit (untracked ones cannot be told)."""
    behind = []
    for source, _translation in translated:
        state = translation_state(content, history, source.rel, lang)
        if state.state is not State.UP_TO_DATE:
            behind.append(f"{lang}/{source.rel}: {state.state}")
    return Check("Translations up to date", len(translated) - len(behind), len(translated), behind)


def _routing(taxonomy: Taxonomy, lang: str) -> Check:
    """Case reasons whose queue has agents answering in `lang`: where a ticket in that language can go."""
    paths = taxonomy.case_reason_paths()
    unrouted = []
    for path in paths:
        sub = taxonomy.sub_reason(path)
        queue = taxonomy.queues.get(sub.queue) if sub else None
        if queue is None or not queue.serves(lang):
            unrouted.append(f"{path} -> {sub.queue if sub else '?'}")
    return Check("Case reasons routed to a queue in the language", len(paths) - len(unrouted), len(paths), unrouted)


def _labels(taxonomy: Taxonomy, lang: str) -> Check:
    """Every taxonomy label the source language has (categories, descriptions, tags, case reasons), in `lang`."""
    default = taxonomy.default_language
    labelled: list[tuple[str, Labels]] = []
    for category in taxonomy.categories.values():
        labelled.append((f"categories.{category.id}.label", category.labels))
        labelled.append((f"categories.{category.id}.description", category.descriptions))
    labelled.extend((f"tags.{tag}", labels) for tag, labels in taxonomy.tags.items())
    for reason in taxonomy.case_reasons.values():
        labelled.append((f"case_reasons.{reason.id}.label", reason.labels))
        for sub in reason.sub_reasons.values():
            labelled.append((f"case_reasons.{reason.id}.sub_reasons.{sub.id}.label", sub.labels))
    wanted = [(key, labels) for key, labels in labelled if labels.get(default)]
    missing = [key for key, labels in wanted if not labels.get(lang)]
    return Check("Taxonomy labels", len(wanted) - len(missing), len(wanted), missing)
