"""Incremental indexing: how long `kb index` takes after a one-file change, against a full rebuild.

Generates --articles pages in all (default 2,000: half English, half French; bench/corpus.py) in a git repository,
commits them, runs `kb index --full` once, then for each kind of change (a body edited, a page added, a page
deleted, a page renamed, a change committed) runs `kb index` as a separate process, as a writer does, and prints
its wall time (process start included) and the time build_index reports. Finally a change to the synonym list,
which indexes every page again.

Run: python bench/incremental_bench.py [--articles 2000]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate

KB = Path(sys.executable).with_name("kb")
_SECONDS = re.compile(r" in ([\d.]+) s")


def git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com"}
    env |= {"GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def kb_index(root: Path, *options: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([str(KB), "--root", str(root), "index", *options], check=True, capture_output=True, text=True)
    return time.perf_counter() - started, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2_000, help="pages in all (half per language)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        root = generate(Path(name) / "kb", args.articles // 2)
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "corpus")
        pages = sorted((root / "content" / "en").rglob("*.md"))
        wall, output = kb_index(root, "--full")
        print(f"{args.articles:,} pages, full index: {wall:.2f} s wall ({output})")

        def edit() -> None:
            with pages[0].open("a", encoding="utf-8") as file:
                file.write("\nOne more sentence about a zebra.\n")

        def add() -> None:
            (pages[0].parent / "page-new.md").write_text(pages[1].read_text(encoding="utf-8"), encoding="utf-8")

        def delete() -> None:
            pages[2].unlink()

        def rename() -> None:
            pages[3].rename(pages[3].with_name("page-renamed.md"))

        def commit() -> None:
            git(root, "add", "-A")
            git(root, "commit", "-q", "-m", "changes")

        def synonyms() -> None:
            (root / "content" / "synonyms.yml").write_text("en:\n  horse: [zebra]\n", encoding="utf-8")

        changes: list[tuple[str, Callable[[], None]]] = [
            ("one page edited", edit),
            ("one page added", add),
            ("one page deleted", delete),
            ("one page renamed", rename),
            ("the changes committed (their pages get a new version)", commit),
            ("synonym list changed (every page again)", synonyms),
        ]
        for label, change in changes:
            change()
            wall, output = kb_index(root)
            reported = _SECONDS.search(output)
            print(f"  {label}: kb index {wall:.2f} s wall, {reported.group(1) if reported else '?'} s in build_index")
            print(f"    {output}")


if __name__ == "__main__":
    main()
