"""Mentions evaluation: broadcast-like audio with known mentions, through the real pipeline.

Builds at least ``--minutes`` of radio programme (tests/audio_factory.py):
utterances spoken by espeak-ng with varied voices (es-419, es, female and
male variants), speeds and pitches, some read over music beds, between
songs, human "ads" (Mexican-Spanish prompts, no mentions) and dead air. The
utterances (benchmarks/municipalities/moroleon.py, written for this
benchmark, not the test or audio_factory texts) carry at least 150 known mentions across every group of
the default keywords.yml, plus look-alikes that must not count (León,
Morelia, Morelos, Moreno, Morena, NIF, "incendiario", "bloqueador").

The audio is cut into 10-minute files, registered with ``radiomon import``,
transcribed with ``radiomon transcribe`` (bundled base model), matched with
``radiomon match`` (a no-op once transcription matches each recording), and
read back with ``radiomon mentions --format json``. Then it prints recall
and precision per group and overall, and the median time error:

* a found mention counts when its group is right and its time falls inside
  an utterance (±0.5 s) that has an expected mention of that group;
* an expected mention is recalled when such a found mention exists (one
  found mention per expected one);
* the time error is |found offset − expected time|, the expected time
  estimated from the keyword's position in the sentence's characters.

Targets (base model): recall ≥ 0.90, precision ≥ 0.95 overall, median time
error ≤ 2 s.

    python benchmarks/mentions.py                 # 30 minutes, seed 1
    python benchmarks/mentions.py --minutes 5     # quick look
    python benchmarks/mentions.py --keep /tmp/ev  # keep the deployment to inspect

Figures measured so far: benchmarks/NOTES.md.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path

from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import audio_factory as af  # noqa: E402

from radiomon.archive import Archive  # noqa: E402
from radiomon.cli import main as cli_main  # noqa: E402
from radiomon.keywords import Matcher, load_keywords, words_from_text  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from municipalities.moroleon import SENTENCES  # noqa: E402

VOICES = ("es-419", "es", "es-419+f3", "es+m3", "es-419+f2", "es+f4", "es-419+m1")
START = datetime(2026, 11, 25, 14, 0, tzinfo=timezone.utc)
FILE_MINUTES = 10
# Seconds around an utterance: Whisper's word times at the start of a
# segment run up to about a second early.
TOLERANCE = 1.0


@dataclass
class Utterance:
    start: float  # seconds from the programme start
    end: float
    text: str
    expected: tuple[tuple[str, str], ...]
    voice: str = ""


def programme(minutes: float, seed: int) -> tuple[af.Clip, list[Utterance]]:
    """Utterances with varied voices, beds, songs, ads and silences."""
    rng = random.Random(seed)
    ads = [p for p in af.prompts() if p.startswith(("demo-", "vm-", "conf-", "agent-", "dir-"))] or af.prompts()
    tracks = af.tracks()
    clip = af.silence(0.5)
    order: list[int] = []
    voices: list[str] = []
    while clip.duration < minutes * 60:
        if not order:
            order = list(range(len(SENTENCES)))
            rng.shuffle(order)
        block = af.silence(0.01)
        for _ in range(rng.randint(2, 4)):
            if not order:
                break
            text, _ = SENTENCES[order.pop()]
            voice = rng.choice(VOICES)
            voices.append(voice)
            block = block + af.speech(text, voice=voice, speed=rng.choice((135, 150, 160, 170)),
                                      pitch=rng.choice((35, 45, 50, 60)))
            block = block + af.silence(rng.uniform(0.4, 1.2), noise_db=-60, seed=rng.randrange(1 << 16))
        kind = rng.choice(("dry", "dry", "bed", "song", "ad"))
        if kind == "bed":
            clip = clip + af.over_bed(block, track=rng.choice(tracks), offset=rng.uniform(0, 60),
                                      bed_db=rng.choice((-24.0, -20.0)))
        elif kind == "song":
            clip = clip + af.music(rng.uniform(15, 40), track=rng.choice(tracks), offset=rng.uniform(0, 120)) + block
        elif kind == "ad":
            clip = clip + af.prompt(rng.choice(ads)) + af.silence(0.4) + af.prompt(rng.choice(ads)) + block
        else:
            clip = clip + block
        clip = clip + af.silence(rng.uniform(1.0, 3.0), noise_db=-60, seed=rng.randrange(1 << 16))
    by_text = dict(SENTENCES)
    spans = clip.spans_of(af.SPEECH)
    assert len(spans) == len(voices)
    utterances = [Utterance(s.start, s.end, s.text, by_text[s.text], v) for s, v in zip(spans, voices)]
    return clip, utterances


def expected_time(utt: Utterance, first_word: str) -> float:
    """Where in the utterance the keyword starts, by its share of the characters."""
    at = utt.text.find(first_word)
    at = 0 if at < 0 else at
    return utt.start + (utt.end - utt.start) * at / max(1, len(utt.text))


def check_sentences(keywords_path: Path) -> list[str]:
    """The matcher on the sentences as written must find exactly the expected groups."""
    matcher = Matcher(load_keywords(keywords_path))
    problems = []
    for text, expected in SENTENCES:
        found = sorted(m.group_id for m in matcher.find_mentions(words_from_text(text, 0, 5)))
        if found != sorted(g for g, _ in expected):
            problems.append(f"{text!r}: written text gives {found}, expected {sorted(g for g, _ in expected)}")
    return problems


def run_cli(*args: str) -> str:
    result = CliRunner().invoke(cli_main, list(args), catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(f"radiomon {' '.join(args)} failed:\n{result.output}")
    return result.stdout


def score(utterances: list[Utterance], found: list[dict]) -> dict:
    """Recall, precision per group and the time errors (see the module doc).

    Found mentions are paired with expected ones of the same group in two
    passes: first those that fall inside the utterance, then those within
    TOLERANCE of it (Whisper's first word of a segment often starts early,
    in the pause before it). In each pass the closest pairs are made first,
    so a mention 0.1 s before its utterance is not given to the one that
    ended 0.9 s earlier. Unpaired found mentions are false.
    """
    def distance(utt: Utterance, t: float) -> float:
        return max(utt.start - t, t - utt.end, 0.0)

    expected = [(u, g, w) for u in utterances for g, w in u.expected]
    pairs: dict[int, int] = {}  # expected index → found index
    used: set[int] = set()
    for limit in (0.0, TOLERANCE):
        options = sorted(
            (distance(utt, m["t"]), abs(m["t"] - expected_time(utt, word)), e, i)
            for e, (utt, group, word) in enumerate(expected) if e not in pairs
            for i, m in enumerate(found)
            if i not in used and m["group"] == group and distance(utt, m["t"]) <= limit
        )
        for _, _, e, i in options:
            if e not in pairs and i not in used:
                pairs[e] = i
                used.add(i)
    hits: dict[str, int] = defaultdict(int)
    totals: dict[str, int] = defaultdict(int)
    errors: list[float] = []
    missed: list[tuple[Utterance, str]] = []
    for e, (utt, group, word) in enumerate(expected):
        totals[group] += 1
        if e in pairs:
            hits[group] += 1
            errors.append(abs(found[pairs[e]]["t"] - expected_time(utt, word)))
        else:
            missed.append((utt, group))
    predicted: dict[str, int] = defaultdict(int)
    for m in found:
        predicted[m["group"]] += 1
    false = [m for i, m in enumerate(found) if i not in used]
    return {"hits": hits, "totals": totals, "predicted": predicted, "errors": errors, "false": false,
            "missed": missed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--model", default=None, help="transcription model (default: the config's, base)")
    parser.add_argument("--keep", type=Path, help="build the deployment here and keep it")
    args = parser.parse_args()
    reason = af.missing()
    if reason:
        raise SystemExit(f"cannot build test audio: {reason}")

    folder = args.keep or Path(tempfile.mkdtemp(prefix="radiomon-mentions-"))
    if folder.exists() and args.keep:
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "radiomon.yml").write_text(
        "timezone: America/Mexico_City\nstations:\n  - id: radio-eval\n    name: Radio de evaluación\n"
        "    url: http://127.0.0.1:8000/eval.mp3\n", encoding="utf-8")
    keywords = folder / "keywords.yml"
    keywords.write_text((resources.files("radiomon") / "data" / "keywords.yml").read_text(encoding="utf-8"),
                        encoding="utf-8")
    for problem in check_sentences(keywords):
        print(f"warning: {problem}", file=sys.stderr)

    began = time.perf_counter()
    clip, utterances = programme(args.minutes, args.seed)
    n_expected = sum(len(u.expected) for u in utterances)
    print(f"programme: {clip.duration / 60:.1f} min, {len(utterances)} utterances, {n_expected} expected mentions, "
          f"{sum(1 for u in utterances if not u.expected)} utterances with look-alikes only "
          f"(built in {time.perf_counter() - began:.0f} s)", file=sys.stderr)

    # Cut into 10-minute recordings, as the recorder would.
    files, file_starts = [], []
    step = FILE_MINUTES * 60
    n = af.SAMPLE_RATE
    for k, at in enumerate(range(0, int(clip.duration) + 1, step)):
        piece = af.Clip(clip.audio[at * n:(at + step) * n])
        if piece.duration < 1:
            break
        start = START + timedelta(seconds=at)
        path = folder / "audio" / f"{start.astimezone(timezone(timedelta(hours=-6))):%Y%m%d-%H%M%S}.mp3"
        piece.write(path)
        files.append(path)
        file_starts.append(float(at))

    config = ["--config", str(folder / "radiomon.yml")]
    run_cli(*config, "import", *map(str, files), "--station", "radio-eval")
    began = time.perf_counter()
    transcribe_args = ["--model", args.model] if args.model else []
    print(run_cli(*config, "transcribe", *transcribe_args).strip(), file=sys.stderr)
    transcribe_s = time.perf_counter() - began
    run_cli(*config, "match")
    rows = json.loads(run_cli(*config, "mentions", "--format", "json"))
    # Programme time of a mention: its file's place in the programme + offset.
    with Archive(folder / "radiomon.db") as archive:
        at_of = {
            r["id"]: file_starts[files.index(Path(r["path"]))] for r in archive.query("SELECT id, path FROM recordings")
        }
    found = [dict(r, t=at_of[r["recording_id"]] + r["offset"]) for r in rows]

    result = score(utterances, found)
    groups = sorted(set(result["totals"]) | set(result["predicted"]))
    print(f"{'group':<14}{'expected':>9}{'found':>7}{'recall':>8}{'precision':>10}")
    for g in groups:
        total, hit, pred = result["totals"][g], result["hits"][g], result["predicted"][g]
        recall = hit / total if total else float("nan")
        precision = hit / pred if pred else float("nan")
        print(f"{g:<14}{total:>9}{pred:>7}{recall:>8.2f}{precision:>10.2f}")
    total, hit, pred = sum(result["totals"].values()), sum(result["hits"].values()), len(found)
    recall, precision = hit / total, (hit / pred if pred else 0.0)
    median = statistics.median(result["errors"]) if result["errors"] else float("nan")
    print(f"{'overall':<14}{total:>9}{pred:>7}{recall:>8.2f}{precision:>10.2f}")
    print(f"median time error {median:.2f} s (p90 {statistics.quantiles(result['errors'], n=10)[-1]:.2f} s); "
          f"transcription {transcribe_s:.0f} s for {clip.duration / 60:.1f} min of audio")
    print(f"targets: recall >= 0.90 {'ok' if recall >= 0.90 else 'MISSED'}, precision >= 0.95 "
          f"{'ok' if precision >= 0.95 else 'MISSED'}, median time error <= 2 s {'ok' if median <= 2 else 'MISSED'}")
    by_voice: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed_keys = {(id(u), g) for u, g in result["missed"]}
    for u in utterances:
        for g, _ in u.expected:
            by_voice[u.voice][0] += 1
            by_voice[u.voice][1] += (id(u), g) not in missed_keys
    print("recall by voice: " + ", ".join(f"{v} {h / t:.2f} ({t})" for v, (t, h) in sorted(by_voice.items())))
    for m in result["false"][:20]:
        print(f"  false: {m['group']} {m['keyword']!r} heard {m['matched']!r} at {m['t']:.1f} s: {m['context']}")
    for utt, group in result["missed"][:30]:
        print(f"  missed: {group} at {utt.start:.1f} s in {utt.text!r}")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
