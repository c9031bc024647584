"""Web UI benchmark: `radiomon serve` on a station-year, 8 clients at once, a writer beside them.

Builds (or reuses, ``--db``) the search benchmark's station-year archive,
adds one benchmark day to it (a one-hour recording with 600 segments, its
hour-long audio file and 500 mentions), starts the real ``radiomon serve``
(waitress) on it and, while a second process keeps inserting recordings,
lets ``--clients`` threads request for ``--seconds``:

- search pages: a common word, a rare word, a word with station and date filters,
- the mentions page of the day with 500 mentions,
- the recording page with 600 segments,
- audio Range requests at random places of the hour-long file.

It prints the server's own time per request (its ``Server-Timing`` header)
as p50/p95 per kind, the errors (any status but 200/206) and any "database
is locked" seen in a body or in the server's log, and each page's weight:
HTML as sent (gzip) plus its assets.

Targets on the 2-core reference machine: search page p95 <= 150 ms,
mentions and recording pages p95 <= 200 ms, errors 0, a page's HTML +
assets <= 150 KB.

    python benchmarks/web.py --db /tmp/year.db           # builds it the first time (minutes)
    python benchmarks/web.py --db /tmp/year.db --days 30 --seconds 10   # quick look
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import multiprocessing
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import search as search_benchmark  # noqa: E402  (the station-year builder)
from icecast import free_port  # noqa: E402

from radiomon.archive import Archive, MentionRow  # noqa: E402
from radiomon.pipeline.ingest import import_transcript_data  # noqa: E402
from radiomon.transcript import Segment, Word  # noqa: E402

STATION = "radio-benchmark"
TZ = "America/Mexico_City"
HOUR_SEGMENTS = 600
DAY_MENTIONS = 500
AUDIO_SECONDS = 3600

RADIOMON_YML = """\
timezone: America/Mexico_City
archive: {archive}
recordings_dir: recordings
keywords: keywords.yml
stations:
  - id: radio-benchmark
    name: Radio Benchmark
    url: http://127.0.0.1:9/benchmark.mp3
"""
KEYWORDS_YML = """\
groups:
  municipio:
    label: Municipio de Moroleón
    priority: high
    terms:
      - {term: Moroleón}
"""


def benchmark_day(days: int) -> datetime:
    """Midday UTC of a day inside the archive's year (the archive starts 2025-11-26)."""
    return datetime(2025, 11, 26, 18, tzinfo=timezone.utc) + timedelta(days=min(days - 1, 200))


def hour_audio(folder: Path) -> Path:
    path = folder / "benchmark-hour.mp3"
    if not path.exists():
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
                        f"sine=frequency=330:duration={AUDIO_SECONDS}", "-ac", "1", "-b:a", "32k",
                        str(path)], check=True)
    return path


def add_benchmark_day(db: Path, days: int) -> tuple[int, str]:
    """The 600-segment recording with audio and the day's 500 mentions; idempotent."""
    audio = hour_audio(db.parent)
    start = benchmark_day(days)
    rng = random.Random(3)
    with Archive(db) as archive:
        recording_id, created = archive.add_recording(station=STATION, start=start, duration=AUDIO_SECONDS,
                                                      path=str(audio))
        if created:
            segments = []
            for i in range(HOUR_SEGMENTS):
                begin = i * 6.0
                words = ["En", "Moroleón", "el", "mercado"] + rng.sample(search_benchmark.COMMON, 10)
                step = 5.5 / len(words)
                segments.append(Segment(begin, begin + 5.5, " ".join(words), avg_logprob=-0.3, no_speech_prob=0.02,
                                        words=tuple(Word(w, begin + k * step, begin + (k + 1) * step, 0.9)
                                                    for k, w in enumerate(words))))
            archive.replace_segments(recording_id, segments, engine="benchmark")
            stored = archive.transcript_rows(recording_id)
            mentions = [
                MentionRow(segment["id"], recording_id, STATION, "municipio", "Moroleón", "Moroleón", 100.0,
                           (start + timedelta(seconds=segment["start"] + 0.4)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                           segment["start"] + 0.4, segment["text"])
                for segment in stored[:DAY_MENTIONS]
            ]
            archive.replace_mentions(recording_id, mentions)
    local_day = start.astimezone(ZoneInfo(TZ)).date().isoformat()
    return recording_id, local_day


def writer(db: str, stop, counter, pause: float) -> None:
    """Keeps inserting ten-minute transcripts (100 segments), as the pipeline does while staff
    search; every ``pause`` seconds is hundreds of times what eight stations produce."""
    rng = random.Random(11)
    at = datetime(2027, 1, 1, tzinfo=timezone.utc) + timedelta(days=rng.randrange(10_000))
    archive = Archive(db)
    n = 0
    while not stop.is_set():
        segments = [{"start": i * 6.0, "end": i * 6.0 + 5.5,
                     "text": " ".join(rng.sample(search_benchmark.COMMON, 12))} for i in range(100)]
        import_transcript_data(archive, {"segments": segments}, source=f"writer-{n}", sha256=f"writer-{at}-{n}",
                               station=STATION, start=at + timedelta(minutes=10 * n))
        n += 1
        counter.value = n
        time.sleep(pause)
    archive.close()


def rare_words() -> list[str]:
    """Words of the benchmark's vocabulary far down its Zipf ranking: a few hits in a year."""
    vocabulary = search_benchmark.build_vocabulary(random.Random(7), 60_000)
    return vocabulary[40_000:40_050]


def request_mix(recording_id: int, day: str, audio_size: int) -> list[tuple[str, callable]]:
    rare = rare_words()
    end = datetime.fromisoformat(day).date()
    week = (end - timedelta(days=7)).isoformat()

    def audio_range(rng):
        begin = rng.randrange(0, audio_size - 65_536)
        return f"/audio/{recording_id}", {"Range": f"bytes={begin}-{begin + 65_535}"}

    return [
        ("search common", lambda rng: (f"/?q={rng.choice(['mercado', 'gobierno', 'agua', 'semana'])}", {})),
        ("search rare", lambda rng: (f"/?q={quote(rng.choice(rare))}", {})),
        ("search filtered", lambda rng: (f"/?q={rng.choice(['mercado', 'obras', 'salud'])}&estacion={STATION}"
                                         f"&desde={week}&hasta={day}", {})),
        ("mentions day (500)", lambda rng: (f"/menciones?dia={day}", {})),
        ("recording (600 seg.)", lambda rng: (f"/grabacion/{recording_id}", {})),
        ("audio range 64 KB", audio_range),
    ]


def client(port: int, mix, stop, results, waited, errors, locked, seed: int, think: float) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while not stop.is_set():
        kind, make = mix[rng.randrange(len(mix))]
        path, headers = make(rng)
        began = time.perf_counter()
        try:
            connection.request("GET", path, headers={"Accept-Encoding": "gzip", **headers})
            response = connection.getresponse()
            body = response.read()
            waited[kind].append((time.perf_counter() - began) * 1000)
        except (OSError, http.client.HTTPException) as err:
            errors.append(f"{kind}: {err}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        if response.status not in (200, 206):
            errors.append(f"{kind}: HTTP {response.status} {path}")
        if response.getheader("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        if b"database is locked" in body:
            locked.append(path)
        timing = re.match(r"app;dur=([\d.]+)", response.getheader("Server-Timing") or "")
        if timing:
            results[kind].append(float(timing.group(1)))
        if think:
            time.sleep(rng.uniform(0.5, 1.5) * think)


def page_weight(port: int, path: str) -> tuple[int, int, int]:
    """(HTML bytes, HTML bytes sent with gzip, assets bytes) of one page."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path)
    html = connection.getresponse().read()
    connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
    sent = connection.getresponse().read()
    assets = 0
    for asset in set(re.findall(rb'(?:src|href)="(/static/[^"]+)"', html)):
        connection.request("GET", asset.decode())
        assets += len(connection.getresponse().read())
    return len(html), len(sent), assets


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(q * len(ordered))) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True, help="the station-year archive (built when missing)")
    parser.add_argument("--days", type=int, default=365, help="days to build when --db is missing (default 365)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2, help="radiomon serve --workers (default 2)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean pause of each client between requests, s (default 0: back to back)")
    parser.add_argument("--writer-pause", type=float, default=0.5,
                        help="the writer's pause between recordings, s (default 0.5)")
    args = parser.parse_args()

    db = args.db.resolve()
    if not db.exists():
        print(f"building {args.days} days of one station in {db} …", file=sys.stderr)
        search_benchmark.build_archive(db, args.days, 7)
    days = args.days
    recording_id, day = add_benchmark_day(db, days)
    audio_size = hour_audio(db.parent).stat().st_size

    folder = Path(tempfile.mkdtemp(prefix="radiomon-web-bench-"))
    (folder / "radiomon.yml").write_text(RADIOMON_YML.format(archive=db), encoding="utf-8")
    (folder / "keywords.yml").write_text(KEYWORDS_YML, encoding="utf-8")
    port = free_port()
    log = open(folder / "serve.log", "w+")
    server = subprocess.Popen([sys.executable, "-m", "radiomon", "--config", str(folder / "radiomon.yml"), "serve",
                               "--port", str(port), "--threads", str(args.clients), "--workers", str(args.workers)],
                              stderr=log,
                              env={**os.environ, "HF_HUB_OFFLINE": "1"})
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)

    mix = request_mix(recording_id, day, audio_size)
    try:
        for _, make in mix:  # each page once before timing: the first request loads templates and the keywords
            path, headers = make(random.Random(0))
            if not headers:
                page_weight(port, path)
        stop_writer = multiprocessing.Event()
        written = multiprocessing.Value("i", 0)
        writing = multiprocessing.Process(target=writer, args=(str(db), stop_writer, written, args.writer_pause))
        writing.start()
        results, waited, errors, locked = defaultdict(list), defaultdict(list), [], []
        stop = threading.Event()
        threads = [threading.Thread(target=client, args=(port, mix, stop, results, waited, errors, locked, i,
                                                         args.think))
                   for i in range(args.clients)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        stop_writer.set()
        writing.join()

        total = sum(len(v) for v in results.values())
        print(f"{args.clients} clients (pause {args.think:g} s), {args.workers} worker(s), for {elapsed:.0f} s: "
              f"{total:,} requests "
              f"({total / elapsed:.0f}/s), "
              f"writer inserted {written.value} recordings ({written.value * 100:,} segments) meanwhile")
        print(f"{'':24} {'':>6} {'server time':^26} {'as the client waited':^26}")
        print(f"{'request':24} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'max ms':>8}")
        for kind, _ in mix:
            values, client_side = results[kind], waited[kind]
            if values:
                print(f"{kind:24} {len(values):6d} {statistics.median(values):8.1f} {percentile(values, 0.95):8.1f} "
                      f"{max(values):8.1f} {statistics.median(client_side):8.1f} "
                      f"{percentile(client_side, 0.95):8.1f} {max(client_side):8.1f}")
        log.seek(0)
        server_log = log.read()
        locked_in_log = server_log.count("database is locked")
        print(f"errors: {len(errors)}; 'database is locked': {len(locked)} in bodies, {locked_in_log} in the log")
        for line in errors[:5]:
            print(f"  {line}")
        print(f"{'page':24} {'HTML KB':>8} {'gzip KB':>8} {'assets KB':>9} {'sent KB':>8}")
        for kind, make in mix:
            path, headers = make(random.Random(0))
            if headers:
                continue
            html, sent, assets = page_weight(port, path)
            print(f"{kind:24} {html / 1024:8.1f} {sent / 1024:8.1f} {assets / 1024:9.1f} "
                  f"{(sent + assets) / 1024:8.1f}")
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


if __name__ == "__main__":
    main()
