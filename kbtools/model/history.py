"""Git history of the content, read in one `git log` pass (one process for the whole tree).

Used for "last updated" on every page, outdated translations, article history and change digests.
Asking GitPython for each file's commits costs a git process per file (see bench/history_bench.py);
one `git log --raw` pass over the whole content folder is read here instead, through GitPython's command
runner, so every consumer shares a `ContentHistory`. Renames are followed: the commits of a file's
older names are filed under its name today.
"""

from __future__ import annotations

import json
import pickle
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from kbtools.model.vcs import NotAGitRepositoryError, Repository, open_repository

__all__ = [
    "Commit",
    "ContentHistory",
    "FileChange",
    "NotAGitRepositoryError",
    "read_history",
    "require_repository",
]

_RECORD = "\x1e"
_FIELD = "\x1f"
_FORMAT = f"{_RECORD}%H{_FIELD}%at{_FIELD}%an{_FIELD}%ae{_FIELD}%s"
_PREFIX_LENGTH = 7  # shortest commit id accepted in source_commit


UNCOMMITTED = "uncommitted"


@dataclass(frozen=True)
class Commit:
    sha: str
    date: datetime
    author: str
    email: str
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:7]


@dataclass(frozen=True)
class FileChange:
    """One commit's change to one file: how (A, M, D, R), under which name, and how many lines."""

    commit: Commit
    status: str
    path: str  # the file's name in that commit, relative to the kb root
    old_path: str | None = None  # the name before, for a rename
    added: int | None = None  # None when lines were not read, or for a binary file
    deleted: int | None = None


@dataclass
class ContentHistory:
    """Commits touching content/, newest first, and for each current path the commits that changed it."""

    root: Path
    commits: list[Commit] = field(default_factory=list)
    changes: dict[str, list[int]] = field(default_factory=dict)  # kb-relative path -> commit indexes
    shallow: bool = False
    head: str | None = None
    entries: dict[str, list[FileChange]] = field(default_factory=dict)  # same keys as `changes`
    repository: Repository | None = field(default=None, repr=False)
    _positions: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _prefixes: dict[str, list[int]] = field(default_factory=dict, init=False, repr=False)

    @property
    def is_repository(self) -> bool:
        return self.head is not None

    def _index(self, sha: str) -> int | None:
        if len(self._positions) != len(self.commits):
            self._positions = {c.sha: i for i, c in enumerate(self.commits)}
            self._prefixes = defaultdict(list)
            for i, c in enumerate(self.commits):
                self._prefixes[c.sha[:_PREFIX_LENGTH]].append(i)
        sha = sha.lower()
        found = self._positions.get(sha)
        if found is None and _PREFIX_LENGTH <= len(sha) < 40:
            candidates = [
                i for i in self._prefixes.get(sha[:_PREFIX_LENGTH], []) if self.commits[i].sha.startswith(sha)
            ]
            found = candidates[0] if len(candidates) == 1 else None
        return found

    def commits_of(self, rel_path: str) -> list[Commit]:
        """Commits that changed the file now at `rel_path` (relative to the kb root), newest first."""
        return [self.commits[i] for i in self.changes.get(rel_path, [])]

    def file_changes(self, rel_path: str) -> list[FileChange]:
        """Each change to the file now at `rel_path`, newest first, with its name then and lines changed."""
        return list(self.entries.get(rel_path, []))

    def names_of(self, rel_path: str) -> list[str]:
        """Every name the file now at `rel_path` had in the history read, its current name first."""
        names = [rel_path]
        for change in self.entries.get(rel_path, []):
            for name in (change.path, change.old_path):
                if name and name not in names:
                    names.append(name)
        return names

    def commits_named(self, name: str) -> list[Commit]:
        """Commits that changed a file while it was called `name`: a deleted file, or an older name."""
        found = {
            change.commit.sha: change.commit
            for changes in self.entries.values()
            for change in changes
            if name in (change.path, change.old_path)
        }
        return sorted(found.values(), key=lambda commit: self._index(commit.sha) or 0)

    def last_change(self, rel_path: str) -> Commit | None:
        indexes = self.changes.get(rel_path)
        return self.commits[indexes[0]] if indexes else None

    def version(self, rel_path: str) -> str:
        """The version a page is published as: the short id of its last commit, or 'uncommitted'.

        The sites, the search index and the exports all stamp pages with it, so the service's
        per-version statistics group the events they send under one value.
        """
        commit = self.last_change(rel_path)
        return commit.short if commit else UNCOMMITTED

    def resolve(self, sha: str) -> Commit | None:
        index = self._index(sha)
        return self.commits[index] if index is not None else None

    def changes_since(self, rel_path: str, sha: str) -> list[Commit] | None:
        """Commits to `rel_path` made after commit `sha`; None when `sha` is not in the history read."""
        since = self._index(sha)
        if since is None:
            return None
        return [self.commits[i] for i in self.changes.get(rel_path, []) if i < since]


def read_history(
    root: Path, subdir: str = "content", *, revisions: str | None = None, lines: bool = False
) -> ContentHistory:
    """History of `root/subdir`; an empty history (is_repository False) outside a git work tree.

    `revisions` limits it to a range such as `abc123..HEAD` (default: everything reachable from HEAD);
    `lines` also counts the lines each commit added and deleted per file (slower: git diffs every file).
    """
    repository = open_repository(root)
    if repository is None:
        return ContentHistory(root.resolve())
    history = ContentHistory(repository.root, shallow=repository.shallow, repository=repository)
    history.head = repository.head()
    if history.head is None:  # a repository with no commit yet
        return history
    stats = ["--numstat"] if lines else []
    output = repository.git(
        "log",
        "-z",
        "--raw",
        *stats,
        "-M",
        "--topo-order",
        "--no-color",
        f"--format={_FORMAT}",
        revisions or "HEAD",
        "--",
        repository.to_git(subdir),
    )
    _parse(output, repository.prefix, history)
    return history


def save_history(history: ContentHistory, path: Path) -> None:
    """Write `history` for other processes of the same build (see `load_history`), without its repository."""
    path.write_bytes(pickle.dumps(replace(history, repository=None), protocol=pickle.HIGHEST_PROTOCOL))


def load_history(path: Path) -> ContentHistory:
    """A history written by `save_history`: a kb build reads git once and hands it to every site process.

    pickle is safe here only because the file is written by the build that started this process, into its
    own staging folder; never point this at a file from elsewhere.
    """
    history = pickle.loads(path.read_bytes())
    if not isinstance(history, ContentHistory):
        raise TypeError(f"{path} does not hold a content history")
    return history


def _parse(output: str, prefix: str, history: ContentHistory) -> None:
    alias: dict[str, str] = {}  # an older name -> the file's name today (renames, newest first)
    for record in output.split(_RECORD)[1:]:
        header, _, body = record.partition("\0")
        sha, timestamp, author, email, subject = header.split(_FIELD, 4)
        commit = Commit(sha, datetime.fromtimestamp(int(timestamp), UTC), author, email, subject)
        index = len(history.commits)
        history.commits.append(commit)
        raw, counts = _entries(body.split("\0"))
        for status, git_paths in raw:
            added, deleted = counts.get(git_paths[-1], (None, None))
            paths = [p.removeprefix(prefix) for p in git_paths]
            newest = paths[-1]
            current = alias.get(newest, newest)
            old = paths[0] if len(paths) == 2 else None
            if status == "R" and old is not None:
                alias[old] = current
            history.changes.setdefault(current, []).append(index)
            history.entries.setdefault(current, []).append(FileChange(commit, status, newest, old, added, deleted))


def _entries(tokens: list[str]) -> tuple[list[tuple[str, list[str]]], dict[str, tuple[int | None, int | None]]]:
    """`--raw` entries (status, paths) and `--numstat` counts by path from one commit's -z output."""
    raw: list[tuple[str, list[str]]] = []
    counts: dict[str, tuple[int | None, int | None]] = {}
    index = 0
    while index < len(tokens):
        token = tokens[index].lstrip("\n")
        if not token:
            index += 1
        elif token.startswith(":"):  # ":100644 100644 abc def M" then one path, two for R and C
            status = token.rsplit(" ", 1)[-1][:1]
            width = 2 if status in "RC" else 1
            raw.append((status, tokens[index + 1 : index + 1 + width]))
            index += 1 + width
        else:  # "added\tdeleted\tpath", or "added\tdeleted\t" then old and new paths for a rename
            added, deleted, path = token.split("\t", 2)
            if not path:
                path = tokens[index + 2]
                index += 3
            else:
                index += 1
            counts[path] = (int(added) if added.isdigit() else None, int(deleted) if deleted.isdigit() else None)
    return raw, counts


def require_repository(history: ContentHistory) -> ContentHistory:
    if not history.is_repository:
        raise NotAGitRepositoryError(
            f"{history.root} is not in a git repository with at least one commit "
            "(kb reads the content's history from git: run 'git init' and commit the content first)"
        )
    return history


@dataclass(frozen=True)
class PageHistory:
    """`kb history`'s answer for one page: its commits, renames followed, as text or JSON."""

    path: str  # content/<lang>/<rel>
    id: str
    title: str
    changes: list[FileChange]
    uncommitted: bool  # the file has changes that are not committed
    shallow: bool  # a shallow clone: older commits are not here

    def render(self, fmt: str) -> str:
        return self.as_json() if fmt == "json" else self.as_text()

    def as_json(self) -> str:
        payload = {
            "path": self.path,
            "id": self.id,
            "title": self.title,
            "uncommitted_changes": self.uncommitted,
            "commits": [
                {
                    "sha": c.commit.sha,
                    "date": c.commit.date.isoformat(),
                    "author": c.commit.author,
                    "email": c.commit.email,
                    "message": c.commit.subject,
                    "status": c.status,
                    "path": c.path,
                    "renamed_from": c.old_path,
                    "added": c.added,
                    "deleted": c.deleted,
                }
                for c in self.changes
            ],
        }
        return json.dumps(payload, indent=2, ensure_ascii=False)

    def as_text(self) -> str:
        lines = [f'{self.path}  {self.id}: "{self.title}"']
        if self.uncommitted:
            lines.append("  (the file has changes that are not committed)")
        changes = self.changes
        if not changes:
            lines.append("  never committed" if not self.shallow else "  no commit in this shallow clone's history")
            return "\n".join(lines)
        width = max(len(c.commit.author) for c in changes)
        for change in changes:
            counted = f"+{change.added} -{change.deleted}" if change.added is not None else "binary"
            renamed = f"  (renamed from {change.old_path})" if change.old_path else ""
            lines.append(
                f"{change.commit.date.date()}  {change.commit.short}  {change.commit.author:<{width}}  {counted:>11}  "
                f"{change.commit.subject}{renamed}"
            )
        authors = len({c.commit.author for c in changes})
        note = " (shallow clone: older commits are not here)" if self.shallow else ""
        lines.append(f"{len(changes)} commit{'s' * (len(changes) != 1)}, {authors} author{'s' * (authors != 1)}{note}")
        return "\n".join(lines)
