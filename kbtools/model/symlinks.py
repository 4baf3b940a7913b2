"""Symbolic links in a knowledge base: none are allowed in the files kb reads or publishes.

git stores a symbolic link as a file whose text is its target, so a pull request can add one pointing
anywhere: `/proc/self/environ` (the build's environment, CI secrets included), `/etc/passwd`, a folder
outside the repository, or an internal page saved under a public-looking name. Writers never need them, so
the rule is simple: no link anywhere under content/, and neither mkdocs.yml nor content/ itself is a link.
Lint, the build and the site plugins all ask this module.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kbtools.model.project import CONTENT_DIR, MKDOCS_FILE

_CHECKED_FILES = (MKDOCS_FILE, CONTENT_DIR)  # read by kb: a link would read whatever it points to


@dataclass(frozen=True)
class Symlink:
    path: Path  # the link itself, never resolved
    target: str  # what it points to, as stored (os.readlink)
    is_dir: bool  # it points to a folder (which MkDocs would walk into)


def tree_symlinks(root: Path) -> list[Symlink]:
    """Every symbolic link kb would read or publish: mkdocs.yml, content/, and anything under content/."""
    found = [_symlink(root / name) for name in _CHECKED_FILES if (root / name).is_symlink()]
    content = root / CONTENT_DIR
    if content.is_dir() and not content.is_symlink():
        for folder, dirs, files in os.walk(content, followlinks=False):  # never walks into a linked folder
            for name in sorted(dirs + files):
                path = Path(folder, name)
                if path.is_symlink():
                    found.append(_symlink(path))
    return sorted(found, key=lambda link: link.path)


def _symlink(path: Path) -> Symlink:
    return Symlink(path, os.readlink(path), path.is_dir())


def through_symlink(base: Path, rel: str) -> bool:
    """Whether `base/rel` is a symbolic link or is reached through one (any folder of `rel` below `base`)."""
    current = base
    for part in PurePosixPath(rel).parts:
        current = current / part
        if current.is_symlink():
            return True
    return False


def within(path: Path, link: Symlink) -> bool:
    """Whether `path` (absolute, unresolved) is `link` or lies inside the folder it stands for."""
    normal = Path(os.path.normpath(path))
    return normal == link.path or link.path in normal.parents
