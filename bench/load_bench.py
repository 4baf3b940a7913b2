"""Load on `kb serve` (loopback only, bounded): event ingestion vs a constant endpoint, then a SIGKILL mid-load.

1. Starts `kb serve` (gunicorn gthread workers: --workers processes of --threads threads, rate limit off,
   SQLite in a temp folder) on 127.0.0.1.
2. wrk, 64 connections for --seconds (default 60): POST /api/v1/events (one view event per request), then
   GET /api/v1/health (constant answer). Prints requests/s, p50 and p99 latency, and checks the rows stored
   equal the events accepted.
3. Durability: a Python client (16 threads) posts events with unique session ids and records each 202; the
   server is killed with SIGKILL mid-run and restarted; the database must pass `PRAGMA integrity_check` and
   hold every acknowledged event.

Run: python bench/load_bench.py [--seconds 60] [--workers 4] [--threads 8]   (needs Debian's wrk)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.client import HTTPConnection
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EVENT = {"type": "view", "article": "card-payment-declined", "lang": "en", "session": "load-bench-session"}
WRK_POST = """
wrk.method = "POST"
wrk.body = '{body}'
wrk.headers["Content-Type"] = "text/plain"
"""


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(folder: Path, port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "KB_DATABASE_URL": f"sqlite:///{folder / 'events.sqlite3'}",
        "KB_RATE_LIMIT": "off",
        "KB_SITE_DIR": str(folder / "site"),
        "KB_API_TOKENS": "bench-token-000",
        "KB_WORKERS": str(workers),
        "KB_THREADS": str(threads),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "kbtools", "--root", str(REPO), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1):
                return process
        except OSError:
            time.sleep(0.3)
    raise SystemExit("kb serve did not start")


def _wrk(url: str, seconds: int, script: Path | None) -> dict[str, float]:
    command = ["wrk", "-t2", "-c64", f"-d{seconds}s", "--latency", url]
    if script:
        command[1:1] = ["-s", str(script)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def latency(label: str) -> float:
        value, suffix = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * unit[suffix]

    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests": requests,
        "ok": requests - (int(non_2xx.group(1)) if non_2xx else 0),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency("50%"),
        "p99": latency("99%"),
    }


def _rows(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT count(*) FROM events").fetchone()[0]


def _durability(folder: Path, port: int, workers: int, threads: int, process: subprocess.Popen) -> None:
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(number: int) -> None:
        sent = 0
        while not stop.is_set():
            session = f"kill-{number:02d}-{sent:07d}"
            sent += 1
            try:
                connection = HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request(
                    "POST",
                    "/api/v1/events",
                    json.dumps({**EVENT, "session": session}),
                    {"Content-Type": "application/json"},
                )
                if connection.getresponse().status == 202:
                    with lock:
                        acknowledged.append(session)
                connection.close()
            except OSError:
                time.sleep(0.05)  # the server is down: try again until told to stop

    clients = [threading.Thread(target=client, args=(n,)) for n in range(16)]
    for thread in clients:
        thread.start()
    time.sleep(5)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    killed_at = len(acknowledged)
    time.sleep(1)
    stop.set()
    for thread in clients:
        thread.join()
    restarted = _start(folder, port, workers, threads)
    database = folder / "events.sqlite3"
    with sqlite3.connect(database) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        stored = {row[0] for row in connection.execute("SELECT session FROM events WHERE session LIKE 'kill-%'")}
    missing = [s for s in acknowledged if s not in stored]
    print(
        f"SIGKILL after {killed_at} acknowledged events; after restart: integrity_check={integrity}, "
        f"{len(stored)} stored, {len(missing)} acknowledged events missing"
    )
    os.killpg(restarted.pid, signal.SIGTERM)
    restarted.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        port = _port()
        process = _start(folder, port, args.workers, args.threads)
        script = folder / "post.lua"
        script.write_text(WRK_POST.format(body=json.dumps(EVENT)))
        events = _wrk(f"http://127.0.0.1:{port}/api/v1/events", args.seconds, script)
        stored = _rows(folder / "events.sqlite3")
        constant = _wrk(f"http://127.0.0.1:{port}/api/v1/health", args.seconds, None)
        print(
            f"kb serve, {args.workers} gunicorn workers x {args.threads} threads, SQLite, "
            f"wrk 64 connections x {args.seconds} s, loopback"
        )
        # wrk stops counting at the deadline: requests in flight then (at most one per connection) are
        # stored but not counted as answered, so rows may exceed the count by up to 64, never fall short.
        in_flight = stored - events["ok"]
        verdict = "OK" if 0 <= in_flight <= 64 else "MISMATCH"
        print(
            f"POST /api/v1/events: {events['rps']:,.0f} events/s accepted, p50 {events['p50']:.1f} ms, "
            f"p99 {events['p99']:.1f} ms; {events['ok']:,} answered 202, {stored:,} rows stored "
            f"({in_flight} in flight when wrk stopped: {verdict})"
        )
        print(
            f"GET /api/v1/health (constant): {constant['rps']:,.0f} req/s, p50 {constant['p50']:.1f} ms, "
            f"p99 {constant['p99']:.1f} ms"
        )
        print(f"ingestion / constant throughput: {events['rps'] / constant['rps']:.2f}")
        _durability(folder, port, args.workers, args.threads, process)


if __name__ == "__main__":
    main()
