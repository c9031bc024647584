"""Benchmark ``radiomon run``: from a keyword on air to its row in the archive.

    .venv/bin/python benchmarks/latency.py [--minutes 6] [--segment-minutes 1] [--seed 3]

A loopback Icecast station streams a generated programme (espeak-ng Spanish
news with the crisis terms of tests/daemon_kit.py, music and dead air
between them, looped) while ``radiomon run`` records it in
``--segment-minutes`` segments and transcribes and matches each as it
closes (the bundled Whisper base, as many workers as the machine gets).
The archive is polled every 0.2 s; for every crisis mention:

* air → archive: when its mention row was first seen, after the keyword was
  said (its air time: the source's start + its offset in the programme);
* air → event: when its event row (the outbox the alerter reads) was first
  seen;
* air → alert: when a real channel (a JSON webhook on loopback, Apprise
  ``json://``) took the crisis alert (the event's ``delivered_utc``);
* the two parts of air → archive: waiting for the segment to close (air →
  the recording's end) and the work after it (end → row).

Printed as p50/p95/max, with how many crisis terms aired were flagged.
Target: about 2 minutes air → archive with 1-minute segments. Figures depend
on the machine and what else runs on it; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import daemon_kit as kit  # noqa: E402
from alert_servers import Receiver  # noqa: E402
from icecast import IcecastServer, LiveSource  # noqa: E402

from radiomon import timeutil  # noqa: E402
from radiomon.config import load_config  # noqa: E402

MATCH_WINDOW = 8.0  # seconds between a mention's at_utc and a cue's air time for them to be the same keyword


def percentiles(values: list[float]) -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):6.1f} s   p95 {p95:6.1f} s   max {ordered[-1]:6.1f} s   (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=6.0, help="how long the station is recorded")
    parser.add_argument("--segment-minutes", type=float, default=1.0)
    parser.add_argument("--programme-minutes", type=float, default=3.0, help="length of the looped programme")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="folder for the deployment (default: a temporary one)")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="radiomon-latency-"))
    clip = kit.programme(args.programme_minutes * 60, seed=args.seed, gap=(6.0, 14.0))
    cues = kit.cues(clip)
    mp3 = clip.write(folder / "programa.mp3", sample_rate=44100)
    print(f"programme: {clip.duration:.0f} s looped, {len(cues)} crisis terms in it; deployment {folder}")

    server = IcecastServer().start()
    source = LiveSource(server, "/latency.mp3", mp3).start()
    config = kit.write_deployment(folder / "oficina", {"latencia": server.url("/latency.mp3")},
                                  segment_minutes=args.segment_minutes, transcription="workers: 0",
                                  daemon="pass_seconds: 2")
    # A real alert channel: a JSON webhook on loopback (Apprise json://) that takes crisis alerts.
    receiver = Receiver()
    with config.open("a", encoding="utf-8") as out:
        out.write(f"alerts: {{channels: [{{name: webhook, url: '{receiver.url}', priorities: [crisis]}}]}}\n")
    db = load_config(config).archive
    daemon = kit.Process(config, "run")
    seen_mentions: dict[int, tuple[str, str, float, int]] = {}  # id → keyword, at_utc, seen, recording
    seen_events: dict[int, float] = {}  # mention id → seen
    deadline = time.monotonic() + args.minutes * 60
    recorded_until = time.time()
    try:
        while time.monotonic() < deadline and daemon.alive():
            if db.exists():
                now = time.time()
                for mid, keyword, at_utc, rec in kit.query(
                        db, "SELECT id, keyword, at_utc, recording_id FROM mentions WHERE group_id = 'crisis'"):
                    seen_mentions.setdefault(mid, (keyword.lower(), at_utc, now, rec))
                for (mid,) in kit.query(db, "SELECT mention_id FROM events"):
                    seen_events.setdefault(mid, now)
            recorded_until = time.time()
            time.sleep(0.2)
        ends = dict(kit.query(db, "SELECT id, end_utc FROM recordings")) if db.exists() else {}
        delivered = {mid: timeutil.parse_iso(at).timestamp() for mid, at in kit.query(
            db, "SELECT mention_id, delivered_utc FROM events WHERE delivered_utc IS NOT NULL")} if db.exists() else {}
        print(f"daemon ran {args.minutes:g} min; {len(ends)} recording(s) registered, statuses {kit.statuses(db)}")
    finally:
        daemon.stop(signal.SIGTERM)
        source.stop()
        server.cleanup()
        receiver.down()

    started = source.started_at or 0.0
    loops = int(args.minutes * 60 / clip.duration) + 2
    by_air = sorted((started + k * clip.duration + cue.at, cue.keyword) for k in range(loops) for cue in cues)
    archive_lat, event_lat, alert_lat, waiting, working, offsets = [], [], [], [], [], []
    matched_cues = set()
    for mid, (keyword, at_utc, seen, rec) in seen_mentions.items():
        at = timeutil.parse_iso(at_utc).timestamp()
        near = [(abs(air - at), air) for air, kw in by_air if kw == keyword and abs(air - at) < MATCH_WINDOW]
        if not near:
            continue
        _, air = min(near)
        matched_cues.add(air)
        offsets.append(at - air)
        archive_lat.append(seen - air)
        if mid in seen_events:
            event_lat.append(seen_events[mid] - air)
        if mid in delivered:
            alert_lat.append(delivered[mid] - air)
        if ends.get(rec):
            end = timeutil.parse_iso(ends[rec]).timestamp()
            waiting.append(end - air)
            working.append(seen - end)
    # a cue counts as aired-and-due when its segment had time to close and be transcribed
    due = [air for air, _ in by_air if started < air < recorded_until - 2 * args.segment_minutes * 60]
    flagged_due = [air for air in due if air in matched_cues]
    print(f"crisis terms aired (and due): {len(due)}, flagged: {len(flagged_due)}; mentions seen: "
          f"{len(seen_mentions)}, matched to a cue: {len(archive_lat)}")
    print(f"air → archive (mention row):  {percentiles(archive_lat)}")
    print(f"air → event (outbox row):     {percentiles(event_lat)}")
    print(f"air → alert (webhook took it): {percentiles(alert_lat)}; {len(receiver.posts)} alert(s) received")
    print(f"  waiting for the segment end: {percentiles(waiting)}")
    print(f"  end → row (register, transcribe, match): {percentiles(working)}")
    if offsets:
        print(f"mention at_utc − air time: median {statistics.median(offsets):+.2f} s (recorder's timeline)")


if __name__ == "__main__":
    main()
