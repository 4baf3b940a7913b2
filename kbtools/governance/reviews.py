"""When a page is due for review: `review_by`, else `reviewed` plus its interval."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from kbtools.model.content import Document
from kbtools.model.durations import Interval, parse_interval
from kbtools.model.taxonomy import Taxonomy

DEFAULT_INTERVAL = Interval(days=365, text="365d")


def review_interval(doc: Document, taxonomy: Taxonomy) -> Interval:
    value = doc.meta.get("review_interval")
    if value is not None:
        try:
            return parse_interval(value)
        except ValueError:
            pass  # lint reports the bad value; fall back to the type's interval
    return taxonomy.review_intervals.get(doc.type, DEFAULT_INTERVAL)


def review_due(doc: Document, taxonomy: Taxonomy) -> date | None:
    """The date the page must be reviewed by, or None when it has no valid review date."""
    review_by = doc.meta.get("review_by")
    if isinstance(review_by, date):
        return review_by
    if doc.reviewed is None:
        return None
    return review_interval(doc, taxonomy).after(doc.reviewed)


ViewCounts = dict[tuple[str, str], int]  # (article id, lang) -> views


@dataclass(frozen=True)
class ReviewItem:
    doc: Document
    due: date
    days_overdue: int  # negative: days left before the due date
    views: int | None = None  # None when no view counts were given

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0

    @property
    def score(self) -> int:
        """Views times days overdue: the most-read stale pages first."""
        return (self.views or 0) * max(self.days_overdue, 0)


def review_queue(
    content: Iterable[Document],
    taxonomy: Taxonomy,
    today: date,
    due_within: Interval,
    owner: str | None = None,
    views: ViewCounts | None = None,
) -> list[ReviewItem]:
    """Published pages overdue for review or due by `today + due_within`, most urgent first.

    Overdue pages come first: by views times days overdue when `views` is given, else by days overdue;
    then pages due soon, by due date.
    """
    horizon = due_within.after(today)
    items = []
    for doc in content:
        if not doc.is_published or (owner and doc.owner != owner):
            continue
        due = review_due(doc, taxonomy)
        if due is None or due > horizon:
            continue
        count = views.get((doc.id, doc.lang), 0) if views is not None else None
        items.append(ReviewItem(doc, due, (today - due).days, count))
    overdue = [item for item in items if item.overdue]
    soon = [item for item in items if not item.overdue]
    overdue.sort(key=lambda i: (-i.score, -i.days_overdue, i.doc.lang, i.doc.rel))
    soon.sort(key=lambda i: (i.due, i.doc.lang, i.doc.rel))
    return overdue + soon


def by_owner(items: list[ReviewItem], taxonomy: Taxonomy) -> list[tuple[str, list[ReviewItem]]]:
    """Items grouped by owning team (the team's name), teams in taxonomy order, order kept inside."""
    order = list(taxonomy.teams)
    groups: dict[str, list[ReviewItem]] = {}
    for item in items:
        groups.setdefault(item.doc.owner, []).append(item)
    ranked = sorted(groups, key=lambda team: (order.index(team) if team in order else len(order), team))
    return [(taxonomy.teams[t].name if t in taxonomy.teams else t or "(no owner)", groups[t]) for t in ranked]


@dataclass(frozen=True)
class ReviewReport:
    """`kb review`'s answer: the queue, grouped by owner, as text, Markdown (a weekly ticket) or JSON."""

    items: list[ReviewItem]
    groups: list[tuple[str, list[ReviewItem]]]
    today: date
    due_within: Interval
    ranked_by_views: bool  # whether view counts were read

    @property
    def _ranking(self) -> str:
        return "views x days overdue" if self.ranked_by_views else "days overdue"

    @property
    def _overdue(self) -> int:
        return sum(1 for item in self.items if item.overdue)

    def as_json(self) -> str:
        payload = [
            {
                "owner": item.doc.owner,
                "path": f"{item.doc.lang}/{item.doc.rel}",
                "id": item.doc.id,
                "title": item.doc.title,
                "due": item.due.isoformat(),
                "days_overdue": item.days_overdue,
                "views": item.views,
                "score": item.score if self.ranked_by_views else None,
            }
            for item in self.items
        ]
        return json.dumps(payload, indent=2, ensure_ascii=False)

    def as_markdown(self) -> str:
        overdue = self._overdue
        lines = [f"## Content review, {self.today}\n"]
        lines.append(
            f"{overdue} overdue, {len(self.items) - overdue} due within {self.due_within}; ranked by {self._ranking}.\n"
        )
        for team, team_items in self.groups:
            lines.append(f"### {team}\n")
            for item in team_items:
                seen = f", {item.views} views" if item.views is not None else ""
                lines.append(
                    f"- [ ] **{item.doc.title}** (`content/{item.doc.lang}/{item.doc.rel}`): {_state(item)}{seen}"
                )
            lines.append("")
        if not self.items:
            lines.append("Nothing is due.")
        return "\n".join(lines)

    def as_text(self) -> str:
        lines = []
        for team, team_items in self.groups:
            lines.append(team)
            for item in team_items:
                seen = f"  {item.views} views" if item.views is not None else ""
                lines.append(f"  {item.doc.lang}/{item.doc.rel}  {_state(item)}{seen}")
        overdue = self._overdue
        lines.append(
            f"{overdue} overdue, {len(self.items) - overdue} due within {self.due_within} (ranked by {self._ranking})"
        )
        return "\n".join(lines)

    def render(self, fmt: str) -> str:
        return {"json": self.as_json, "md": self.as_markdown, "text": self.as_text}[fmt]()


def _state(item: ReviewItem) -> str:
    days, due = item.days_overdue, item.due
    if days > 0:
        return f"overdue {days} day{'s' * (days != 1)} (due {due})"
    return "due today" if days == 0 else f"due in {-days} day{'s' * (days != -1)} ({due})"


# Macros by customer satisfaction ----------------------------------------------------------------------


@dataclass(frozen=True)
class MacroReviewItem:
    """A macro in one language with its outcomes over the window read (`kbtools.analytics.outcomes` figures)."""

    doc: Document
    uses: int
    rated: int
    satisfied: int
    lower_bound: float  # Wilson 95% lower bound of the satisfaction rate
    reopened: int
    median_handle_seconds: float | None


def macro_ranking(content: Iterable[Document], outcomes: Iterable[dict], min_rated: int) -> list[MacroReviewItem]:
    """Published macros with at least `min_rated` rated tickets, least satisfying first: lowest Wilson lower bound
    of the satisfaction rate (a macro with few ratings is not blamed on one bad one), then most used."""
    docs = {(doc.id, doc.lang): doc for doc in content if doc.type == "macro" and doc.is_published}
    items = [
        MacroReviewItem(
            docs[(row["macro"], row["lang"])],
            row["uses"],
            row["rated"],
            row["satisfied"],
            row["satisfaction_lower_bound"],
            row["reopened"],
            row["median_handle_seconds"],
        )
        for row in outcomes
        if (row["macro"], row["lang"]) in docs and row["rated"] >= max(min_rated, 1)
    ]
    return sorted(items, key=lambda i: (i.lower_bound, -i.uses, i.doc.lang, i.doc.rel))


def _macro_line(item: MacroReviewItem) -> str:
    handle = (
        f", median handle {item.median_handle_seconds / 60:.0f} min" if item.median_handle_seconds is not None else ""
    )
    return (
        f"{item.satisfied}/{item.rated} satisfied (lower bound {item.lower_bound:.0%}), "
        f"{item.reopened} of {item.uses} reopened{handle}"
    )


@dataclass(frozen=True)
class MacroReview:
    """`kb review --macros`: macros to rewrite first, as text, Markdown or JSON."""

    items: list[MacroReviewItem]
    today: date
    days: int
    min_rated: int

    def as_json(self) -> str:
        payload = [
            {
                "owner": item.doc.owner,
                "path": f"{item.doc.lang}/{item.doc.rel}",
                "id": item.doc.id,
                "lang": item.doc.lang,
                "title": item.doc.title,
                "uses": item.uses,
                "rated": item.rated,
                "satisfied": item.satisfied,
                "satisfaction_lower_bound": item.lower_bound,
                "reopened": item.reopened,
                "median_handle_seconds": item.median_handle_seconds,
            }
            for item in self.items
        ]
        return json.dumps(payload, indent=2, ensure_ascii=False)

    @property
    def _scope(self) -> str:
        return f"last {self.days} days, at least {self.min_rated} rated tickets; lowest satisfaction lower bound first"

    def as_markdown(self) -> str:
        lines = [f"## Macros to review, {self.today}\n", f"{len(self.items)} macros ({self._scope}).\n"]
        lines += [
            f"- [ ] **{item.doc.title}** (`content/{item.doc.lang}/{item.doc.rel}`): {_macro_line(item)}"
            for item in self.items
        ]
        if not self.items:
            lines.append("No macro has enough rated tickets yet.")
        return "\n".join(lines)

    def as_text(self) -> str:
        lines = [f"{item.doc.lang}/{item.doc.rel}  {_macro_line(item)}" for item in self.items]
        lines.append(f"{len(self.items)} macros ({self._scope})")
        return "\n".join(lines)

    def render(self, fmt: str) -> str:
        return {"json": self.as_json, "md": self.as_markdown, "text": self.as_text}[fmt]()
