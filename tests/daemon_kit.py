"""What the daemon's tests and benchmarks share.

* :func:`programme` — a radio programme of Spanish speech (espeak-ng) whose
  sentences carry keywords of :data:`KEYWORDS_YML`, crisis terms included,
  with music and dead air between them; each keyword's place in it is known.
* :func:`write_deployment` — radiomon.yml + keywords.yml around some stations,
  with short segments and a quick watchdog.
* :class:`Process` — ``radiomon …`` as a real child process (optionally
  through ``crashpoint.py``), whose own children are watched so a test can
  ask whether any outlived it.
* :func:`archive_problems` — everything that must hold of an archive after
  any crash and rerun: integrity, the FTS index, no row doubled or lost.

Import it from a test module as ``import daemon_kit as kit`` (``tests/`` is
on ``sys.path`` under pytest, as for ``audio_factory``).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

try:
    import audio_factory as af
except ImportError:  # tests/ is a package in some layouts
    from tests import audio_factory as af

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

#: Three groups, one of them crisis (its mentions become events). Not conftest's KEYWORDS_YML on purpose:
#: the programme's sentences need the dependencias and crisis groups, and the benchmarks import this module
#: outside pytest, where conftest cannot be imported. Its municipio group is conftest's.
KEYWORDS_YML = """\
defaults: {threshold: 88}
groups:
  municipio:
    label: Municipio de Moroleón
    priority: high
    terms:
      - {term: Moroleón, aliases: [Moro León], exclude: [León, Morelia, Morelos]}
  dependencias:
    label: Dependencias municipales
    terms: [Protección Civil, Obras Públicas]
  crisis:
    label: Temas de crisis
    priority: crisis
    terms: [incendio, emergencia, inundación]
"""

#: Sentences the programme reads; each holds one crisis term, and each is
#: one the bundled model transcribes with that term whole. (Not every
#: sentence is: with keywords.yml's names in the prompt, "Protección Civil
#: atiende la emergencia…" came out as "Protección Civil y Obras Públicas."
#: until prompt_guard.py caught the copy; left out, so that these programmes
#: do not depend on that guard.)
SENTENCES = (
    "Se reporta un incendio en una bodega de la colonia centro.",
    "Los bomberos controlaron el incendio cerca del mercado municipal.",
    "Obras Públicas pide reportar cualquier emergencia en las calles.",
    "Por la inundación cerraron el paso hacia la comunidad de Piñícuaro.",
    "Los vecinos reportan un incendio en la colonia centro de Moroleón.",
    "La inundación cerró el camino hacia la comunidad.",
)
CRISIS_TERMS = ("incendio", "emergencia", "inundación")


@dataclass(frozen=True)
class Cue:
    """Where a keyword is said in a programme: seconds from its start."""

    keyword: str
    at: float
    sentence: str


def programme(seconds: float, *, seed: int = 0, gap: tuple[float, float] = (2.0, 5.0)) -> af.Clip:
    """At least ``seconds`` of sentences from :data:`SENTENCES` in a seeded
    order, with dead air and now and then a jingle between them."""
    import random

    rng = random.Random(seed)
    clip = af.silence(0.5)
    while clip.duration < seconds:
        clip = clip + af.speech(rng.choice(SENTENCES), speed=rng.choice((145, 155, 165)))
        if rng.random() < 0.3:
            clip = clip + af.silence(0.5) + af.music(rng.uniform(3, 6), offset=rng.uniform(0, 60), gain_db=-9)
        clip = clip + af.silence(rng.uniform(*gap))
    return clip


def crisis_term(sentence: str) -> str:
    """The crisis term a sentence of :data:`SENTENCES` holds."""
    (term,) = [t for t in CRISIS_TERMS if t in sentence.lower()]
    return term


def cues(clip: af.Clip, terms: tuple[str, ...] = CRISIS_TERMS) -> list[Cue]:
    """Each crisis term's air offset in ``clip``: its sentence's start plus its
    share of the sentence's characters (espeak reads at an even pace)."""
    out = []
    for span in clip.spans_of(af.SPEECH):
        text = span.text or ""
        for term in terms:
            for found in re.finditer(term, text, re.IGNORECASE):
                share = found.start() / max(1, len(text))
                out.append(Cue(term, span.start + share * (span.end - span.start), text))
    return sorted(out, key=lambda c: c.at)


def write_deployment(folder: Path, stations: dict[str, str], *, segment_minutes: float = 0.1,
                     record: str = "", transcription: str = "workers: 1", daemon: str = "pass_seconds: 0.5") -> Path:
    """radiomon.yml (stations ``{id: url}``) and keywords.yml in ``folder``; returns radiomon.yml.

    The watchdog is quick (a stall is 3 s, restarts after 0.5-2 s) and
    digital-silence detection is off: the programmes have dead air. One
    transcription worker, so the order of work is the configured one.
    ``record``, ``transcription`` and ``daemon`` are the insides of those
    sections' flow mappings (``"workers: 1, model: tiny"``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "keywords.yml").write_text(KEYWORDS_YML, encoding="utf-8")
    lines = [
        "timezone: America/Mexico_City",
        "record: {stall_seconds: 3, backoff_initial: 0.5, backoff_max: 2, silence_minutes: 0"
        + (", " + record if record else "") + "}",
        f"transcription: {{{transcription}}}",
        f"daemon: {{{daemon}}}",
        "stations:",
    ]
    for station_id, url in stations.items():
        lines += [f"  - id: {station_id}", f"    url: {url}", f"    segment_minutes: {segment_minutes}"]
    path = folder / "radiomon.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from radiomon.archive import Archive

    Archive(folder / "radiomon.db").close()  # as `radiomon init` leaves it: only init makes an archive
    return path


def radiomon_env() -> dict[str, str]:
    """The environment for a radiomon child: this checkout first on the path, no model download."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.pop("RADIOMON_CONFIG", None)
    env.pop("CRASHPOINT", None)
    return env


class Process:
    """``radiomon --config CONFIG ARGS…`` as a child process; with
    ``crashpoint="PATTERN@N"`` it SIGKILLs itself at that write (crashpoint.py).

    Its own children (ffmpeg, transcription workers) are sampled while it
    runs, so :meth:`survivors` can tell whether any outlived it.
    """

    def __init__(self, config: Path, *args: str, crashpoint: str | None = None, log: Path | None = None):
        env = radiomon_env()
        if crashpoint:
            env["CRASHPOINT"] = crashpoint
            if log:
                env["CRASHPOINT_LOG"] = str(log)
        self.stderr_path = Path(config).parent / f"stderr-{time.monotonic_ns()}.log"
        self._stderr = open(self.stderr_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, str(TESTS / "crashpoint.py"), "--", "--config", str(config), *args],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._stderr, text=True,
        )
        self.children: dict[int, psutil.Process] = {}
        self._watch = threading.Thread(target=self._sample, daemon=True)
        self._watch.start()

    def _sample(self) -> None:
        try:
            me = psutil.Process(self.proc.pid)
            while self.proc.poll() is None:
                for child in me.children(recursive=True):
                    self.children.setdefault(child.pid, child)
                time.sleep(0.1)
        except psutil.Error:
            pass

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait(self, timeout: float) -> int:
        try:
            self.proc.wait(timeout)
        finally:
            self._watch.join(5)
            self._stderr.close()
        return self.proc.returncode

    def stop(self, sig: int, timeout: float = 60) -> int:
        if self.alive():
            self.proc.send_signal(sig)
        return self.wait(timeout)

    def kill(self) -> None:
        if self.alive():
            self.proc.kill()
        self.wait(30)

    @property
    def stdout(self) -> str:
        return self.proc.stdout.read() if self.proc.stdout else ""

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def survivors(self, grace: float = 5.0) -> list[str]:
        """Children still running ``grace`` seconds after it ended (zombies do not count)."""
        deadline = time.monotonic() + grace
        while True:
            alive = []
            for pid, child in list(self.children.items()):
                try:
                    if child.is_running() and child.status() != psutil.STATUS_ZOMBIE:
                        alive.append(f"{pid} {' '.join(child.cmdline())[:120]}")
                except psutil.Error:
                    pass
            if not alive or time.monotonic() > deadline:
                return alive
            time.sleep(0.1)


def wait_for(predicate, timeout: float, step: float = 0.25) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """A read on its own short-lived connection, as any other reader of the archive."""
    conn = sqlite3.connect(str(db), timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def statuses(db: Path) -> dict[str, int]:
    return dict(query(db, "SELECT status, count(*) FROM recordings GROUP BY status"))


def archive_problems(config_path: Path, *, settled: bool = True) -> list[str]:
    """What is wrong with the deployment's archive; empty when all is well.

    Always: SQLite's integrity check, the FTS5 index against its content
    table, no segment or mention stored twice, no event for a mention that
    is not there, no crisis mention without exactly one event, and every
    transcribed recording's segments equal to its transcript file (a kill
    between the file and the rows is made good by the rerun). With
    ``settled`` (after the final rerun): no recording left pending or
    transcribing, every transcribed one matched, and its mentions exactly
    what the matcher finds in its stored segments.
    """
    from radiomon.archive import Archive
    from radiomon.config import load_config
    from radiomon.pipeline.match import load_matcher
    from radiomon.pipeline.match.core import find_in_segments

    config = load_config(config_path)
    db = config.archive
    problems: list[str] = []
    conn = sqlite3.connect(str(db), timeout=30)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            problems.append(f"integrity_check: {check}")
        try:
            # rank 1: also compare the index with the external content table
            conn.execute("INSERT INTO segments_fts (segments_fts, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as err:
            problems.append(f"FTS5 integrity-check: {err}")
        if conn.execute("SELECT count(*) FROM radiomon_bulk_insert").fetchone()[0]:
            problems.append("a bulk-insert flag was left set")
    finally:
        conn.close()

    def rows(sql: str) -> list[tuple]:
        return query(db, sql)

    for row in rows("SELECT recording_id, start_ms, text, count(*) FROM segments GROUP BY 1, 2, 3 "
                    "HAVING count(*) > 1"):
        problems.append(f"segment stored {row[3]} times: recording {row[0]} at {row[1]} ms {row[2]!r}")
    for row in rows("SELECT segment_id, group_id, keyword, offset, count(*) FROM mentions GROUP BY 1, 2, 3, 4 "
                    "HAVING count(*) > 1"):
        problems.append(f"mention stored {row[4]} times: {row[:4]}")
    # Health events (alerts about stations, backlog, disk) are about no mention: mention_id NULL.
    for row in rows("SELECT mention_id, count(*) FROM events WHERE mention_id IS NOT NULL GROUP BY mention_id "
                    "HAVING count(*) > 1"):
        problems.append(f"mention {row[0]} has {row[1]} events")
    for row in rows("SELECT id, mention_id FROM events WHERE mention_id NOT IN (SELECT id FROM mentions)"):
        problems.append(f"event {row[0]} is for mention {row[1]}, which is not stored")
    for row in rows("SELECT id, keyword FROM mentions WHERE group_id = 'crisis' "
                    "AND id NOT IN (SELECT mention_id FROM events WHERE mention_id IS NOT NULL)"):
        problems.append(f"crisis mention {row[0]} ({row[1]}) has no event")
    for rec_id, transcript in rows("SELECT id, transcript_path FROM recordings WHERE status = 'transcribed' "
                                   "AND path IS NOT NULL"):
        stored = [(round(s / 1000, 2), t) for s, t in query(
            db, "SELECT start_ms, text FROM segments WHERE recording_id = ? ORDER BY start_ms, id", (rec_id,))]
        try:
            doc = json.loads(Path(transcript).read_text(encoding="utf-8"))
        except (OSError, TypeError, ValueError) as err:
            problems.append(f"recording {rec_id}: transcript file {transcript}: {err}")
            continue
        if doc.get("recording_id") != rec_id:
            continue  # two recordings starting within one second share a transcript file name
        written = [(round(s["start"], 2), s["text"]) for s in doc["segments"]]
        if stored != written:
            problems.append(f"recording {rec_id}: segments {stored} differ from its transcript file {written}")
    if not settled:
        return problems

    for status in ("pending", "transcribing"):
        left = rows(f"SELECT id, path FROM recordings WHERE status = '{status}'")
        if left:
            problems.append(f"left {status}: {left}")
    for row in rows("SELECT id FROM recordings WHERE status = 'transcribed' AND matched_utc IS NULL"):
        problems.append(f"recording {row[0]} transcribed but never matched")
    matcher = load_matcher(config.keywords)
    with Archive(db) as archive:
        for (rec_id,) in rows("SELECT id FROM recordings WHERE status = 'transcribed'"):
            found = {(m.segment_id, m.group_id, m.keyword, round(m.offset, 2))
                     for m in find_in_segments(matcher, archive.segments_to_match(rec_id))}
            stored = {(m.segment_id, m.group_id, m.keyword, round(m.offset, 2)) for m in archive.mentions_of(rec_id)}
            if found != stored:
                problems.append(f"recording {rec_id}: mentions stored {sorted(stored - found)} but not found, "
                                f"found {sorted(found - stored)} but not stored")
    return problems


def unregistered_audio(config_path: Path) -> list[str]:
    """Audio files under recordings/ with audio in them that no recording row names."""
    from radiomon import media
    from radiomon.config import load_config
    from radiomon.errors import AudioError

    config = load_config(config_path)
    known = {p for (p,) in query(config.archive, "SELECT path FROM recordings WHERE path IS NOT NULL")}
    lost = []
    for path in sorted(Path(config.recordings_dir).rglob("*.*")):
        if str(path) in known or not path.is_file():
            continue
        try:
            seconds = media.probe_duration(path)
        except AudioError:
            continue  # ffmpeg killed as it opened the file: a header, no audio
        if seconds > 0.5:
            lost.append(f"{path} ({seconds:.1f} s)")
    return lost
