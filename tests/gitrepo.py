"""Real git repositories for tests: commits with chosen dates and authors."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class GitRepo:
    def __init__(self, root: Path):
        self.root = root
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, date: str = "2026-01-15T10:00:00+00:00", author: str = "Writer One") -> str:
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": f"{author.split()[0].lower()}@example.com",
            "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": f"{author.split()[0].lower()}@example.com",
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_DATE": date,
        }
        done = subprocess.run(["git", *args], cwd=self.root, env=env, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def commit(self, message: str, date: str = "2026-01-15T10:00:00+00:00", author: str = "Writer One") -> str:
        self.git("add", "-A", date=date, author=author)
        self.git("commit", "-q", "-m", message, date=date, author=author)
        return self.git("rev-parse", "HEAD")
