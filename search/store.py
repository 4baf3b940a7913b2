"""Where search indexes live on disk, and how a new one replaces the old one atomically.

An index folder (by default `<kb root>/var/search/`) holds generations, each a complete index in its own
folder (`gen-<time>-<random>/`), and a pointer file `CURRENT` naming the live one. A build writes a new
generation beside the others, marks it complete, then replaces `CURRENT` with os.replace: readers see the
old generation or the new one, never a half-built one. Readers check the pointer's inode on each query
(one stat), so a running service picks a new index up without a restart.

Old generations are removed after a switch, except the previous one, which a reader may still be using
until its next query.
"""

from __future__ import annotations

import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from kbtools.model.errors import KbError
from kbtools.model.files import write_atomically
from kbtools.model.project import KnowledgeBase

POINTER = "CURRENT"
COMPLETE = "COMPLETE"  # written last into a generation: its index is whole
GENERATION_PREFIX = "gen-"
DEFAULT_LOCATION = Path("var") / "search"
_ABANDONED_AFTER = 6 * 3600  # seconds: an incomplete generation this old is a crashed build


class IndexNotFoundError(KbError):
    """No search index has been built in this folder."""


def default_index_dir(kb: KnowledgeBase) -> Path:
    return kb.root / DEFAULT_LOCATION


@dataclass(frozen=True)
class Generation:
    path: Path
    marker: tuple[int, int]  # (inode, mtime) of the pointer file that named it

    @property
    def name(self) -> str:
        return self.path.name


def new_generation(index_dir: Path) -> Path:
    """A fresh, empty folder for a build; not visible to readers until `publish`."""
    index_dir.mkdir(parents=True, exist_ok=True)
    name = f"{GENERATION_PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
    path = index_dir / name
    path.mkdir()
    return path


def publish(index_dir: Path, generation: Path) -> None:
    """Make `generation` the live index, then remove generations nobody should still be reading."""
    (generation / COMPLETE).write_text(time.strftime("%Y-%m-%dT%H:%M:%S%z") + "\n", encoding="utf-8")
    previous = _pointed(index_dir)
    write_atomically(index_dir / POINTER, generation.name + "\n")
    _clean(index_dir, keep={generation.name, previous} - {None})


def current(index_dir: Path) -> Generation:
    """The live generation; raises IndexNotFoundError when there is none."""
    pointer = index_dir / POINTER
    try:
        stat = pointer.stat()
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise IndexNotFoundError(f"no search index in {index_dir}: build it with 'kb index'") from None
    path = index_dir / name
    if not name or not (path / COMPLETE).is_file():
        raise IndexNotFoundError(
            f"the search index in {index_dir} is damaged ({POINTER} names {name!r}): run 'kb index'"
        )
    return Generation(path, (stat.st_ino, stat.st_mtime_ns))


def marker(index_dir: Path) -> tuple[int, int] | None:
    """What changes when a new generation is published: cheap enough to check on every query."""
    try:
        stat = (index_dir / POINTER).stat()
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_mtime_ns)


def size_of(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def _pointed(index_dir: Path) -> str | None:
    try:
        return (index_dir / POINTER).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def _clean(index_dir: Path, keep: set[str | None]) -> None:
    now = time.time()
    for path in index_dir.glob(f"{GENERATION_PREFIX}*"):
        if path.name in keep or not path.is_dir():
            continue
        # An incomplete generation may be another build still writing: leave it unless long abandoned.
        if (path / COMPLETE).exists() or now - path.stat().st_mtime > _ABANDONED_AFTER:
            shutil.rmtree(path, ignore_errors=True)
