"""Upkeep benchmark: how long an online backup and the one-time VACUUM take on an archive of a given size.

Builds an archive of ``--days`` × 144 ten-minute recordings of Whisper-like
segments (one station, ~8 s each, ~90 characters) through the archive's own
writer, then times on it:

- ``radiomon backup``'s copy (one step of SQLite's online backup, plus its check),
- the VACUUM that switches an archive made without incremental auto-vacuum
  (what ``radiomon prune`` does unasked below ``retention.VACUUM_UNASKED_BYTES``),
- ``PRAGMA incremental_vacuum`` after a re-transcription of a tenth of the recordings.

The VACUUM holds the write lock: other writers wait up to their 30 s busy
timeout, so its MB/s is what sizes the unasked limit.

    python benchmarks/ops.py --days 30
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from radiomon.archive import Archive
from radiomon.transcript import Segment, Word

WORDS = ("el ayuntamiento de moroleón informa que la calle hidalgo estará cerrada por obras del drenaje durante tres "
         "días y pide a la población tomar sus precauciones en la colonia centro").split()


def segments_of(rng: random.Random, seconds: float = 600.0) -> list[Segment]:
    out, at = [], 0.0
    while at < seconds - 8:
        words = [rng.choice(WORDS) for _ in range(15)]
        timed = tuple(Word(f" {w}", at + i * 0.5, at + i * 0.5 + 0.4, 0.9) for i, w in enumerate(words))
        out.append(Segment(at, at + 8.0, " ".join(words).capitalize() + ".", -0.3, 0.01, words=timed))
        at += 8.0
    return out


def build(path: Path, days: int, *, auto_vacuum_none: bool) -> Archive:
    archive = Archive(path)
    if auto_vacuum_none:  # as archives were made before radiomon set incremental auto-vacuum
        archive.conn.execute("PRAGMA auto_vacuum = NONE")
        archive.conn.execute("VACUUM")
    archive.ensure_station("radio-uno", "America/Mexico_City")
    rng = random.Random(7)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for n in range(days * 144):
        rid, _ = archive.add_recording(station="radio-uno", start=start + timedelta(minutes=10 * n), duration=600.0,
                                       source_sha256=f"b{n}")
        archive.replace_segments(rid, segments_of(rng))
    archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return archive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="radiomon-ops-") as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        archive = build(folder / "radiomon.db", args.days, auto_vacuum_none=True)
        size = archive.file_bytes()
        print(f"archive: {args.days} days, {archive.max_segment_id():,} segments, {size / 1e6:.0f} MB "
              f"(built in {time.perf_counter() - t:.0f} s)")

        t = time.perf_counter()
        archive.backup_to(folder / "copia.db")
        seconds = time.perf_counter() - t
        print(f"backup (copy + quick_check + fsync): {seconds:.1f} s, {size / 1e6 / seconds:.0f} MB/s")

        t = time.perf_counter()
        archive.enable_incremental_vacuum()
        seconds = time.perf_counter() - t
        print(f"one-time VACUUM to incremental auto-vacuum: {seconds:.1f} s, {size / 1e6 / seconds:.0f} MB/s "
              f"(writers wait up to 30 s: about {30 * size / seconds / 1e6:.0f} MB fit)")

        rng = random.Random(8)
        ids = [r["id"] for r in archive.query("SELECT id FROM recordings")]
        for rid in rng.sample(ids, len(ids) // 10):  # re-transcribed: shorter text, pages freed
            archive.replace_segments(rid, segments_of(rng, 300.0))
        free = archive.free_bytes()
        t = time.perf_counter()
        returned = archive.return_free_pages()
        print(f"incremental_vacuum: {returned / 1e6:.1f} MB of {free / 1e6:.1f} MB free returned in "
              f"{time.perf_counter() - t:.2f} s")
        archive.close()


if __name__ == "__main__":
    sys.exit(main())
