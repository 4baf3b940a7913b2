"""The git repository a knowledge base lives in: found once, every git command run through GitPython.

The knowledge base may be the whole repository or a folder inside it (`prefix`); paths given to and
returned by this module are relative to the knowledge-base root, as `content/en/cards/x.md`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kbtools.model.errors import KbError, UsageError

if TYPE_CHECKING:  # GitPython is imported when a repository is opened, so `kb lint` starts fast without it
    import git


class NotAGitRepositoryError(KbError):
    """The knowledge base is not inside a git work tree (or it has no commit yet)."""


def work_tree_top(root: Path) -> Path | None:
    """The top of the git work tree holding `root`, found without running git (a `.git` entry above)."""
    root = root.resolve()
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            return folder
    return None


@dataclass
class Repository:
    root: Path  # the knowledge-base root
    top: Path  # the work tree's top folder
    repo: git.Repo

    @property
    def prefix(self) -> str:
        """The knowledge base's folder inside the repository, '' or ending with '/'."""
        rel = self.root.relative_to(self.top).as_posix()
        return "" if rel == "." else f"{rel}/"

    @property
    def shallow(self) -> bool:
        return os.path.exists(os.path.join(self.repo.common_dir, "shallow"))

    def head(self) -> str | None:
        try:
            return self.repo.head.commit.hexsha
        except ValueError:  # no commit yet
            return None

    def to_git(self, kb_path: str) -> str:
        return f"{self.prefix}{kb_path}"

    def from_git(self, git_path: str) -> str | None:
        """A path as git reports it (from the top), relative to the kb root; None outside the kb."""
        if not git_path.startswith(self.prefix):
            return None
        return git_path[len(self.prefix) :]

    def git(self, *args: str) -> str:
        """Run `git ARGS` at the top of the work tree; a failing command becomes a clean KbError."""
        import git

        try:
            return str(self.repo.git.execute(["git", *args]))
        except git.GitCommandError as exc:
            detail = (exc.stderr or "").strip().removeprefix("stderr:").strip(" '\n") or str(exc)
            raise KbError(f"git {args[0]} failed: {detail}") from None

    def resolve(self, revision: str) -> str:
        """The full id of the commit `revision` names (a sha, a tag, HEAD~3...); UsageError when none."""
        import git

        try:
            return self.repo.git.execute(["git", "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"])
        except git.GitCommandError:
            hint = " (this is a shallow clone: older commits are not here)" if self.shallow else ""
            raise UsageError(f"'{revision}' is not a commit in this repository{hint}") from None

    def commit_before(self, moment: datetime) -> str | None:
        """The newest commit on the current branch made before `moment`; None when the history starts later."""
        found = self.git("rev-list", "-1", "--first-parent", f"--before={int(moment.timestamp())}", "HEAD")
        return found or None

    def commit_date(self, sha: str) -> datetime:
        return self.repo.commit(sha).committed_datetime

    def read_file(self, revision: str, kb_path: str) -> str | None:
        """The text of `kb_path` at `revision`, or None when the file did not exist there."""
        try:
            _, kind, _, data = self.repo.git.get_object_data(f"{revision}:{self.to_git(kb_path)}")
        except ValueError:
            return None
        return data.decode("utf-8", errors="replace") if kind == b"blob" else None

    def diff(self, revision: str, kb_paths: list[str]) -> str:
        """What changed in `kb_paths` from `revision` to the files on disk, renames followed."""
        return self.git("diff", "-M", "--no-color", revision, "--", *[self.to_git(p) for p in kb_paths])

    def changed_since(self, revision: str | None, kb_folder: str) -> list[tuple[str, str, str | None]]:
        """(status, path, old path) of every file in `kb_folder` that differs between `revision` and the disk.

        Status is A (added, or never committed), M, D or R (renamed from the old path). With no revision,
        every file there is added.
        """
        folder = self.to_git(kb_folder)
        changes: list[tuple[str, str, str | None]] = []
        if revision is not None:
            tokens = self.git("diff", "-M", "--name-status", "-z", revision, "--", folder).split("\0")
            index = 0
            while index < len(tokens):
                status = tokens[index].strip()
                if not status:
                    index += 1
                    continue
                if status[0] in "RC":
                    old, new = tokens[index + 1], tokens[index + 2]
                    changes.append(("R", self._kb(new), self._kb(old)))
                    index += 3
                else:
                    changes.append((status[0], self._kb(tokens[index + 1]), None))
                    index += 2
            listing = ["ls-files", "-z", "--others", "--exclude-standard", "--", folder]
        else:
            listing = ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", folder]
        for path in self.git(*listing).split("\0"):
            if path:
                changes.append(("A", self._kb(path), None))
        return changes

    def modified(self, kb_folder: str) -> set[str]:
        """Files in `kb_folder` whose text on disk is not committed (edited, added or never committed)."""
        tokens = self.git("status", "--porcelain", "-z", "--untracked-files=all", "--", self.to_git(kb_folder))
        found: set[str] = set()
        entries = iter(tokens.split("\0"))
        for entry in entries:
            if len(entry) < 4:
                continue
            found.add(self._kb(entry[3:]))
            if entry[0] in "RC":  # a staged rename: the old name follows as its own entry
                next(entries, None)
        return found

    def is_modified(self, kb_path: str) -> bool:
        """Whether the file on disk differs from the last commit (or was never committed)."""
        return bool(self.git("status", "--porcelain", "--", self.to_git(kb_path)))

    def _kb(self, git_path: str) -> str:
        return self.from_git(git_path) or git_path


def open_repository(root: Path) -> Repository | None:
    """The repository holding the knowledge base at `root`, or None outside a git work tree."""
    import git

    root = root.resolve()
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    if repo.working_tree_dir is None:  # a bare repository
        return None
    return Repository(root, Path(repo.working_tree_dir).resolve(), repo)


def require_repository(root: Path, purpose: str = "this command") -> Repository:
    """The repository at `root`, with at least one commit; NotAGitRepositoryError explains otherwise."""
    repository = open_repository(root)
    if repository is None:
        raise NotAGitRepositoryError(
            f"{purpose} reads the content's git history, but {root} is not in a git repository "
            "(run 'git init' and commit the content first)"
        )
    if repository.head() is None:
        raise NotAGitRepositoryError(f"{purpose} reads the git history, but {repository.top} has no commit yet")
    return repository
