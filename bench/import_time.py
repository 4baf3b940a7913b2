"""Import time of a kb command: the sum of `python -X importtime` self times, median of several runs.

    python bench/import_time.py [runs] -- report --since 7d --out /tmp/report.html

Prints the milliseconds spent importing modules and how many modules were imported, and whether Flask was.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def once(args: list[str], environ: dict[str, str]) -> tuple[float, int, bool]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kbtools", "--root", str(ROOT), *args],
        capture_output=True,
        text=True,
        check=False,
        env=environ,
    )
    total, modules, flask = 0, 0, False
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        total += int(self_us)
        modules += 1
        flask = flask or name.split(".")[0] == "flask"
    return total / 1000, modules, flask


def main() -> None:
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else 0
    runs = int(argv[0]) if split else 5
    args = argv[split + 1 :] if split or argv[:1] == ["--"] else argv
    # The event store in a temporary folder: a run must not leave var/kb.sqlite3 in the repository.
    # KB_BENCH_DATABASE_URL=none measures a knowledge base without one (kb review then reads no views).
    with tempfile.TemporaryDirectory() as folder:
        environ = {**os.environ, "KB_DATABASE_URL": f"sqlite:///{folder}/kb.sqlite3"}
        if os.environ.get("KB_BENCH_DATABASE_URL") == "none":
            environ.pop("KB_DATABASE_URL")
        results = [once(args, environ) for _ in range(runs)]
    millis = statistics.median(r[0] for r in results)
    print(f"kb {' '.join(args)}: {millis:.0f} ms importing {results[0][1]} modules; flask imported: {results[0][2]}")


if __name__ == "__main__":
    main()
