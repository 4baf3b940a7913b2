"""GitPython per file, or one `git log` pass? Reading a content repository's history both ways.

Generates a knowledge base (`--articles` pages per language), commits it, then makes `--commits` more
commits each editing a few pages, every French page recording the first commit as its source_commit.
Then times, on the same repository:

- GitPython's object API per file: `repo.iter_commits(paths=file, max_count=1)` for each file's last change
  (what a per-page "last updated" plugin does), and a full per-file log with line counts for 50 files
  (what `kb history` would need per file);
- kbtools.model.history.read_history: one `git log --raw` pass over content/, run through GitPython's command
  runner, without and with line counts (`--numstat`);
- `kb lint` on the whole tree, which now includes the outdated-translation check.

Run: python bench/history_bench.py [--articles 1000] [--commits 300] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate

from kbtools.governance.translations import State, translation_state
from kbtools.model.history import read_history
from kbtools.model.project import KnowledgeBase
from kbtools.workflows.lint import lint


def _git(root: Path, *args: str, when: int = 0) -> str:
    stamp = f"{1_767_225_600 + when * 3600} +0000"  # 2026-01-01, one hour a commit
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Bench Writer",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "Bench Writer",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
    }
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout.strip()


def build_repository(root: Path, articles: int, commits: int) -> tuple[int, int]:
    generate(root, articles)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Import", when=0)
    first = _git(root, "rev-parse", "HEAD")[:12]
    french = sorted((root / "content/fr").rglob("*.md"))
    for path in french:  # every translation records the commit it was made from
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("\nreviewed:", f"\nsource_commit: {first}\nreviewed:", 1), encoding="utf-8")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Record source commits", when=1)
    english = sorted((root / "content/en").rglob("*.md"))
    rng = random.Random(11)
    for number in range(commits):
        for path in rng.sample(english, 4):
            path.write_text(path.read_text(encoding="utf-8") + f"\nEdit {number}.\n", encoding="utf-8")
        _git(root, "commit", "-q", "-am", f"Edit {number}", when=number + 2)
    return len(english) + len(french), commits + 2


def timed(runs: int, work: Callable[[], object]) -> tuple[float, object]:
    seconds, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result


def main() -> None:
    import git

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000, help="pages per language (x2 languages)")
    parser.add_argument("--commits", type=int, default=300, help="commits after the import")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "kb"
        print(f"building the repository ({args.articles} pages per language, {args.commits} edit commits)...")
        files, commits = build_repository(root, args.articles, args.commits)
        paths = sorted(p.relative_to(root).as_posix() for p in (root / "content").rglob("*.md"))
        print(f"repository: {files} content files, {commits} commits")

        def per_file_last_change() -> dict[str, str]:
            repo = git.Repo(root)
            return {path: next(repo.iter_commits(paths=path, max_count=1)).hexsha for path in paths}

        def per_file_log_with_lines(count: int = 50) -> int:
            repo = git.Repo(root)
            total = 0
            for path in paths[:count]:
                for commit in repo.iter_commits(paths=path):
                    total += commit.stats.files.get(path, {}).get("lines", 0)
            return total

        sample = args.runs if files <= 2500 else 1
        per_file, last = timed(sample, per_file_last_change)
        per_file_lines, _ = timed(sample, per_file_log_with_lines)
        one_pass, history = timed(args.runs, lambda: read_history(root))
        one_pass_lines, _ = timed(args.runs, lambda: read_history(root, lines=True))
        assert all(history.last_change(path).sha == sha for path, sha in last.items()), "the two ways disagree"

        kb = KnowledgeBase(root)
        content = kb.load()
        outdated = sum(
            1
            for doc in content.in_language("fr")
            if translation_state(content, history, doc.rel, "fr").state is State.OUTDATED
        )
        linting, report = timed(args.runs, lambda: lint(kb))
        flagged = sum(1 for f in report.findings if f.rule == "outdated-translation")
        each = per_file / files * 1000
        print(f"GitPython per file, last change of {files} files: {per_file:.2f} s ({each:.1f} ms a file)")
        print(f"GitPython per file, whole log with line counts, 50 files: {per_file_lines:.2f} s")
        print(f"one git log pass (kbtools.model.history), last change of every file: {one_pass:.2f} s")
        print(f"one git log pass with line counts (--numstat): {one_pass_lines:.2f} s")
        print(f"speed-up of one pass over per-file GitPython: {per_file / one_pass:.0f}x")
        print(f"kb lint, whole tree with the outdated-translation check: {linting:.2f} s, {flagged} outdated")
        assert flagged == outdated


if __name__ == "__main__":
    main()
