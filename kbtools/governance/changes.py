"""Change digests: what readers of one site and language would notice changed since a date or a commit.

The weekly rollout note enablement sends to partner agents: new, updated and removed articles and macros,
grouped by category, each with its title, a one-line summary of the change and a link to its page. New and
removed are as a reader sees them: publishing a draft makes a page new, archiving it or making it internal
removes it. An edit readers cannot see (only the review date, the owner or `source_commit`; for the public,
only an agent-only block) is left out.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

from jinja2 import Environment, PackageLoader

from kbtools.model.content import ContentSet, Document, parse_document
from kbtools.model.durations import parse_interval
from kbtools.model.errors import ContentError, UsageError
from kbtools.model.history import Commit, read_history
from kbtools.model.project import CONTENT_DIR
from kbtools.model.publishing import absolute_url, is_visible, published, visible_lines
from kbtools.model.taxonomy import Taxonomy
from kbtools.model.vcs import Repository
from kbtools.model.vocabulary import Audience, ContentType, Status

KINDS = ("new", "updated", "removed")
FORMATS = ("md", "html", "json")
_READER_FIELDS = ("title", "summary", "type", "category", "tags", "keywords", "case_reason", "actions")
_MAX_SUBJECTS = 3


@dataclass(frozen=True)
class Since:
    base: str | None  # the commit the digest compares with; None when the history starts after the date
    label: str  # how the user named it: "2026-11-15" or "abc1234"


def resolve_since(repository: Repository, text: str, today: date) -> Since:
    """`7d`, `2w`... (before `today`), a date `YYYY-MM-DD`, or any git revision."""
    start: date | None = None
    try:
        start = parse_interval(text).before(today)
    except ValueError:
        with contextlib.suppress(ValueError):
            start = date.fromisoformat(text)
    if start is not None:
        base = repository.commit_before(datetime.combine(start, time.min, tzinfo=UTC))
        if base is None and repository.shallow:
            # Without the commits before the date every page would look new.
            raise UsageError(
                f"this shallow clone's history starts after {start}: fetch it with "
                f"'git fetch --shallow-since={start}', or give a later --since"
            )
        return Since(base, start.isoformat())
    return Since(repository.resolve(text), text)


@dataclass(frozen=True)
class Change:
    kind: str  # new, updated or removed
    doc: Document  # as it is now; for a removed page, as it was
    summary: str
    url: str | None  # None for a removed page
    uncommitted: bool = False


@dataclass
class Digest:
    since: Since
    audience: str
    lang: str
    base_commit: Commit | None
    head: str | None
    changes: list[Change] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for change in self.changes if change.kind == kind)

    def by_category(self, taxonomy: Taxonomy) -> list[tuple[str, list[Change]]]:
        """(category label, changes) in taxonomy order; in each, new then updated then removed, by title."""
        order = list(taxonomy.categories)
        groups: dict[str, list[Change]] = {}
        for change in self.changes:
            groups.setdefault(change.doc.category, []).append(change)
        result = []
        for category in sorted(groups, key=lambda c: (order.index(c) if c in order else len(order), c)):
            label = taxonomy.label(taxonomy.categories[category].labels, self.lang) if category in order else category
            items = sorted(groups[category], key=lambda c: (KINDS.index(c.kind), c.doc.title.lower()))
            result.append((label, items))
        return result


def build_digest(
    repository: Repository,
    content: ContentSet,
    taxonomy: Taxonomy,
    since: Since,
    audience: str,
    lang: str,
    base_url: str,
) -> Digest:
    folder = f"{CONTENT_DIR}/{lang}"
    history = read_history(repository.root, revisions=f"{since.base}..HEAD" if since.base else "HEAD")
    base_commit = None
    if since.base:
        date_of = repository.commit_date(since.base)
        base_commit = Commit(since.base, date_of, "", "", "")
    digest = Digest(since, audience, lang, base_commit, history.head)
    shown = {doc.rel for doc in published(content, taxonomy, audience, lang)}
    dirty = repository.modified(folder)
    default = content.default_language
    for status, path, old_path, before in _entries(repository, since, folder, lang, content):
        rel = path.removeprefix(f"{folder}/")
        now = content.get(lang, rel) if status != "D" and rel in shown else None
        was_shown = before is not None and is_visible(before, audience, taxonomy)
        commits = history.commits_of(path)
        uncommitted = path in dirty
        if now is not None and not was_shown:
            summary = now.summary or (commits[0].subject if commits else "")
            kind = "new"
        elif now is None and was_shown and before is not None:
            reason = _removal_reason(content.get(lang, rel), audience, taxonomy)
            removed_by = _subjects(history.commits_named(path))
            digest.changes.append(Change("removed", before, _join(reason, removed_by), None, uncommitted))
            continue
        elif now is not None and before is not None:
            moved = old_path.removeprefix(f"{folder}/") if old_path and old_path != path else None
            if moved is None and _reader_view(before, audience) == _reader_view(now, audience):
                continue  # a moved page keeps its place in the digest: its address changed
            summary = _update_summary(before, now, commits, moved, uncommitted)
            kind = "updated"
        else:
            continue
        url = absolute_url(base_url, audience, now, default)
        digest.changes.append(Change(kind, now, summary, url, uncommitted))
    return digest


def _entries(
    repository: Repository, since: Since, folder: str, lang: str, content: ContentSet
) -> list[tuple[str, str, str | None, Document | None]]:
    """(status, path, old path, document at the base) of each changed page.

    git pairs a deleted file with a similar new one as a rename; a "rename" that changed the page's id is
    a page removed and another added, and is reported as such.
    """
    entries: list[tuple[str, str, str | None, Document | None]] = []
    for status, path, old_path in repository.changed_since(since.base, folder):
        if not path.endswith(".md"):
            continue
        before = None
        if since.base and status != "A":
            before = _document_at(repository, since.base, old_path or path, lang, folder)
        now = content.get(lang, path.removeprefix(f"{folder}/"))
        if status == "R" and old_path and before is not None and (now is None or now.id != before.id):
            entries.append(("D", old_path, None, before))
            entries.append(("A", path, None, None))
        else:
            entries.append((status, path, old_path, before))
    return entries


def _document_at(repository: Repository, revision: str, path: str, lang: str, folder: str) -> Document | None:
    text = repository.read_file(revision, path)
    if text is None:
        return None
    try:
        return parse_document(text, Path(repository.root / path), lang, path.removeprefix(f"{folder}/"))
    except ContentError:
        return None


def _reader_view(doc: Document, audience: str) -> tuple[object, ...]:
    """Everything a reader of `audience` sees of a page; equal views mean nothing worth announcing."""
    body = "\n".join(text for _, text in visible_lines(doc, audience)).strip()
    return (*(repr(doc.meta.get(key)) for key in _READER_FIELDS), body)


def _subjects(commits: list[Commit]) -> str:
    subjects: list[str] = []
    for commit in commits:
        if commit.subject not in subjects:
            subjects.append(commit.subject)
    shown = "; ".join(subjects[:_MAX_SUBJECTS])
    more = len(subjects) - _MAX_SUBJECTS
    return f"{shown}; and {more} more change{'s' * (more != 1)}" if more > 0 else shown


def _join(*parts: str) -> str:
    """Sentences from parts: 'Deleted' and 'retire the page' -> 'Deleted. Retire the page.'"""
    kept = [part.rstrip(".") for part in parts if part]
    return " ".join(f"{part[0].upper()}{part[1:]}." for part in kept)


def _sections(doc: Document) -> list[str]:
    return [heading.text for heading in doc.outline.headings if heading.level <= 3]


def _update_summary(
    before: Document, now: Document, commits: list[Commit], moved: str | None, uncommitted: bool
) -> str:
    notes = []
    if before.title != now.title:
        notes.append(f'was "{before.title}"')
    added = [s for s in _sections(now) if s not in _sections(before)]
    removed = [s for s in _sections(before) if s not in _sections(now)]
    if added:
        notes.append(f"new section{'s' * (len(added) > 1)}: {', '.join(added)}")
    if removed:
        notes.append(f"section{'s' * (len(removed) > 1)} removed: {', '.join(removed)}")
    if moved:
        notes.append(f"moved from {moved}")
    what = _subjects(commits) or ("edited, not yet committed" if uncommitted else "edited")
    return _join(what, "; ".join(notes))


def _removal_reason(now: Document | None, audience: str, taxonomy: Taxonomy) -> str:
    if now is None:
        return "Deleted"
    if now.status != Status.PUBLISHED:
        return f"Now {now.status}"
    if audience == Audience.PUBLIC and not is_visible(now, audience, taxonomy):
        return "Now for agents only"
    return "No longer published"


# Rendering -------------------------------------------------------------------------------------------

# Whole lines for block tags (trim and lstrip), the file's last line break kept: the page reads as it is written
_TEMPLATES = Environment(
    loader=PackageLoader("kbtools", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_KIND_LABELS = {"new": "New", "updated": "Updated", "removed": "Removed"}


def _heading(digest: Digest, taxonomy: Taxonomy) -> tuple[str, str]:
    site = "Agent wiki" if digest.audience == Audience.INTERNAL else "Public help center"
    language = next((lang.name for lang in taxonomy.languages if lang.code == digest.lang), digest.lang)
    title = f"Knowledge-base changes since {digest.since.label}"
    counts = ", ".join(f"{digest.count(kind)} {kind}" for kind in KINDS)
    span = ""
    if digest.base_commit is not None:
        span = f" Compared with {digest.base_commit.short} ({digest.base_commit.date.date()})"
        span += f" up to {digest.head[:7]}." if digest.head else "."
    return title, f"{site}, {language}: {counts}.{span}"


def _kind(change: Change) -> str:
    kind = _KIND_LABELS[change.kind]
    return f"{kind} macro" if change.doc.type == ContentType.MACRO else kind


def render_markdown(digest: Digest, taxonomy: Taxonomy) -> str:
    title, intro = _heading(digest, taxonomy)
    lines = [f"# {title}", "", intro, ""]
    if not digest.changes:
        lines.append("No change readers would notice.")
    for label, changes in digest.by_category(taxonomy):
        lines += [f"## {label}", ""]
        for change in changes:
            name = f"[{change.doc.title}]({change.url})" if change.url else change.doc.title
            summary = f": {change.summary}" if change.summary else ""
            lines.append(f"- **{_kind(change)}** {name}{summary}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_html(digest: Digest, taxonomy: Taxonomy) -> str:
    """The digest as an e-mail-ready page, from templates/changes/digest.html (autoescaped)."""
    title, intro = _heading(digest, taxonomy)
    categories = [
        (
            label,
            [{"kind": _kind(c), "title": c.doc.title, "url": c.url, "summary": c.summary} for c in changes],
        )
        for label, changes in digest.by_category(taxonomy)
    ]
    template = _TEMPLATES.get_template("changes/digest.html")
    return template.render(lang=digest.lang, title=title, intro=intro, changes=digest.changes, categories=categories)


def as_dict(digest: Digest, taxonomy: Taxonomy) -> dict[str, object]:
    return {
        "since": digest.since.label,
        "base_commit": digest.base_commit.sha if digest.base_commit else None,
        "head": digest.head,
        "audience": digest.audience,
        "lang": digest.lang,
        "counts": {kind: digest.count(kind) for kind in KINDS},
        "categories": [
            {
                "label": label,
                "changes": [
                    {
                        "kind": c.kind,
                        "id": c.doc.id,
                        "type": c.doc.type,
                        "title": c.doc.title,
                        "path": f"{c.doc.lang}/{c.doc.rel}",
                        "summary": c.summary,
                        "url": c.url,
                        "uncommitted": c.uncommitted,
                    }
                    for c in changes
                ],
            }
            for label, changes in digest.by_category(taxonomy)
        ],
    }


def render_digest(digest: Digest, taxonomy: Taxonomy, fmt: str) -> str:
    """`kb changes`' answer in `fmt` (md, html or json), ending with a line break."""
    if fmt == "json":
        return json.dumps(as_dict(digest, taxonomy), indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        return render_html(digest, taxonomy)
    return render_markdown(digest, taxonomy)
