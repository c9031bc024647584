"""Benchmark ``radiomon record``: N stations from a local Icecast server.

    .venv/bin/python benchmarks/record.py [--stations 20] [--seconds 120] [--segment-minutes 0.5]

Starts icecast2 with one mount per station, each fed by ``ffmpeg -re -c copy``
from the same non-repeating test programme (pink noise under a tone), runs
``radiomon record`` as a separate process for ``--seconds`` and prints:

* CPU per station (ffmpeg children, and the Python supervisor's share) as %
  of one core, and memory (USS, private bytes) per ffmpeg and of the supervisor;
* segment boundary error against the clock, two ways: as registered in the
  archive, and by audio — where each file's first second really sits in the
  programme (cross-correlation), turned into the wall time it was broadcast;
* audio lost or duplicated across a forced reconnect: one station's ffmpeg is
  SIGKILLed mid-run; the last file before and the first after are located in
  the programme, and the distance between them is what was lost (> 0) or
  recorded twice (< 0).

Targets: ≤ 1 % of one core per station in copy mode, boundaries
within 1 s of the clock, nothing duplicated. Figures depend on the machine;
nothing here is asserted.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from icecast import IcecastServer, LiveSource, make_source_mp3  # noqa: E402

from radiomon.archive import Archive  # noqa: E402
from radiomon.config import load_config  # noqa: E402
from radiomon.filters import Filters  # noqa: E402
from radiomon.schedule import boundary_error  # noqa: E402

RATE = 8000  # analysis sample rate


def decode(
    path: Path, start: float | None = None, seconds: float | None = None, tail: float | None = None
) -> np.ndarray:
    args = ["ffmpeg", "-nostdin", "-v", "error"]
    if tail is not None:
        args += ["-sseof", f"-{tail}"]
    if start is not None:
        args += ["-ss", str(start)]
    args += ["-i", str(path)]
    if seconds is not None:
        args += ["-t", str(seconds)]
    args += ["-ac", "1", "-ar", str(RATE), "-f", "f32le", "-"]
    raw = subprocess.run(args, capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.float32)


class Locator:
    """Where a snippet of recorded audio sits in the programme (seconds), by FFT cross-correlation."""

    def __init__(self, programme: np.ndarray):
        self.programme = programme - programme.mean()
        self.n = 1 << int(np.ceil(np.log2(len(programme) * 2)))
        self.spectrum = np.fft.rfft(self.programme, self.n)

    def find(self, snippet: np.ndarray) -> tuple[float, float]:
        snippet = snippet - snippet.mean()
        corr = np.fft.irfft(self.spectrum * np.conj(np.fft.rfft(snippet, self.n)), self.n)[: len(self.programme)]
        best = int(np.argmax(corr))
        sharpness = float(
            corr[best] / (np.sqrt(np.sum(snippet**2) * np.sum(self.programme[best : best + len(snippet)] ** 2)) + 1e-9)
        )
        return best / RATE, sharpness


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stations", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--segment-minutes", type=float, default=0.5)
    parser.add_argument("--kill-at", type=float, default=50, help="seconds in: SIGKILL one station's ffmpeg")
    parser.add_argument("--silence-minutes", type=float, default=5.0, help="0 disables silence detection (no decoding)")
    parser.add_argument("--bitrate", default="64k", help="bitrate of the test programme")
    parser.add_argument("--keep", action="store_true", help="keep the recordings folder")
    opts = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="radiomon-bench-"))
    programme_seconds = opts.seconds + 90
    programme = make_source_mp3(work / "programme.mp3", programme_seconds, bitrate=opts.bitrate)
    server = IcecastServer(sources=opts.stations + 5).start()
    ids = [f"s{i:02d}" for i in range(1, opts.stations + 1)]
    sources = {}
    try:
        for sid in ids:
            sources[sid] = LiveSource(server, f"/{sid}.mp3", programme, loop=False).start(wait=False)
        for sid in ids:
            server.wait_mount(f"/{sid}.mp3")
        stations = "".join(
            f"  - id: {sid}\n    url: {server.url(f'/{sid}.mp3')}\n    segment_minutes: {opts.segment_minutes}\n"
            for sid in ids
        )
        config_path = work / "radiomon.yml"
        config_path.write_text(
            "timezone: America/Mexico_City\n"
            f"record: {{backoff_initial: 1, silence_minutes: {opts.silence_minutes}}}\n"
            f"stations:\n{stations}"
        )
        config = load_config(config_path)
        print(f"{opts.stations} stations, {opts.seconds:g} s, segments of {opts.segment_minutes * 60:g} s, "
              f"programme {opts.bitrate} mp3, silence detection "
              f"{'on' if opts.silence_minutes else 'off'}; cpu count {psutil.cpu_count()}", flush=True)
        recorder = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "radiomon",
                "--config",
                str(config_path),
                "record",
                "--duration",
                f"{opts.seconds}s",
            ],
            cwd=ROOT,
            stderr=open(work / "record.log", "w"),
        )
        parent = psutil.Process(recorder.pid)
        t0 = time.time()
        samples: dict[
            int, tuple[str, float, float, int, float]
        ] = {}  # pid -> (station, cpu, first seen, uss, last seen)
        cpu_start: dict[int, tuple[float, float]] = {}  # pid -> (cpu seconds, wall) when first seen
        parent_cpu0 = None
        killed_at = None
        parent_rss = []
        while recorder.poll() is None:
            now = time.time()
            try:
                pc = parent.cpu_times()
                if parent_cpu0 is None and now - t0 > 5:
                    parent_cpu0 = (pc.user + pc.system, now)
                parent_cpu_last = (pc.user + pc.system, now)
                parent_rss.append(parent.memory_full_info().uss)
                children = parent.children()
            except psutil.NoSuchProcess:
                break
            for child in children:
                try:
                    cmd = child.cmdline()
                    if not cmd or "ffmpeg" not in cmd[0] or "segment" not in cmd:
                        continue
                    sid = next(s for s in ids if any(a.endswith(f"/{s}.mp3") for a in cmd))
                    times = child.cpu_times()
                    cpu = times.user + times.system
                    first = samples.get(child.pid, (sid, cpu, now, 0, now))
                    # USS: memory this ffmpeg alone holds (RSS counts the shared libraries of all 20)
                    samples[child.pid] = (sid, cpu, first[2], child.memory_full_info().uss, now)
                    cpu_start.setdefault(child.pid, (cpu, now))
                    if killed_at is None and now - t0 >= opts.kill_at and sid == ids[0]:
                        child.send_signal(signal.SIGKILL)
                        killed_at = now
                        print(f"t={now - t0:.0f}s: SIGKILL {sid}'s ffmpeg (pid {child.pid})", flush=True)
                except (psutil.NoSuchProcess, psutil.AccessDenied, StopIteration):
                    continue
            time.sleep(1.0)
        recorder.wait()
        wall = time.time() - t0
        print(f"recorder exit status {recorder.returncode} after {wall:.1f} s", flush=True)

        # ---------------------------------------------------------------- CPU & memory
        per_station_cpu: dict[str, float] = {}
        per_station_wall: dict[str, float] = {}
        rss = []
        for pid, (sid, cpu, first, mem, last) in samples.items():
            cpu0, t_first = cpu_start[pid]
            per_station_cpu[sid] = per_station_cpu.get(sid, 0.0) + (cpu - cpu0)
            per_station_wall[sid] = per_station_wall.get(sid, 0.0) + (last - t_first)
            rss.append(mem)
        shares = [100 * per_station_cpu[s] / per_station_wall[s] for s in per_station_cpu if per_station_wall[s] > 0]
        sup_share = 0.0
        if parent_cpu0 is not None:
            sup_share = 100 * (parent_cpu_last[0] - parent_cpu0[0]) / (parent_cpu_last[1] - parent_cpu0[1])
        print("\nCPU (% of one core)")
        print(f"  ffmpeg per station: mean {statistics.mean(shares):.2f}  median {statistics.median(shares):.2f}  "
              f"max {max(shares):.2f}")
        print(f"  supervisor (Python, all stations): {sup_share:.2f}  = {sup_share / len(ids):.2f} per station")
        print(f"  total per station: {statistics.mean(shares) + sup_share / len(ids):.2f}")
        print("memory (USS: private to each process)")
        print(f"  ffmpeg per station: mean {statistics.mean(rss) / 2**20:.1f} MiB, max {max(rss) / 2**20:.1f} MiB")
        print(f"  supervisor: {max(parent_rss) / 2**20:.1f} MiB")

        # ---------------------------------------------------------------- boundaries
        locator = Locator(decode(programme))
        tz = config.timezone
        seg = opts.segment_minutes * 60
        registered_err, weak = [], 0
        audio_err: dict[str, list[float]] = {}
        with Archive(config.archive) as archive:
            rows = {sid: archive.recordings(Filters(stations=(sid,))) for sid in ids}
            gaps = {sid: archive.gaps(Filters(stations=(sid,))) for sid in ids}
        for sid in ids:
            for i, row in enumerate(rows[sid]):
                if i == 0 or row.duration < seg * 0.5 or (sid == ids[0] and killed_at is not None
                                                          and abs(row.start.timestamp() - killed_at) < seg * 1.5):
                    continue  # first files start when recording starts, not at a boundary
                registered_err.append(boundary_error(row.start, seg, tz))
                where, sharp = locator.find(decode(Path(row.path), seconds=1.0))
                if sharp < 0.5:
                    weak += 1
                    continue
                broadcast = sources[sid].started_at + where  # -re: programme second x went out at start + x
                audio_err.setdefault(sid, []).append(
                    boundary_error(datetime.fromtimestamp(broadcast, tz), seg, tz)
                )
        print("segment boundary error against the clock (s)")
        print(f"  as registered: n={len(registered_err)}  mean {statistics.mean(registered_err):+.3f}  "
              f"max |err| {max(map(abs, registered_err)):.3f}")
        if audio_err:
            # "by audio" carries each source ffmpeg's own start-up latency (process start, input
            # probe, icecast handshake before -re starts its clock) as a constant per station;
            # what is left after removing it is the jitter of the cuts themselves.
            offsets = {sid: statistics.mean(errs) for sid, errs in audio_err.items()}
            jitter = [e - offsets[sid] for sid, errs in audio_err.items() for e in errs]
            print(f"  by audio, jitter of the cuts (each source's constant start latency removed): "
                  f"n={len(jitter)}  max |err| {max(map(abs, jitter)):.3f}  sd {statistics.pstdev(jitter):.3f}")
            print(f"  (source start latencies: {min(offsets.values()):+.2f} … {max(offsets.values()):+.2f} s; "
                  f"{weak} weak matches skipped)")

        # ---------------------------------------------------------------- continuity
        print("continuity between consecutive files of one ffmpeg (by audio, s; + lost, - duplicated)")
        joins = []
        for sid in ids[1:4]:
            for a, b in zip(rows[sid], rows[sid][1:]):
                end_a, _ = locator.find(decode(Path(a.path), tail=1.0))
                end_a += len(decode(Path(a.path), tail=1.0)) / RATE
                start_b, _ = locator.find(decode(Path(b.path), seconds=1.0))
                joins.append(start_b - end_a)
        print(f"  n={len(joins)}  " + " ".join(f"{j:+.3f}" for j in joins))

        victim = ids[0]
        print(f"forced reconnect of {victim}")
        if killed_at is None:
            print("  (no kill happened: run longer than --kill-at)")
        else:
            before = [r for r in rows[victim] if r.start.timestamp() < killed_at]
            after = [r for r in rows[victim] if r.start.timestamp() >= before[-1].start.timestamp() + 0.001]
            a, b = before[-1], after[0]
            tail = decode(Path(a.path), tail=2.0)
            end_a = locator.find(tail)[0] + len(tail) / RATE
            start_b = locator.find(decode(Path(b.path), seconds=2.0))[0]
            truth = start_b - end_a
            believed = (b.start - a.start).total_seconds() - a.duration
            print(f"  by audio: {'lost' if truth > 0 else 'duplicated'} {abs(truth):.3f} s of programme "
                  f"between {Path(a.path).name} and {Path(b.path).name}")
            print(
                f"  as registered: gap {believed:+.3f} s; gap rows: "
                + ", ".join(
                    f"{g['reason']} {g['start_utc'][11:23]}→{(g['end_utc'] or 'open')[11:23]}" for g in gaps[victim]
                )
            )
            log = (work / "record.log").read_text()
            trimmed = [line.split(": ", 2)[-1] for line in log.splitlines() if f"{victim}: trimmed" in line]
            print("  " + ("; ".join(trimmed) if trimmed else "nothing trimmed"))
        print(f"\nsegments registered: {sum(len(r) for r in rows.values())}; "
              f"files: {work / 'recordings' if opts.keep else '(removed)'}")
    finally:
        for source in sources.values():
            source.stop()
        server.cleanup()
        if not opts.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
