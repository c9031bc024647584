"""Scale-out benchmark: transcription on this machine against a Dask cluster, and the archive writer.

Prints (figures only; docs/scaling.md turns them into sizing):

1. throughput, in audio hours per wall-clock hour, of ``--recordings``
   synthetic radio programmes of ``--minutes`` each (tests/audio_factory.py:
   speech over music beds, ads, dead air) transcribed
   - by the local path (``radiomon transcribe``: its own process pool),
   - by 1 and by 2 Dask worker processes on this machine (a LocalCluster
     with the asr resource, through the coordinator's claim/lease path);
2. the per-task overhead of the cluster: the round trip of a trivial task
   (submit → scheduler → worker → result), median and p95;
3. the archive writer's sustained rate: one-hour Whisper-like transcripts
   (benchmarks/search.py's generator) stored as fast as possible through
   import_transcript_data, each followed by matching against keywords.yml,
   as segments/s and mentions/s stored.

    python benchmarks/cluster.py                          # 3 × 1 min, 48 hours written
    python benchmarks/cluster.py --recordings 2 --minutes 0.5 --hours 24   # quick look
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

import audio_factory as af  # noqa: E402
from conftest import RADIOMON_YML, write_deployment  # noqa: E402
from search import build_vocabulary, hour_transcript  # noqa: E402

from radiomon.archive import Archive  # noqa: E402
from radiomon.config import load_config  # noqa: E402
from radiomon.filters import Filters  # noqa: E402
from radiomon.pipeline.ingest import import_transcript_data  # noqa: E402
from radiomon.pipeline.match import load_matcher, match_pending  # noqa: E402
from radiomon.pipeline.transcribe.batch import transcribe_batch  # noqa: E402

START = datetime(2026, 11, 25, 14, 0, tzinfo=timezone.utc)
# The benchmark's keywords: the municipality's names the search generator mixes into its text.
KEYWORDS_YML = """\
defaults: {threshold: 88}
groups:
  municipio:
    label: Municipio de Moroleón
    priority: high
    terms:
      - {term: Moroleón, aliases: [Moro León], exclude: [León, Morelia, Morelos]}
      - {term: Uriangato}
      - {term: DIF}
      - {term: Protección Civil}
      - {term: Ayuntamiento}
"""


def deployment(folder: Path, programmes: list[Path]) -> Path:
    """A deployment with the programmes registered as pending recordings of radio-uno."""
    folder.mkdir(parents=True)
    path = write_deployment(folder, RADIOMON_YML + "transcription:\n  device: cpu\n", KEYWORDS_YML)
    config = load_config(path)
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        for n, programme in enumerate(programmes):
            archive.add_recording(station="radio-uno", start=START + timedelta(hours=n), duration=None,
                                  path=str(programme))
    return path


def throughput(folder: Path, programmes: list[Path], workers: int | None) -> tuple[float, float]:
    """(audio seconds, wall seconds) of transcribing the programmes: locally (workers None) or on a
    LocalCluster of that many single-threaded worker processes, each with an asr slot."""
    config = load_config(deployment(folder, programmes))
    cluster = None
    if workers is not None:
        from distributed import LocalCluster

        from radiomon.pipeline.transcribe.cluster import PROCESSES_ENV, RESOURCE

        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, resources={RESOURCE: 1},
                               dashboard_address=":0", env={PROCESSES_ENV: str(workers)})
        config = replace(config, transcription=replace(config.transcription, cluster=replace(
            config.transcription.cluster, address=cluster.scheduler_address, connect_seconds=120,
            audio_root=str(programmes[0].parent))))  # the workers share this machine's disk
    try:
        with Archive(config.archive) as archive:
            began = time.perf_counter()
            result = transcribe_batch(config, archive)
            wall = time.perf_counter() - began
    finally:
        if cluster is not None:
            cluster.close()
    assert result.transcribed == len(programmes) and not result.failed, result.errors
    return result.audio_seconds, wall


def task_overhead(tasks: int) -> list[float]:
    """Round trips (seconds) of a trivial task through a LocalCluster of one worker process."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        client.submit(int, 0, pure=False).result()  # the first one pays for the connection
        trips = []
        for n in range(tasks):
            began = time.perf_counter()
            client.submit(int, n, key=f"trivial-{n}", pure=False).result()
            trips.append(time.perf_counter() - began)
    return trips


def writer(folder: Path, hours: int, seed: int) -> tuple[int, int, float, float]:
    """(segments, mentions, import seconds, matching seconds) for ``hours`` one-hour transcripts, each
    stored and then matched, back to back (JSON decoding and text generation excluded)."""
    folder.mkdir(parents=True)
    config = load_config(write_deployment(folder, RADIOMON_YML, KEYWORDS_YML))
    matcher = load_matcher(config.keywords)
    rng, np_rng = random.Random(seed), np.random.default_rng(seed)
    vocab = build_vocabulary(rng, 60_000)
    zipf = 1.0 / np.arange(1, len(vocab) + 1) ** 1.07
    cdf = np.cumsum(zipf / zipf.sum())
    cdf[-1] = 1.0
    segments = mentions = 0
    stored = matched = 0.0
    with Archive(config.archive) as archive:
        archive.sync_stations(config.stations, str(config.timezone))
        for hour in range(hours):
            data = hour_transcript(np_rng, rng, vocab, cdf, proper_rate=0.04)
            began = time.perf_counter()
            result = import_transcript_data(archive, data, source=f"synthetic-{hour}.json",
                                            sha256=f"cluster-{seed}-{hour}", station="radio-uno",
                                            start=START + timedelta(hours=hour))
            middle = time.perf_counter()
            found = match_pending(archive, matcher, Filters(stations=("radio-uno",)))
            ended = time.perf_counter()
            stored += middle - began
            matched += ended - middle
            segments += result.segments
            mentions += found.added
    return segments, mentions, stored, matched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recordings", type=int, default=3)
    parser.add_argument("--minutes", type=float, default=1.0, help="length of each synthetic programme")
    parser.add_argument("--tasks", type=int, default=200, help="trivial tasks for the overhead")
    parser.add_argument("--hours", type=int, default=48, help="one-hour transcripts through the writer")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if problem := af.missing():
        sys.exit(f"cannot make synthetic speech: {problem}")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    print(f"machine: {os.cpu_count()} CPUs; {args.recordings} programmes of {args.minutes:g} min; "
          f"faster-whisper base, device cpu")
    with tempfile.TemporaryDirectory(prefix="radiomon-cluster-bench-") as tmp:
        top = Path(tmp)
        programmes = [af.broadcast(args.minutes, seed=args.seed + n).write(top / "audio" / f"programme-{n}.mp3")
                      for n in range(args.recordings)]
        print("\n1. throughput (audio hours per hour = audio seconds / wall seconds; model load included)")
        for label, workers in (("local path (its own pool)", None), ("Dask, 1 worker process", 1),
                               ("Dask, 2 worker processes", 2)):
            audio, wall = throughput(top / f"run-{workers}", programmes, workers)
            print(f"   {label:28} {audio / 60:6.1f} min of audio in {wall:6.1f} s = {audio / wall:5.2f} h/h")

        trips = sorted(task_overhead(args.tasks))
        print(f"\n2. per-task overhead ({args.tasks} trivial tasks, one at a time, loopback): median "
              f"{statistics.median(trips) * 1000:.1f} ms, p95 {trips[int(len(trips) * 0.95) - 1] * 1000:.1f} ms")

        segments, mentions, stored, matched = writer(top / "writer", args.hours, args.seed)
        total = stored + matched
        print(f"\n3. archive writer ({args.hours} one-hour transcripts stored, each then matched)")
        print(f"   {segments:,} segments, {mentions:,} mentions in {total:.1f} s (store {stored:.1f} s, "
              f"match {matched:.1f} s)")
        print(f"   {segments / total:,.0f} segments/s, {mentions / total:,.1f} mentions/s, "
              f"{args.hours / total * 3600:,.0f} station-hours stored per hour")


if __name__ == "__main__":
    main()
