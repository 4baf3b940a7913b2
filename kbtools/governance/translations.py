"""Translation state of a page: up to date, outdated, missing, orphaned or untracked.

One definition used by `kb lint`, the site's outdated-translation banner and `kb translations`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum

from kbtools.model.content import ContentSet, Document
from kbtools.model.errors import UsageError
from kbtools.model.experiments import is_variant
from kbtools.model.files import write_atomically
from kbtools.model.history import Commit, ContentHistory, require_repository
from kbtools.model.project import CONTENT_DIR
from kbtools.model.vcs import Repository
from kbtools.model.vocabulary import INTERNAL_ONLY_TYPES, MARKET_TYPES


class State(StrEnum):
    UP_TO_DATE = "up-to-date"
    OUTDATED = "outdated"  # the source changed after the translation's source_commit
    MISSING = "missing"  # no file in the target language
    ORPHANED = "orphaned"  # a translation with no source file
    UNTRACKED = "untracked"  # no source_commit, or a commit outside the history we have (shallow clone)


@dataclass(frozen=True)
class TranslationState:
    rel: str
    lang: str
    state: State
    commits_behind: int = 0
    days_behind: int = 0
    source_commit: str | None = None
    latest_source_change: Commit | None = None
    counterpart: str | None = None  # missing or orphaned: where the page with the same id is (a rename)

    def describe(self, source_lang: str) -> str:
        """One line a translator understands: what is wrong and what to do."""
        if self.state is State.OUTDATED:
            latest = self.latest_source_change
            last = f'; latest {latest.date.date()} by {latest.author}: "{latest.subject}"' if latest else ""
            commits = f"{self.commits_behind} commit{'s' * (self.commits_behind != 1)}"
            return (
                f"the {source_lang} source changed in {commits} since source_commit {self.source_commit} "
                f"({self.days_behind} days behind{last})"
            )
        if self.state is State.UNTRACKED:
            if self.source_commit:
                return (
                    f"source_commit {self.source_commit} is not in the history read (shallow clone or unknown commit)"
                )
            return "no source_commit: cannot tell whether the source changed"
        if self.state is State.MISSING:
            if self.counterpart:
                return f"no {self.lang}/{self.rel}: {moved_hint(self.lang, self.counterpart, self.rel)}"
            return f"not translated yet (no {self.lang}/{self.rel})"
        if self.state is State.ORPHANED:
            if self.counterpart:
                return f"no {source_lang}/{self.rel}: {moved_hint(self.lang, self.rel, self.counterpart)}"
            return f"no {source_lang}/{self.rel} to translate from"
        return f"up to date with source_commit {self.source_commit}"


def moved_hint(lang: str, translation_rel: str, source_rel: str) -> str:
    """What to do when the source moved to `source_rel` and its translation stayed at `translation_rel`."""
    return (
        f"the source with this id moved to {source_rel}; "
        f"run 'git mv {content_path(lang, translation_rel)} {content_path(lang, source_rel)}'"
    )


def content_path(lang: str, rel: str) -> str:
    """Path of a content file relative to the knowledge-base root, as git reports it."""
    return f"{CONTENT_DIR}/{lang}/{rel}"


def translation_state(content: ContentSet, history: ContentHistory, rel: str, lang: str) -> TranslationState:
    source = content.get(content.default_language, rel)
    translation = content.get(lang, rel)
    if source is None:
        moved = content.misplaced_counterpart(translation, content.default_language) if translation else None
        return TranslationState(rel, lang, State.ORPHANED, counterpart=moved.rel if moved else None)
    if translation is None:
        stayed = content.misplaced_counterpart(source, lang)
        return TranslationState(rel, lang, State.MISSING, counterpart=stayed.rel if stayed else None)
    return _compare(source, translation, history)


def _compare(source: Document, translation: Document, history: ContentHistory) -> TranslationState:
    sha = translation.source_commit
    if not sha:
        return TranslationState(translation.rel, translation.lang, State.UNTRACKED)
    newer = history.changes_since(content_path(source.lang, source.rel), sha)
    if newer is None:
        return TranslationState(translation.rel, translation.lang, State.UNTRACKED, source_commit=sha)
    if not newer:
        return TranslationState(translation.rel, translation.lang, State.UP_TO_DATE, source_commit=sha)
    translated_from = history.resolve(sha)
    latest = newer[0]
    days = (latest.date - translated_from.date).days if translated_from else 0
    return TranslationState(
        translation.rel,
        translation.lang,
        State.OUTDATED,
        commits_behind=len(newer),
        days_behind=max(days, 0),
        source_commit=sha,
        latest_source_change=latest,
    )


def set_source_commit(doc: Document, sha: str) -> None:
    """Record `sha` as the source commit of translation `doc`, editing only that front-matter line."""
    text = doc.path.read_text(encoding="utf-8")
    lines = text.split("\n")
    close = next(i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "..."))
    line = f"source_commit: {sha}"
    existing = next((i for i in range(1, close) if lines[i].startswith("source_commit:")), None)
    if existing is not None:
        lines[existing] = line
    else:
        lines.insert(close, line)
    write_atomically(doc.path, "\n".join(lines))


RECORDED_SHA_LENGTH = 12  # long enough never to be ambiguous, short enough to read


def translation_report(
    content: ContentSet, history: ContentHistory, languages: list[str], include_internal: bool = False
) -> list[TranslationState]:
    """The state of each translation of every published source page (public ones only unless
    `include_internal`), then every orphaned translation, per language."""
    default = content.default_language
    rows: list[TranslationState] = []
    for lang in languages:
        for source in content.in_language(default):
            if source.is_published and (include_internal or source.is_public) and not is_variant(source):
                rows.append(translation_state(content, history, source.rel, lang))
        for doc in content.in_language(lang):
            if content.source_of(doc) is None and (include_internal or doc.is_public):
                rows.append(translation_state(content, history, doc.rel, lang))
    return rows


def needed_by_markets(doc: Document) -> bool:
    """Whether a market needs `doc` in its language: a published page of a type in MARKET_TYPES, public (what
    the help center shows) or of an internal-only type (the replies agents send)."""
    return doc.is_published and doc.type in MARKET_TYPES and (doc.is_public or doc.type in INTERNAL_ONLY_TYPES)


def market_content(content: ContentSet) -> list[Document]:
    """The source-language pages every language needs before go-live, in path order."""
    return [doc for doc in content.in_language(content.default_language) if needed_by_markets(doc)]


def _pair(content: ContentSet, rel: str, lang: str) -> tuple[Document, Document]:
    default = content.default_language
    if lang == default:
        raise UsageError(f"{lang} is the source language; name the language of the translation (--lang)")
    source, translation = content.get(default, rel), content.get(lang, rel)
    if source is None:
        raise UsageError(f"no {default}/{rel}: the translation has no source file")
    if translation is None:
        raise UsageError(f"no {lang}/{rel} yet: copy {default}/{rel} there and translate it first")
    return source, translation


def _repository(history: ContentHistory) -> Repository:
    require_repository(history)
    assert history.repository is not None  # set whenever the history comes from a repository
    return history.repository


def source_diff(content: ContentSet, history: ContentHistory, rel: str, lang: str) -> tuple[TranslationState, str]:
    """The source file's diff since the commit the translation was made from: what to translate."""
    source, translation = _pair(content, rel, lang)
    repository = _repository(history)
    sha = translation.source_commit
    if not sha:
        raise UsageError(
            f"{lang}/{rel} has no source_commit, so kb cannot tell what it was translated from; "
            f"compare it with {source.lang}/{rel}, then record the source with 'kb translations mark'"
        )
    repository.resolve(sha)  # a clean error for an unknown or out-of-reach commit
    state = translation_state(content, history, rel, lang)
    return state, repository.diff(sha, history.names_of(content_path(source.lang, rel)))


def mark_translated(content: ContentSet, history: ContentHistory, rel: str, lang: str) -> Commit:
    """Record the source file's last commit as the translation's source_commit, after translating."""
    source, translation = _pair(content, rel, lang)
    repository = _repository(history)
    path = content_path(source.lang, rel)
    last = history.last_change(path)
    if last is None:
        raise UsageError(f"{path} has never been committed; commit it first, then mark its translation")
    if repository.is_modified(path):
        raise UsageError(f"{path} has changes that are not committed; commit them first, then mark the translation")
    set_source_commit(translation, last.sha[:RECORDED_SHA_LENGTH])
    return last


@dataclass(frozen=True)
class TranslationReport:
    """`kb translations`' answer: each translation language's pages and their state, as text, Markdown or JSON."""

    content: ContentSet
    languages: list[str]  # translation languages, in the taxonomy's order
    rows: list[TranslationState]

    def render(self, fmt: str) -> str:
        if fmt == "json":
            return self.as_json()
        return self.as_markdown() if fmt == "md" else self.as_text()

    def _title(self, rel: str, code: str) -> str:
        doc = self.content.get(self.content.default_language, rel) or self.content.get(code, rel)
        return doc.title if doc else rel

    def _by_language(self) -> list[tuple[str, list[TranslationState], str]]:
        found = []
        for code in self.languages:
            mine = [row for row in self.rows if row.lang == code]
            found.append((code, mine, ", ".join(f"{sum(1 for r in mine if r.state is s)} {s}" for s in State)))
        return found

    def as_json(self) -> str:
        payload = [
            {
                "path": row.rel,
                "lang": row.lang,
                "title": self._title(row.rel, row.lang),
                "state": str(row.state),
                "commits_behind": row.commits_behind,
                "days_behind": row.days_behind,
                "source_commit": row.source_commit,
                "latest_source_change": row.latest_source_change.sha if row.latest_source_change else None,
            }
            for row in self.rows
        ]
        return json.dumps(payload, indent=2, ensure_ascii=False)

    def as_markdown(self) -> str:
        default = self.content.default_language
        lines = []
        for code, mine, counts in self._by_language():
            lines.append(f"## {code}: {counts}\n\n| State | Page | Title | Details |\n|---|---|---|---|")
            lines += [f"| {r.state} | `{r.rel}` | {self._title(r.rel, code)} | {r.describe(default)} |" for r in mine]
            lines.append("")
        return "\n".join(lines)

    def as_text(self) -> str:
        default = self.content.default_language
        lines = []
        for code, mine, counts in self._by_language():
            lines.append(f"{code}: {counts}")
            lines += [f"  {row.state:<10}  {row.rel}  {row.describe(default)}" for row in mine]
        return "\n".join(lines)
