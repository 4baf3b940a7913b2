"""When a page is due for review: `review_by`, else `reviewed` plus its interval."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from kbtools.content import Document
from kbtools.durations import Interval, parse_interval
from kbtools.taxonomy import Taxonomy

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
