"""Health check and delivery pass: what the daemon pays every few seconds.

Builds the synthetic archive of benchmarks/search.py (``--days`` × 24
one-hour recordings of one station), adds ``--events`` delivered alert
events, and times, ``--repeat`` times each:

- ``check_health`` (the facts of radiomon/reports/status.py, the
  evaluation of radiomon/health.py, the episodes' transaction),
- ``deliver_due`` with one configured channel and nothing due (the idle pass),
- ``collect_status`` (all of `radiomon status`, counts included).

    python benchmarks/health.py --days 30
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from search import build_archive

from radiomon.alerts import check_health, deliver_due
from radiomon.archive import Archive
from radiomon.config import load_config
from radiomon.reports.status import collect_status


def timed(call, repeat: int) -> tuple[float, float]:
    seconds = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - began)
    return statistics.median(seconds) * 1000, max(seconds) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=30, help="days of one station (default 30)")
    parser.add_argument("--events", type=int, default=20_000, help="alert events already delivered (default 20,000)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "radiomon.yml").write_text(
            "archive: radiomon.db\n"
            "alerts:\n  channels:\n    - {name: webhook, url: 'json://127.0.0.1:9/x'}\n"
            "stations:\n  - {id: radio-benchmark, url: 'http://127.0.0.1:8000/x.mp3', segment_minutes: 60}\n",
            encoding="utf-8")
        config = load_config(root / "radiomon.yml")
        began = time.perf_counter()
        segments, _, _ = build_archive(config.archive, args.days, seed=7)
        print(f"archive: {args.days} days, {segments:,} segments, built in {time.perf_counter() - began:.0f} s")
        with Archive(config.archive) as archive:
            with archive.write() as conn:
                conn.executemany(
                    "INSERT INTO events (kind, created_utc, payload, routed_utc, delivered_utc) "
                    "VALUES ('high-mention', '2025-12-01T00:00:00.000Z', '{}', '2025-12-01T00:00:00.000Z', "
                    "'2025-12-01T00:00:01.000Z')", [()] * args.events)
            for name, call in (("check_health", lambda: check_health(config, archive)),
                               ("deliver_due (idle)", lambda: deliver_due(config, archive)),
                               ("collect_status", lambda: collect_status(archive, config))):
                median, worst = timed(call, args.repeat)
                print(f"{name:20s} median {median:7.1f} ms   max {worst:7.1f} ms")


if __name__ == "__main__":
    sys.exit(main())
