"""Mentions evaluation: broadcast-like audio with known mentions, through the real pipeline.

Builds at least ``--minutes`` of radio programme (tests/audio_factory.py):
utterances spoken by espeak-ng with varied voices (es-419, es, female and
male variants), speeds and pitches, some read over music beds, between
songs, human "ads" (Mexican-Spanish prompts, no mentions) and dead air. The
utterances are one municipality's sentences (benchmarks/municipalities/,
written for this benchmark, not the test or audio_factory texts): in 30
minutes they carry at least 150 known mentions across every group of its
keywords file, plus look-alikes that must not count (for Moroleón: León,
Morelia, Morelos, Moreno, Morena, NIF, "incendiario", "bloqueador"; for
Pénjamo: "pensamos", "a solo", piedad, León, a teacher named Corral) and
everyday phrases a few letters from a department's name.

``--municipality`` picks the sentences: moroleon (the default, what radiomon
was developed on) or penjamo (Pénjamo, Guanajuato, written later to see
whether the figures hold elsewhere). ``--keywords`` picks the keywords.yml
the deployment gets: tuned (the bundled radiomon/data/keywords.yml, tuned on
this evaluation's Moroleón misses; Moroleón's default), plain (the
municipality's file written the way a new office would: no per-term
thresholds, no aliases for mishearings; Pénjamo's default) or a path.
Before anything is spoken, the matcher reads each sentence as written with
that file and warns where it does not find exactly the expected groups.

Each seed of ``--seeds`` is a sample: its own programme (the order of the
sentences, voices, speeds, beds) and its own deployment. Its audio is cut
into 10-minute files, registered with ``radiomon import``, transcribed
with ``radiomon transcribe`` (bundled base model), matched with ``radiomon
match`` (a no-op once transcription matches each recording), and read back
with ``radiomon mentions --format json``. Then it prints recall and
precision per group and overall, and the median time error:

* a found mention counts when its group is right and its time falls inside
  an utterance, or within a second of it (TOLERANCE), that has an expected
  mention of that group;
* an expected mention is recalled when such a found mention exists (one
  found mention per expected one);
* the time error is |found offset − expected time|, the expected time
  estimated from the keyword's position in the sentence's characters.

With several seeds, a line per sample follows, and one for all of them
together (hits, expected and found mentions summed, time errors pooled).
``--json FILE`` writes the same figures, by group too, with every false
mention and miss, for adding up runs later.

Targets (base model): recall ≥ 0.90, precision ≥ 0.95 overall, median time
error ≤ 2 s.

Seen and unseen seeds: seeds 1–8 of Moroleón were looked at while radiomon
(its matcher, rescoring and the tuned keywords.yml) was developed, so its
figures on them are not a test of anything new. For the generalization
check the convention is: seeds 1–3 of each municipality are seen (they may
be looked at while developing; ``--seeds seen``), seeds 201–203 are unseen
(``--seeds unseen``: run once at the end, on the final code, and not looked
at before). A change made after looking at an unseen seed's misses makes it
seen: seeds 101–103 were the unseen ones of the first round of this check,
and count as seen since their misses were read.

    python benchmarks/mentions.py                 # Moroleón, tuned keywords, 30 minutes, seed 1
    python benchmarks/mentions.py --minutes 5     # quick look
    python benchmarks/mentions.py --keep /tmp/ev  # keep the deployment to inspect
    python benchmarks/mentions.py --municipality penjamo --seeds seen --json penjamo-seen.json
    python benchmarks/mentions.py --keywords plain --seeds unseen --json moroleon-plain-unseen.json

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
from pathlib import Path

from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import audio_factory as af  # noqa: E402

from radiomon.archive import Archive  # noqa: E402
from radiomon.cli import main as cli_main  # noqa: E402
from radiomon.keywords import Matcher, load_keywords, words_from_text  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from municipalities import MUNICIPALITIES, Municipality, Sentence  # noqa: E402

VOICES = ("es-419", "es", "es-419+f3", "es+m3", "es-419+f2", "es+f4", "es-419+m1")
START = datetime(2026, 11, 25, 14, 0, tzinfo=timezone.utc)
FILE_MINUTES = 10
# What --seeds seen and unseen stand for (the module doc's convention).
NAMED_SEEDS = {"seen": (1, 2, 3), "unseen": (201, 202, 203)}
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


def programme(sentences: list[Sentence], minutes: float, seed: int) -> tuple[af.Clip, list[Utterance]]:
    """``sentences`` spoken with varied voices, beds, songs, ads and silences."""
    rng = random.Random(seed)
    ads = [p for p in af.prompts() if p.startswith(("demo-", "vm-", "conf-", "agent-", "dir-"))] or af.prompts()
    tracks = af.tracks()
    clip = af.silence(0.5)
    order: list[int] = []
    voices: list[str] = []
    while clip.duration < minutes * 60:
        if not order:
            order = list(range(len(sentences)))
            rng.shuffle(order)
        block = af.silence(0.01)
        for _ in range(rng.randint(2, 4)):
            if not order:
                break
            text, _ = sentences[order.pop()]
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
    by_text = dict(sentences)
    spans = clip.spans_of(af.SPEECH)
    assert len(spans) == len(voices)
    utterances = [Utterance(s.start, s.end, s.text, by_text[s.text], v) for s, v in zip(spans, voices)]
    return clip, utterances


def expected_time(utt: Utterance, first_word: str) -> float:
    """Where in the utterance the keyword starts, by its share of the characters."""
    at = utt.text.find(first_word)
    at = 0 if at < 0 else at
    return utt.start + (utt.end - utt.start) * at / max(1, len(utt.text))


def check_sentences(sentences: list[Sentence], keywords_path: Path) -> list[str]:
    """The matcher on the sentences as written must find exactly the expected groups."""
    matcher = Matcher(load_keywords(keywords_path))
    problems = []
    for text, expected in sentences:
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


def keywords_file(municipality: Municipality, choice: str | None) -> Path:
    """The keywords file ``--keywords`` names: tuned (Moroleón's bundled one),
    plain (the municipality's own) or a path; by default tuned where there is
    one."""
    choice = choice or ("tuned" if municipality.tuned else "plain")
    if choice == "tuned":
        if municipality.tuned is None:
            raise SystemExit(f"no tuned keywords for {municipality.name}: use --keywords plain or a file")
        return municipality.tuned
    if choice == "plain":
        return municipality.plain
    path = Path(choice)
    if not path.is_file():
        raise SystemExit(f"--keywords {choice}: no such file; use tuned, plain or the path of a keywords.yml")
    return path


def parse_seeds(text: str) -> list[int]:
    """``1,2,3``, ``seen`` or ``unseen`` (the module doc says which are which)."""
    if text in NAMED_SEEDS:
        return list(NAMED_SEEDS[text])
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give seeds as 1,2,3 or say seen or unseen") from None


def run_sample(sentences: list[Sentence], keywords: Path, folder: Path, *, minutes: float, seed: int,
               model: str | None) -> dict:
    """One programme through a fresh deployment in ``folder``: its score, as :func:`score`
    gives it, with what the printout and the JSON need besides."""
    folder.mkdir(parents=True, exist_ok=True)  # a fresh temporary folder is already there
    (folder / "radiomon.yml").write_text(
        "timezone: America/Mexico_City\nstations:\n  - id: radio-eval\n    name: Radio de evaluación\n"
        "    url: http://127.0.0.1:8000/eval.mp3\n", encoding="utf-8")
    (folder / "keywords.yml").write_text(keywords.read_text(encoding="utf-8"), encoding="utf-8")
    run_cli("init", str(folder))  # keeps the files written above, makes the archive: as an office starts

    began = time.perf_counter()
    clip, utterances = programme(sentences, minutes, seed)
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
    transcribe_args = ["--model", model] if model else []
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
    return dict(score(utterances, found), seed=seed, found=found, utterances=utterances,
                minutes=clip.duration / 60, transcribe_s=transcribe_s)


def print_sample(result: dict) -> None:
    """The sample's figures by group, by voice, and its false mentions and misses."""
    groups = sorted(set(result["totals"]) | set(result["predicted"]))
    print(f"{'group':<14}{'expected':>9}{'found':>7}{'recall':>8}{'precision':>10}")
    for g in groups:
        total, hit, pred = result["totals"][g], result["hits"][g], result["predicted"][g]
        recall = hit / total if total else float("nan")
        precision = hit / pred if pred else float("nan")
        print(f"{g:<14}{total:>9}{pred:>7}{recall:>8.2f}{precision:>10.2f}")
    total, hit, pred = sum(result["totals"].values()), sum(result["hits"].values()), len(result["found"])
    recall, precision = hit / total, (hit / pred if pred else 0.0)
    median = statistics.median(result["errors"]) if result["errors"] else float("nan")
    print(f"{'overall':<14}{total:>9}{pred:>7}{recall:>8.2f}{precision:>10.2f}")
    p90 = statistics.quantiles(result["errors"], n=10)[-1] if len(result["errors"]) > 1 else float("nan")
    print(f"median time error {median:.2f} s (p90 {p90:.2f} s); "
          f"transcription {result['transcribe_s']:.0f} s for {result['minutes']:.1f} min of audio")
    print(f"targets: recall >= 0.90 {'ok' if recall >= 0.90 else 'MISSED'}, precision >= 0.95 "
          f"{'ok' if precision >= 0.95 else 'MISSED'}, median time error <= 2 s {'ok' if median <= 2 else 'MISSED'}")
    by_voice: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed_keys = {(id(u), g) for u, g in result["missed"]}
    for u in result["utterances"]:
        for g, _ in u.expected:
            by_voice[u.voice][0] += 1
            by_voice[u.voice][1] += (id(u), g) not in missed_keys
    print("recall by voice: " + ", ".join(f"{v} {h / t:.2f} ({t})" for v, (t, h) in sorted(by_voice.items())))
    for m in result["false"][:20]:
        print(f"  false: {m['group']} {m['keyword']!r} heard {m['matched']!r} at {m['t']:.1f} s: {m['context']}")
    for utt, group in result["missed"][:30]:
        print(f"  missed: {group} at {utt.start:.1f} s in {utt.text!r}")


def figures(results: list[dict]) -> dict:
    """Recall, precision and time error of one or several samples taken
    together (hits, expected and found summed, time errors pooled), overall
    and by group, with every false mention and miss: the JSON's record."""
    def ratio(a: int, b: int) -> float | None:
        return a / b if b else None

    totals: dict[str, int] = defaultdict(int)
    hits: dict[str, int] = defaultdict(int)
    predicted: dict[str, int] = defaultdict(int)
    errors: list[float] = []
    false, missed = [], []
    for r in results:
        for g, n in r["totals"].items():
            totals[g] += n
        for g, n in r["hits"].items():
            hits[g] += n
        for g, n in r["predicted"].items():
            predicted[g] += n
        errors += r["errors"]
        false += [{"seed": r["seed"], "group": m["group"], "keyword": m["keyword"], "matched": m["matched"],
                   "t": round(m["t"], 2), "context": m["context"]} for m in r["false"]]
        missed += [{"seed": r["seed"], "group": g, "t": round(u.start, 2), "voice": u.voice, "text": u.text}
                   for u, g in r["missed"]]
    expected, hit, found = sum(totals.values()), sum(hits.values()), sum(predicted.values())
    return {
        "expected": expected, "found": found, "hits": hit,
        "recall": ratio(hit, expected), "precision": ratio(hit, found),
        "median_time_error_s": statistics.median(errors) if errors else None,
        "groups": {
            g: {"expected": totals[g], "found": predicted[g], "hits": hits[g],
                "recall": ratio(hits[g], totals[g]), "precision": ratio(hits[g], predicted[g])}
            for g in sorted(set(totals) | set(predicted))
        },
        "false": false, "missed": missed,
    }


def print_samples(results: list[dict]) -> None:
    """One line per sample and one for all of them together."""
    print(f"{'sample':<14}{'expected':>9}{'found':>7}{'recall':>8}{'precision':>10}{'median error':>14}")
    rows = [(f"seed {r['seed']}", figures([r])) for r in results] + [("together", figures(results))]
    for name, f in rows:
        median = f["median_time_error_s"]
        print(f"{name:<14}{f['expected']:>9}{f['found']:>7}{f['recall'] or 0:>8.3f}{f['precision'] or 0:>10.3f}"
              f"{'-' if median is None else f'{median:.2f} s':>14}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--municipality", choices=sorted(MUNICIPALITIES), default="moroleon",
                        help="whose sentences go on air (default: moroleon)")
    parser.add_argument("--keywords", help="tuned (the bundled keywords.yml, Moroleón only), plain (the "
                        "municipality's plainly written file) or a keywords.yml; default tuned where there is one")
    parser.add_argument("--minutes", type=float, default=30.0, help="programme length of each sample")
    parser.add_argument("--seeds", "--seed", type=parse_seeds, default=[1],
                        help="samples, each its own programme and deployment: 1,2,3, seen or unseen (default: 1)")
    parser.add_argument("--model", default=None, help="transcription model (default: the config's, base)")
    parser.add_argument("--keep", type=Path, help="build the deployment here and keep it (one folder a seed "
                        "under it when there are several)")
    parser.add_argument("--json", type=Path, help="also write each sample's figures and all of them together here")
    args = parser.parse_args()
    if not args.seeds:
        parser.error("--seeds: give at least one seed")
    municipality = MUNICIPALITIES[args.municipality]
    keywords = keywords_file(municipality, args.keywords)
    reason = af.missing()
    if reason:
        raise SystemExit(f"cannot build test audio: {reason}")
    for problem in check_sentences(municipality.sentences, keywords):
        print(f"warning: {problem}", file=sys.stderr)

    root = args.keep or Path(tempfile.mkdtemp(prefix="radiomon-mentions-"))
    if root.exists() and args.keep:
        shutil.rmtree(root)
    several = len(args.seeds) > 1
    results = []
    try:
        for seed in args.seeds:
            if several:
                print(f"seed {seed}:")
            result = run_sample(municipality.sentences, keywords, root / f"seed-{seed}" if several else root,
                                minutes=args.minutes, seed=seed, model=args.model)
            print_sample(result)
            results.append(result)
            sys.stdout.flush()
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    if several:
        print_samples(results)
    if args.json:
        record = {
            "municipality": municipality.key, "keywords": args.keywords or ("tuned" if municipality.tuned else "plain"),
            "keywords_file": str(keywords), "minutes": args.minutes, "model": args.model,
            "samples": [dict(figures([r]), seed=r["seed"], minutes=round(r["minutes"], 2),
                             transcribe_s=round(r["transcribe_s"], 1)) for r in results],
            "together": dict(figures(results), seeds=args.seeds),
        }
        args.json.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
