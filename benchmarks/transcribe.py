"""Benchmark: `radiomon transcribe` against a plain batched faster-whisper and the plain `whisper` command.

Generates a broadcast-like batch with known content (tests/audio_factory.py:
espeak-ng Spanish news with known text, real es-MX human prompts as ads,
songs, jingles, music beds under speech, dead air), one file per station,
and on identical weights (the bundled Whisper base; its openai-whisper copy
is rebuilt with shared/tools/ct2_to_openai.py) times, one after another,
end to end as a user runs them (process start, model load, audio decode and
archive or file writes included), the runs ``--only`` names:

* ``faster-whisper``: ``radiomon transcribe`` with its defaults (the
  faster-whisper engine, word timestamps, radio VAD, re-decoding, guards,
  keyword rescoring),
* ``openai-whisper``: ``radiomon transcribe --engine openai-whisper``,
* ``no-rescore``: ``radiomon transcribe`` with ``transcription: rescore:
  false`` in radiomon.yml,
* ``baseline``: benchmarks/baseline_faster_whisper.py, faster-whisper's own
  ``BatchedInferencePipeline`` with its own VAD, beam 5, word timestamps and
  radiomon's vocabulary prompt, and nothing else of radiomon (with
  radiomon's batch size and every core, as radiomon uses them, so that only
  radiomon's additions differ),
* ``whisper-cli``: the plain ``whisper`` command of openai-whisper with its
  defaults and ``--language es`` (what an office would otherwise run).

By default the first two and the last; ``--compare`` runs faster-whisper,
no-rescore, baseline and whisper-cli (``--only`` picks among them) and
checks radiomon's speed targets: at least 25× faster than the plain
whisper command, and at most 1.3× the baseline's time. ``--compare`` then
runs the single-file case (issue 32): the batch's first file (about 10
minutes) alone, ``radiomon transcribe`` with its defaults against the
baseline, each timed from its command's start (interpreter, imports,
model load and worker start-up included), and for each the seconds from
command start to the first decoded window (radiomon's ``-v`` log line
"first window decoded", the baseline's own line); ``--no-single`` skips
it and ``--no-batch`` keeps only it. ``--before DIR`` runs every radiomon run a second time with the
radiomon package of another checkout (a ``git worktree`` of the commit
before a change), in the same invocation, as "before: …". The plain command
runs at about real time on two cores, slower where it falls into a
repetition loop and retries at higher temperatures (broadcast audio), so
``--cli-files N`` gives it only the batch's first N files, and its speed is
then compared by real-time factor. ``--set KEY=VALUE`` adds a
``transcription:`` setting to every radiomon run (``--set workers=1 --set
threads=2``: the one-worker plan).

For each it prints the real-time factor (wall time ÷ audio length), peak
memory (max RSS), WER and word recall against the known text (scored only
inside the espeak spans, whose words are known; both sides normalized like
the keyword matcher: accents, case, numbers as digits), proper-noun recall,
words placed inside music-only or silent stretches (a word whose middle lies
more than 0.3 s inside a non-speech stretch of at least 1 s), and the time
ratios. The plain command writes no word times; its words are spread evenly
over their segment for the placement count.

Usage: .venv/bin/python benchmarks/transcribe.py [--minutes 30] [--stations 3]
       [--compare] [--only faster-whisper,openai-whisper,no-rescore,baseline,whisper-cli]
       [--workdir DIR] [--torch-threads N] [--no-rescore] [--cli-files N] [--set KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import audio_factory as af  # noqa: E402
import jiwer  # noqa: E402

from radiomon.archive import Archive  # noqa: E402
from radiomon.config import TranscriptionConfig  # noqa: E402
from radiomon.keywords import load_keywords  # noqa: E402
from radiomon.keywords.normalize import normalize  # noqa: E402
from radiomon.pipeline.transcribe import models  # noqa: E402
from radiomon.pipeline.transcribe.batch import build_prompt  # noqa: E402
from radiomon.pipeline.transcribe.machine import cpu_count  # noqa: E402

BIN = Path(sys.executable).parent
PROPER = ("moroleon", "uriangato", "pinicuaro", "guanajuato")
START = datetime(2026, 11, 25, 14, 0, tzinfo=timezone.utc)
RUNS = ("faster-whisper", "openai-whisper", "no-rescore", "baseline", "whisper-cli")  # the names --only takes
DEFAULT = ("faster-whisper", "openai-whisper", "whisper-cli")
COMPARE = ("faster-whisper", "no-rescore", "baseline", "whisper-cli")
# radiomon's speed targets (--compare): against the plain whisper command at
# least, and against the plain batched faster-whisper baseline at most.
TARGET_FASTER_THAN_WHISPER = 25.0
TARGET_OF_BASELINE = 1.3
# issue 32's: a single ~10-minute file, start-up included.
TARGET_SINGLE_OF_BASELINE = 1.2


@dataclass
class Run:
    name: str
    wall: float
    rss_mb: float
    words: dict[int, list[tuple[str, float, float]]]  # file index → (word, start, end)
    files: int | None = None  # how many of the batch's files it transcribed (None: all)
    first_window: float | None = None  # seconds from command start to the first decoded window

    def audio(self, files) -> float:
        """Seconds of audio it transcribed."""
        return sum(d for _, _, d in files[:self.files])

    def rtf(self, files) -> float:
        return self.wall / self.audio(files)


def generate(workdir: Path, minutes: float, stations: int) -> list[tuple[Path, list[af.Span], float]]:
    """One file per station, cached in workdir by (minutes, stations)."""
    out = []
    per = minutes / stations
    for i in range(stations):
        path = workdir / "audio" / f"station{i}-{per:g}min.mp3"
        spans_file = path.with_suffix(".spans")
        if not (path.exists() and spans_file.exists()):
            clip = af.broadcast(per, seed=100 + i)
            clip.write(path, sample_rate=44100)
            spans_file.write_bytes(pickle.dumps((clip.spans, clip.duration)))
        spans, duration = pickle.loads(spans_file.read_bytes())
        out.append((path, spans, duration))
    return out


def openai_checkpoint() -> Path:
    found = models.openai_bundled()
    if found:
        return found
    tool = ROOT.parent / "shared" / "tools" / "ct2_to_openai.py"
    target = models.cache_dir() / "models" / models.OPENAI_CHECKPOINT
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp.pt")
    subprocess.run([sys.executable, str(tool), str(models.ensure_bundled() / "model.bin"), str(tmp)],
                   check=True, cwd=tool.parent, capture_output=True)
    os.replace(tmp, target)
    return target


def timed(cmd: list[str], cwd: Path, log: Path, tree: Path | None = None) -> tuple[float, float, float]:
    """Wall seconds and peak RSS (MB) of a command, measured by GNU time, and when it was started (epoch s)."""
    stats = cwd / "time.txt"
    # The radiomon commands run this tree's radiomon, the code this script imports (or --before's).
    path = os.pathsep.join(p for p in (str(tree or ROOT), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONWARNINGS": "ignore", "PYTHONPATH": path}
    launched = time.time()
    with open(log, "w") as f:
        proc = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", str(stats), *cmd], cwd=cwd, env=env,
                              stdout=f, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        print(f"  ! {' '.join(cmd[:3])} exited {proc.returncode}; see {log}", file=sys.stderr)
    wall, rss_kb = stats.read_text().split()[-2:]
    return float(wall), int(rss_kb) / 1024, launched


def first_window(log: Path, launched: float) -> float | None:
    """Seconds from ``launched`` to the first "first window decoded" line of a run's log:
    radiomon's (logged with its local asctime) or the baseline's (epoch seconds)."""
    for line in log.read_text(errors="replace").splitlines():
        if "first window decoded at " in line:
            return float(line.rsplit(" ", 1)[1]) - launched
        if "first window decoded" in line:
            stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
            return stamp.timestamp() - launched
    return None


TORCH_THREADS: int | None = None  # --torch-threads: for both torch runs (openai engine, whisper command)
RESCORE = True  # --no-rescore: radiomon without keyword rescoring (radiomon/pipeline/transcribe/rescore.py)
SETTINGS: list[str] = []  # --set KEY=VALUE: more transcription settings for every radiomon run
CLI_FILES: int | None = None  # --cli-files N: the plain whisper command on the first N files only


def deployment(workdir: Path, name: str, files, *, engine: str, rescore: bool) -> Path:
    dep = workdir / name
    shutil.rmtree(dep, ignore_errors=True)
    dep.mkdir(parents=True)
    stations = "".join(f"  - id: estacion-{i}\n    url: http://127.0.0.1:8000/{i}.mp3\n" for i in range(len(files)))
    settings = ([f"  threads: {TORCH_THREADS}\n"] if TORCH_THREADS and engine == "openai-whisper" else []) \
        + ([] if rescore else ["  rescore: false\n"]) + [f"  {key}: {value}\n" for key, value in
                                                          (item.split("=", 1) for item in SETTINGS)]
    extra = "transcription:\n" + "".join(settings) if settings else ""
    (dep / "radiomon.yml").write_text(f"timezone: America/Mexico_City\nstations:\n{stations}{extra}")
    shutil.copy(ROOT / "radiomon" / "data" / "keywords.yml", dep / "keywords.yml")
    with Archive(dep / "radiomon.db") as archive:
        from radiomon.config import load_config

        config = load_config(dep / "radiomon.yml")
        archive.sync_stations(config.stations, str(config.timezone))
        for i, (path, _, duration) in enumerate(files):
            archive.add_recording(station=f"estacion-{i}", start=START, duration=duration, path=str(path))
    return dep


def run_radiomon(workdir: Path, files, engine: str, *, name: str | None = None, label: str | None = None,
                 rescore: bool = True, tree: Path | None = None) -> Run:
    """``radiomon transcribe`` in a fresh deployment of its own (``name``, by default
    the engine's), shown in the table as ``label`` (by default the engine); with
    the radiomon package of checkout ``tree`` if given."""
    name = name or engine
    dep = deployment(workdir, name, files, engine=engine, rescore=rescore)
    wall, rss, launched = timed([str(BIN / "radiomon"), "-v", "--config", str(dep / "radiomon.yml"), "transcribe",
                                 "--engine", engine], dep, dep / "run.log", tree)
    words: dict[int, list] = {}
    with Archive(dep / "radiomon.db") as archive:
        for rec in archive.recordings():
            index = int(rec.station.rsplit("-", 1)[1])
            words[index] = [
                (w["word"], w["start"], w["end"])
                for seg in archive.transcript_rows(rec.id)
                for w in json.loads(seg["words"] or "[]")
            ]
            if rec.status != "transcribed":
                print(f"  ! {name}: recording {rec.id} is {rec.status}: {rec.error}", file=sys.stderr)
    return Run(label or engine, wall, rss, words, first_window=first_window(dep / "run.log", launched))


def run_baseline(workdir: Path, files, name: str = "baseline") -> Run:
    """benchmarks/baseline_faster_whisper.py with what radiomon's defaults would use:
    the bundled model, the vocabulary prompt built by radiomon's own function
    from the same keywords.yml the deployments get, radiomon's batch size,
    and every core (radiomon's workers × threads together)."""
    out = workdir / name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    settings = TranscriptionConfig()
    prompt = build_prompt(settings, load_keywords(ROOT / "radiomon" / "data" / "keywords.yml"))
    words_file = out / "words.json"
    wall, rss, launched = timed([sys.executable, str(ROOT / "benchmarks" / "baseline_faster_whisper.py"),
                       "--output", str(words_file), "--model", str(models.ensure_bundled()),
                       "--batch-size", str(settings.batch_size), "--threads", str(cpu_count()),
                       *(["--prompt", prompt] if prompt else []), *[str(p) for p, _, _ in files]],
                      out, out / "run.log")
    doc = json.loads(words_file.read_text()) if words_file.exists() else {"files": []}
    words = {i: [(w, s, e) for w, s, e in f["words"]] for i, f in enumerate(doc["files"])}
    return Run("batched faster-whisper", wall, rss, words, first_window=first_window(out / "run.log", launched))


def run_whisper_cli(workdir: Path, files, checkpoint: Path) -> Run:
    files = files[:CLI_FILES]
    out = workdir / "whisper-cli"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    wall, rss, _ = timed([str(BIN / "whisper"), *[str(p) for p, _, _ in files], "--model", str(checkpoint),
                       "--language", "es", "--output_dir", str(out),
                       *(["--threads", str(TORCH_THREADS)] if TORCH_THREADS else [])], out, out / "run.log")
    words: dict[int, list] = {}
    for i, (path, _, _) in enumerate(files):
        doc = json.loads((out / f"{path.stem}.json").read_text())
        spread = []
        for seg in doc["segments"]:
            ws = seg["text"].split()
            step = (seg["end"] - seg["start"]) / max(1, len(ws))
            spread += [(w, seg["start"] + k * step, seg["start"] + (k + 1) * step) for k, w in enumerate(ws)]
        words[i] = spread
    return Run("whisper (plain command)", wall, rss, words, files=len(files))


def score(run: Run, files) -> dict:
    refs, hyps, misplaced, proper_ref, proper_hit = [], [], 0, 0, 0
    for i, (_, spans, _) in enumerate(files[:run.files]):
        words = run.words.get(i, [])
        for span in spans:
            if span.kind == af.SPEECH and span.text:
                inside = [w for w, s, e in words if span.start - 0.5 <= (s + e) / 2 <= span.end + 0.5]
                ref, hyp = normalize(span.text), normalize(" ".join(inside))
                refs.append(ref)
                hyps.append(hyp)
                for noun in PROPER:
                    n = ref.split().count(noun)
                    proper_ref += n
                    proper_hit += min(n, hyp.split().count(noun))
            elif span.kind in af.NON_SPEECH and span.end - span.start >= 1.0:
                misplaced += sum(1 for _, s, e in words if span.start + 0.3 < (s + e) / 2 < span.end - 0.3)
    measures = jiwer.process_words(refs, [h if h else "" for h in hyps])
    n_ref = measures.hits + measures.substitutions + measures.deletions
    return {
        "wer": measures.wer,
        "recall": measures.hits / n_ref if n_ref else 0.0,
        "proper": proper_hit / proper_ref if proper_ref else 0.0,
        "misplaced": misplaced,
    }


def run_named(name: str, workdir: Path, files, *, tree: Path | None = None, prefix: str = "") -> Run:
    """The run ``--only`` calls ``name`` (one of RUNS); radiomon's with checkout ``tree``'s
    code, in a workdir folder and under a label starting ``prefix``, when given."""
    if name == "whisper-cli":
        return run_whisper_cli(workdir, files, openai_checkpoint())
    if name == "baseline":
        return run_baseline(workdir, files, name=f"{prefix}baseline")
    if name == "no-rescore":
        return run_radiomon(workdir, files, "faster-whisper", name=f"{prefix}{name}",
                            label=f"{prefix}faster-whisper, no rescore", rescore=False, tree=tree)
    if name == "openai-whisper":
        openai_checkpoint()
    return run_radiomon(workdir, files, name, name=f"{prefix}{name}", label=f"{prefix}{name}", rescore=RESCORE,
                        tree=tree)


def targets(runs: dict[str, Run], files) -> list[str]:
    """radiomon's speed targets against the runs that measure them (--compare), pass or fail:
    by real-time factor against the plain whisper command, which may have done fewer files."""
    lines = []
    fw, baseline, cli, off = (runs.get(k) for k in ("faster-whisper", "baseline", "whisper-cli", "no-rescore"))
    if fw and cli:
        ratio = cli.rtf(files) / fw.rtf(files)
        verdict = "pass" if ratio >= TARGET_FASTER_THAN_WHISPER else "FAIL"
        lines.append(f"radiomon defaults: {ratio:.1f}× faster than the plain whisper command "
                     f"(target ≥ {TARGET_FASTER_THAN_WHISPER:g}×): {verdict}")
    if fw and baseline:
        ratio = fw.wall / baseline.wall
        verdict = "pass" if ratio <= TARGET_OF_BASELINE else "FAIL"
        lines.append(f"radiomon defaults: {ratio:.2f}× the plain batched faster-whisper baseline's time "
                     f"(target ≤ {TARGET_OF_BASELINE:g}×): {verdict}")
    if off and baseline:
        lines.append(f"radiomon, rescoring off: {off.wall / baseline.wall:.2f}× the plain batched "
                     "faster-whisper baseline's time")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="total audio (default 30)")
    parser.add_argument("--stations", type=int, default=3, help="files in the batch, one per station (default 3)")
    parser.add_argument("--compare", action="store_true",
                        help=f"run {', '.join(COMPARE)} and check radiomon's speed targets against them")
    parser.add_argument("--only", help=f"the runs, comma-separated, of {', '.join(RUNS)} (default: "
                        f"{','.join(DEFAULT)}; with --compare: {','.join(COMPARE)})")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/radiomon-bench-transcribe"))
    parser.add_argument("--torch-threads", type=int, help="threads for both torch runs (default: theirs); on a "
                        "shared, loaded machine torch's spinning thread pool can be many times slower with 2")
    parser.add_argument("--no-rescore", action="store_true", help="radiomon runs without keyword rescoring")
    parser.add_argument("--cli-files", type=int, metavar="N",
                        help="the plain whisper command on the first N files only (it runs at about real time "
                             "or slower on two cores); its speed is then compared by real-time factor")
    parser.add_argument("--no-single", action="store_true", help="with --compare, skip the single-file case")
    parser.add_argument("--no-batch", action="store_true", help="with --compare, only the single-file case")
    parser.add_argument("--before", type=Path, metavar="DIR",
                        help="also run every radiomon run with the radiomon package of checkout DIR (e.g. a git "
                             "worktree of the commit before a change), labelled 'before: …'")
    parser.add_argument("--set", dest="settings", action="append", default=[], metavar="KEY=VALUE",
                        help="a transcription setting of radiomon.yml for the radiomon runs (repeatable), "
                             "e.g. --set workers=2 --set threads=1")
    args = parser.parse_args()
    if any("=" not in item for item in args.settings):
        parser.error("--set takes KEY=VALUE, e.g. --set workers=2")
    SETTINGS[:] = args.settings
    global CLI_FILES
    CLI_FILES = args.cli_files
    only = args.only.split(",") if args.only else list(COMPARE if args.compare else DEFAULT)
    unknown = [name for name in only if name not in RUNS]
    if unknown:
        parser.error(f"unknown run {unknown[0]!r} in --only; use any of {', '.join(RUNS)}")
    if args.compare and args.no_rescore:
        parser.error("--compare measures radiomon's defaults (rescoring on) and the no-rescore run itself; "
                     "drop --no-rescore")
    global TORCH_THREADS, RESCORE
    TORCH_THREADS, RESCORE = args.torch_threads, not args.no_rescore
    if af.missing():
        sys.exit(f"cannot build benchmark audio: {af.missing()}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    files = generate(args.workdir, args.minutes, args.stations)
    audio = sum(d for _, _, d in files)
    speech = sum(s.end - s.start for _, spans, _ in files for s in spans if s.kind not in af.NON_SPEECH)
    print(f"batch: {len(files)} files, {audio / 60:.1f} min of audio, {speech / audio:.0%} speech; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} before")
    models.ensure_bundled()
    if not (args.compare and args.no_batch):
        by_name = measure_runs(only, args.workdir, files, args.before)
        table(by_name, files)
    if args.compare:
        if not args.no_batch:
            print()
            print("\n".join(targets(by_name, files)))
        if not args.no_single:
            single = files[:1]
            print(f"\nsingle file: {single[0][0].name}, {single[0][2] / 60:.1f} min, from command start")
            names = [n for n in ("faster-whisper", "baseline") if n in only]
            singles = measure_runs(names, args.workdir, single, args.before, prefix="single ")
            table(singles, single)
            fw, base = singles.get("single faster-whisper"), singles.get("single baseline")
            for run in (fw, singles.get("before: single faster-whisper")):
                if run and base:
                    ratio = run.wall / base.wall
                    verdict = "pass" if ratio <= TARGET_SINGLE_OF_BASELINE else "FAIL"
                    print(f"{run.name}: {ratio:.2f}× the baseline's time on one file "
                          f"(target ≤ {TARGET_SINGLE_OF_BASELINE:g}×): {verdict}")


def measure_runs(names, workdir: Path, files, before: Path | None, prefix: str = "") -> dict[str, Run]:
    """The runs ``names`` one after another (and radiomon's again with ``before``'s code), by key."""
    out: dict[str, Run] = {}
    plan = [(n, None, prefix) for n in names]
    if before:
        plan += [(n, before, f"before: {prefix}") for n in names if n in ("faster-whisper", "no-rescore")]
    for name, tree, label in plan:
        t0 = os.getloadavg()[0]
        done = out[f"{label}{name}"] = run_named(name, workdir, files, tree=tree, prefix=label)
        start = f", first window {done.first_window:.1f} s" if done.first_window is not None else ""
        print(f"  {done.name}: {done.wall:.1f} s{start} (load average {t0:.2f} → {os.getloadavg()[0]:.2f})",
              flush=True)
    return out


def table(by_name: dict[str, Run], files) -> None:
    runs = list(by_name.values())
    base_run = next((r for r in runs if r.name == "batched faster-whisper"), None)
    print()
    print(
        f"{'command':<36} {'wall s':>8} {'× base':>7} {'1st win s':>9} {'RTF':>7} {'peak MB':>8} {'WER':>6} "
        f"{'recall':>7} {'nouns':>6} {'in music/silence':>17}"
    )
    for run in runs:
        s = score(run, files)
        ratio = f"{run.wall / base_run.wall:7.2f}" if base_run else f"{'-':>7}"
        first = f"{run.first_window:9.1f}" if run.first_window is not None else f"{'-':>9}"
        print(f"{run.name:<36} {run.wall:8.1f} {ratio} {first} {run.rtf(files):7.4f} {run.rss_mb:8.0f} "
              f"{s['wer']:6.3f} {s['recall']:7.3f} {s['proper']:6.3f} {s['misplaced']:17d}")
    cli = next((r for r in runs if r.name == "whisper (plain command)"), None)
    if cli:
        print()
        subset = f" (real-time factors; it did the first {cli.files} of {len(files)} files)" \
            if cli.files < len(files) else ""
        for run in runs:
            if run is not cli:
                print(f"{run.name}: {cli.rtf(files) / run.rtf(files):.1f}× faster than the plain whisper "
                      f"command{subset}")
    base = {r.name: r.wall for r in runs}
    if "faster-whisper" in base and "openai-whisper" in base:
        print(
            f"faster-whisper: {base['openai-whisper'] / base['faster-whisper']:.1f}× faster than "
            "radiomon's openai-whisper engine"
        )


if __name__ == "__main__":
    main()
