"""kb build versus plain mkdocs-material on the same files: wall time, ratio, peak memory, a profile.

Generates 2,000 articles in English and French (bench/corpus.py), then in one run:
- `kb build` of both sites (4 MkDocs builds: public and internal, en and fr; one process per site building
  its languages in turn), the two sites in parallel (2 cores) and one after the other;
- the same 4 builds with the same generated MkDocs configs minus kb's plugins (plain mkdocs-material:
  navigation from folders, every file published), 2 at a time;
- optionally (--profile) a cProfile of one kb build of the public English site, top functions printed.

kb and plain builds alternate `--runs` times (the machine's noise hits both alike); medians are reported.

Run: python bench/build_bench.py [--articles 2000] [--runs 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate

from kbtools.model.project import KnowledgeBase
from site_plugins.build import BuildOptions, build_sites, dump_config, load_base_config, mkdocs_config


def _plain_configs(kb: KnowledgeBase, folder: Path) -> list[Path]:
    paths = []
    base = load_base_config(kb)
    for audience in ("public", "internal"):
        for lang in kb.taxonomy.language_codes:
            config = mkdocs_config(kb, base, BuildOptions(), audience, lang, folder / f"plain-{audience}-{lang}")
            config["plugins"] = {k: v for k, v in config["plugins"].items() if k == "search"}  # as kb: public only
            config["theme"].pop("custom_dir")
            path = folder / f"plain-{audience}-{lang}.yml"
            path.write_text(dump_config(config))
            paths.append(path)
    return paths


def _mkdocs(config: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = generate(Path(folder) / "kb", args.articles)
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        subprocess.run(["git", "add", "-A"], cwd=root, check=True)
        subprocess.run(
            ["git", "-c", "user.name=Bench", "-c", "user.email=b@x", "commit", "-qm", "corpus"], cwd=root, check=True
        )
        kb = KnowledgeBase(root)
        pages = len(list((root / "content").rglob("*.md")))
        print(f"corpus: {args.articles} articles x 2 languages = {pages} files", flush=True)

        configs = _plain_configs(kb, Path(folder))
        kb_runs: list[float] = []
        plain_runs: list[float] = []
        for run in range(1, args.runs + 1):
            result = build_sites(kb, BuildOptions(out_dir=Path(folder) / "site-kb", jobs=2))
            kb_runs.append(result.seconds)
            per_build = ", ".join(f"{b.audience} {b.seconds:.1f}s" for b in result.builds)
            started = time.perf_counter()
            with ThreadPoolExecutor(2) as pool:
                plain_each = list(pool.map(_mkdocs, configs))
            plain_runs.append(time.perf_counter() - started)
            print(
                f"run {run}: kb {kb_runs[-1]:.1f} s ({per_build}); plain {plain_runs[-1]:.1f} s "
                f"({', '.join(f'{s:.1f}s' for s in plain_each)})",
                flush=True,
            )
        kb_serial = build_sites(kb, BuildOptions(out_dir=Path(folder) / "site-kb1", jobs=1)).seconds
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        kb_median, plain_median = statistics.median(kb_runs), statistics.median(plain_runs)

        print(f"kb build, both sites in parallel: median {kb_median:.1f} s", flush=True)
        print(f"kb build, one site after the other: {kb_serial:.1f} s", flush=True)
        print(f"plain mkdocs-material, same 4 configs without kb plugins, 2 at a time: median {plain_median:.1f} s")
        print(f"ratio kb / plain: {kb_median / plain_median:.2f}")
        print(f"peak memory of one build process: {peak:.0f} MiB")
        if args.profile:
            from mkdocs.commands.build import build
            from mkdocs.config import load_config

            base = load_base_config(kb)
            config = mkdocs_config(kb, base, BuildOptions(), "public", "en", Path(folder) / "profiled")
            path = Path(folder) / "profiled.yml"
            path.write_text(dump_config(config))
            profiler = cProfile.Profile()
            profiler.enable()
            build(load_config(str(path)))
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
            print(out.getvalue())


if __name__ == "__main__":
    main()
