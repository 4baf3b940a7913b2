"""How fast is `kb lint` on a large knowledge base? Generates 2 x 2,500 files and prints figures.

Run: python bench/lint_bench.py [--articles 2500] [--runs 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate

from kbtools.model.project import KnowledgeBase
from kbtools.workflows.lint import lint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2500, help="pages per language (x2 languages)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = generate(Path(folder) / "kb", args.articles)
        files = len(list((root / "content").rglob("*.md")))
        in_process = []
        for _ in range(args.runs):
            start = time.perf_counter()
            report = lint(KnowledgeBase(root))
            in_process.append(time.perf_counter() - start)
        cli = []
        for _ in range(args.runs):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "kbtools", "--root", str(root), "lint"], capture_output=True)
            cli.append(time.perf_counter() - start)
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"corpus: {files} files ({args.articles} per language), {len(report.findings)} findings")
        print(
            f"kb lint in process: median {statistics.median(in_process):.2f} s over {args.runs} runs "
            f"({files / statistics.median(in_process):,.0f} files/s)"
        )
        print(
            f"kb lint command (interpreter start included): median {statistics.median(cli):.2f} s, "
            f"exit {done.returncode}, peak memory {peak_mib:.0f} MiB"
        )


if __name__ == "__main__":
    main()
