"""Soak ``radiomon run``: three live stations for a long time, with outages and stalls injected.

    .venv/bin/python benchmarks/soak.py [--minutes 30] [--stations 3] [--segment-minutes 1] [--seed 7]

One loopback Icecast server carries a mount per station, each fed by
``ffmpeg -re`` with its own generated programme (espeak-ng Spanish news,
music, dead air: real transcription work). ``radiomon run`` records,
transcribes and matches them all while, at seeded random times, a station's
source is cut (the mount disappears: an outage, until it is started again)
or frozen with SIGSTOP (the connection stays open and no audio flows: a
stall, which the recorder's watchdog must notice after record.stall_seconds).

Printed at the end:

* gaps: every outage and stall caused, and whether a ``gaps`` row of that
  station covers it (each must be on record), plus the gaps on record that
  no injected fault explains (start-up, the stop);
* backlog over time: recordings pending or being transcribed, sampled;
* memory: RSS per process of the daemon, its ffmpeg children and its
  transcription workers, early in the run vs late, and the growth per hour
  (must stay flat);
* open file descriptors of the daemon, first vs last;
* CPU per station (its ffmpeg processes, over their lives) and of the
  daemon and the transcription workers, as % of one core.

Figures depend on the machine and what else runs on it; nothing is asserted.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import daemon_kit as kit  # noqa: E402
from icecast import IcecastServer, LiveSource  # noqa: E402

from radiomon import timeutil  # noqa: E402
from radiomon.config import load_config  # noqa: E402

STALL_SECONDS = 10  # record.stall_seconds for the soak: a stall is noticed this long after audio stops
WARMUP_SECONDS = 90  # memory and fds are compared from the first sample after this


@dataclass
class Fault:
    station: str
    kind: str  # outage | stall
    start: float  # seconds into the run, then the wall time it began once injected
    end: float
    injected: bool = False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--stations", type=int, default=3)
    parser.add_argument("--segment-minutes", type=float, default=1.0)
    parser.add_argument("--faults-per-hour", type=float, default=40.0, help="per station")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--daemon", default="", metavar="OPTIONS",
                        help="more daemon: settings, e.g. 'worker_max_memory_mb: 500, worker_max_recordings: 0'")
    parser.add_argument("--keep", type=Path, help="folder for the deployment (default: a temporary one)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="radiomon-soak-"))
    ids = [f"estacion-{n + 1}" for n in range(args.stations)]

    server = IcecastServer().start()
    sources: dict[str, LiveSource] = {}
    for n, station in enumerate(ids):
        mp3 = kit.programme(150, seed=args.seed + n, gap=(2.0, 8.0)).write(folder / f"{station}.mp3",
                                                                         sample_rate=44100)
        sources[station] = LiveSource(server, f"/{station}.mp3", mp3).start()
    config = kit.write_deployment(folder / "oficina", {s: server.url(f"/{s}.mp3") for s in ids},
                                  segment_minutes=args.segment_minutes, record=f"stall_seconds: {STALL_SECONDS}",
                                  transcription="workers: 0",
                                  daemon="pass_seconds: 2" + (f", {args.daemon}" if args.daemon else ""))
    db = load_config(config).archive
    print(f"{args.stations} station(s), {args.minutes:g} min, segments of {args.segment_minutes:g} min; {folder}")

    # faults: per station, a Poisson process of outages and stalls, never in the first or last two minutes
    horizon = args.minutes * 60
    faults: list[Fault] = []
    for n, station in enumerate(ids):
        t = 120.0
        kinds = ("outage", "stall") if n % 2 else ("stall", "outage")  # both kinds, even in a short run
        while True:
            t += rng.expovariate(args.faults_per_hour / 3600)
            kind = kinds[sum(f.station == station for f in faults) % 2]
            length = rng.uniform(20, 60) if kind == "outage" else rng.uniform(STALL_SECONDS + 10, 50)
            if t + length > horizon - 120:
                break
            faults.append(Fault(station, kind, t, t + length))
            t += length + 30
    faults.sort(key=lambda f: f.start)

    daemon = kit.Process(config, "run")
    me = psutil.Process(daemon.pid)
    began = time.monotonic()
    wall0 = time.time()
    samples: list = []  # (t, {role: (RSS, processes)}, fds, backlog)
    cpu: dict[int, tuple[str, float]] = {}  # pid → (who, cpu seconds)
    pending = list(faults)
    active: list[Fault] = []
    try:
        next_sample = 0.0
        while time.monotonic() - began < horizon and daemon.alive():
            elapsed = time.monotonic() - began
            for fault in [f for f in pending if f.start <= elapsed]:
                pending.remove(fault)
                fault.start, fault.end = time.time(), time.time() + (fault.end - fault.start)
                fault.injected = True
                if fault.kind == "outage":
                    sources[fault.station].stop()
                else:
                    sources[fault.station].pause()
                active.append(fault)
                print(f"  {elapsed:6.0f} s  {fault.station}: {fault.kind} for {fault.end - fault.start:.0f} s")
            for fault in [f for f in active if f.end <= time.time()]:
                active.remove(fault)
                source = sources[fault.station]
                if fault.kind == "stall":
                    source.resume()
                    # Icecast drops a source silent for its source-timeout (10 s):
                    # the frozen encoder finds its connection gone and exits.
                    time.sleep(0.5)
                if fault.kind == "outage" or source.process is None or source.process.poll() is not None:
                    source.stop()
                    source.start(wait=False)
                fault.end = time.time()
            if elapsed >= next_sample:
                next_sample = elapsed + 10
                samples.append(_sample(me, db, cpu, elapsed))
            time.sleep(0.5)
    finally:
        for fault in active:
            sources[fault.station].resume()
        stopped = time.time()
        daemon.stop(signal.SIGTERM, timeout=120)
        for source in sources.values():
            source.stop()
        server.cleanup()
    _report(args, db, faults, samples, cpu, stopped - wall0, daemon)


def _sample(me: psutil.Process, db: Path, cpu: dict, elapsed: float):
    """(seconds in, {role: (RSS, processes)}, the daemon's open fds, backlog); CPU seconds per process into ``cpu``."""
    rss: dict[str, tuple[int, int]] = {}
    fds = 0
    try:
        procs = [me, *me.children(recursive=True)]
        fds = me.num_fds()
    except psutil.Error:
        procs = []
    for proc in procs:
        try:
            with proc.oneshot():
                memory = proc.memory_info().rss
                times = proc.cpu_times()
                cmdline = proc.cmdline()
        except psutil.Error:
            continue
        cmd = " ".join(cmdline)
        who = "daemon" if proc.pid == me.pid else "worker" if "spawn_main" in cmd else \
            next((part.rsplit("/", 1)[-1].removesuffix(".mp3") for part in cmdline if part.endswith(".mp3")), "other")
        role = who if who in ("daemon", "worker", "other") else "ffmpeg"
        total, count = rss.get(role, (0, 0))
        rss[role] = (total + memory, count + 1)
        cpu[proc.pid] = (who, times.user + times.system)
    backlog = 0
    if db.exists():
        backlog = kit.query(db, "SELECT count(*) FROM recordings WHERE status IN ('pending', 'transcribing')")[0][0]
    return elapsed, rss, fds, backlog


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def _report(args, db: Path, faults: list[Fault], samples, cpu: dict, wall: float, daemon: kit.Process) -> None:
    gaps = [(station, timeutil.parse_iso(start).timestamp(), timeutil.parse_iso(end).timestamp() if end else None,
             reason) for station, start, end, reason in kit.query(
                 db, "SELECT station, start_utc, end_utc, reason FROM gaps ORDER BY start_utc")]
    print("\ngaps caused vs on record:")
    explained = set()
    missing = 0
    for fault in (f for f in faults if f.injected):
        cover = [g for g in gaps
                 if g[0] == fault.station and g[1] <= fault.end and (g[2] is None or g[2] >= fault.start)]
        explained.update(cover)
        lost = fault.end - fault.start
        if cover:
            reasons = ",".join(sorted({g[3] for g in cover}))
            print(f"  {fault.station} {fault.kind:6} {lost:5.0f} s → on record ({reasons})")
        else:
            missing += 1
            print(f"  {fault.station} {fault.kind:6} {lost:5.0f} s → NOT ON RECORD")
    caused = sum(1 for f in faults if f.injected)
    print(f"  caused {caused}, on record {caused - missing}, missing {missing}")
    others = [g for g in gaps if g not in explained]
    by_reason: dict[str, int] = {}
    for g in others:
        by_reason[g[3]] = by_reason.get(g[3], 0) + 1
    print(f"  other gaps on record: {len(others)} {by_reason or ''} (start-up, the stop)")

    print("\nbacklog (pending + transcribing) over time:")
    step = max(1, len(samples) // 12)
    print("  " + "  ".join(f"{t / 60:4.1f} min: {b}" for t, _, _, b in samples[::step]))
    settled = [s for s in samples if s[0] >= WARMUP_SECONDS] or samples
    if settled:
        # A worker's RSS swings with the recording it holds and ffmpeg comes
        # and goes with the outages: compare the medians of the first and
        # the last third of the samples, per process.
        third = max(1, len(settled) // 3)
        head, tail = settled[:third], settled[-third:]
        hours = max((tail[-1][0] + tail[0][0] - head[-1][0] - head[0][0]) / 2 / 3600, 1e-9)
        print(f"\nmemory (RSS per process, median of the first vs the last third of "
              f"{settled[0][0] / 60:.1f}-{settled[-1][0] / 60:.1f} min):")
        for role in ("daemon", "ffmpeg", "worker", "other"):
            def per_process(rows, role=role):
                return _median([rss[role][0] / rss[role][1] for _, rss, _, _ in rows if role in rss])
            before, after = per_process(head), per_process(tail)
            peak = max((rss[role][0] / rss[role][1] for _, rss, _, _ in settled if role in rss), default=0)
            print(f"  {role:7} {before / 2**20:6.1f} → {after / 2**20:6.1f} MB (peak {peak / 2**20:5.1f} MB), "
                  f"{(after - before) / 2**20 / hours:+7.1f} MB/h")
        total = [sum(v for v, _ in rss.values()) for _, rss, _, _ in settled]
        print(f"  all processes together: {_median(total[:third]) / 2**20:.0f} → "
              f"{_median(total[-third:]) / 2**20:.0f} MB")
        print(f"open fds (daemon): {settled[0][2]} → {settled[-1][2]} (max {max(s[2] for s in settled)})")
    totals: dict[str, float] = {}
    for who, seconds in cpu.values():
        totals[who] = totals.get(who, 0.0) + seconds
    print("\nCPU (% of one core over the run):")
    for who in sorted(totals):
        print(f"  {who:14} {100 * totals[who] / wall:5.1f} %")
    rows = kit.query(db, "SELECT station, status, count(*), round(sum(duration)) FROM recordings GROUP BY 1, 2")
    print("\nrecordings:", ", ".join(f"{s} {st} {n} ({d or 0:.0f} s)" for s, st, n, d in rows))
    print("audio recorded vs on air (the run less the faults caused; start-up lag included):")
    for station, seconds in kit.query(db, "SELECT station, sum(duration) FROM recordings GROUP BY 1"):
        off = sum(f.end - f.start for f in faults if f.injected and f.station == station)
        print(f"  {station}: {seconds:.0f} s of {wall - off:.0f} s ({100 * seconds / (wall - off):.1f} %)")
    print("mentions:", kit.query(db, "SELECT count(*) FROM mentions")[0][0], " events:",
          kit.query(db, "SELECT count(*) FROM events")[0][0], " daemon exit:", daemon.proc.returncode)


if __name__ == "__main__":
    main()
