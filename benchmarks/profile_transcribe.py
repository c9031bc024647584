"""Profile: where `radiomon transcribe`'s CPU time goes, stage by stage.

Transcribes benchmarks/transcribe.py's generated broadcast batch (the same
files, from its cache in --workdir) in this process, through the call the
``radiomon transcribe`` command makes (jobs.transcribe_and_match, with
radiomon's defaults: faster-whisper, word timestamps, radio VAD, guards,
keyword rescoring), into a throwaway deployment. Radiomon's functions and
the CTranslate2 model's methods are wrapped from here, and each stage is
charged the CPU seconds (time.process_time: every thread of the process,
CTranslate2's and ONNX Runtime's included) and wall seconds spent in it,
less what its nested stages took:

* audio decode, radio VAD (Silero), packing regions into windows;
* the batched first pass: mel features, encoder, batched decoding
  (generate), word timestamps (add_word_timestamps and its align calls), and
  the pipeline's own Python;
* the same split for the re-decoding of skipped stretches (fill_holes) and
  for the second pass (clips decoded again one by one, _sequential);
* keyword rescoring: near-miss proposals (the matcher, pure Python),
  score()'s own work, the mel features and encoder of sentences encoded
  again, the teacher-forced align calls, and the rest of its Python;
* guards, transcript files, archive writes, the keyword matching that
  follows the batch, model load; what no stage took is "other".

It also counts the 30-s windows decoded, how full the packed windows are
(speech seconds ÷ 30 s × windows), the rescoring questions (score calls),
texts scored, and sentences encoded again.

Recordings are transcribed one at a time, in the calling thread (radiomon's
InlineExecutor), so that no stage is charged another's CPU time; the
command's own thread pool overlaps the next recording's decode and VAD with
the current decode, so its wall time is a little lower than the total here.
CTranslate2's threads that spin for a moment after a call are charged to
whatever runs next. ``--cprofile FILE`` also writes a cProfile of the run
(open it with ``python -m pstats FILE``); its overhead inflates the Python
stages.

Usage: .venv/bin/python benchmarks/profile_transcribe.py [--minutes 30] [--stations 3]
       [--no-rescore] [--cprofile FILE] [--workdir DIR] [--set KEY=VALUE ...]

``--set`` gives the deployment a ``transcription:`` setting, as in
benchmarks/transcribe.py: ``--set workers=2 --set threads=1`` and ``--set
workers=1 --set threads=2`` profile the two plans of a two-core machine
(without it, the plan is the one calibrated for this CPU).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import os
import sys
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]

import transcribe as bench  # noqa: E402  (benchmarks/transcribe.py: its audio, its deployment)

from radiomon import jobs  # noqa: E402
from radiomon.archive import Archive  # noqa: E402
from radiomon.config import load_config  # noqa: E402
from radiomon.pipeline.executor import InlineExecutor  # noqa: E402
from radiomon.pipeline.transcribe import batch, guards, models, output, vad, work  # noqa: E402
from radiomon.pipeline.transcribe.engines import faster_whisper as engine_module  # noqa: E402
from radiomon.pipeline.transcribe.rescore import Rescorer  # noqa: E402

WINDOW_S = 30.0  # Whisper's encoder window
# Display order; a stage's own time (op None) is its Python around the ops.
PHASES = {
    "model load": "model load", "setup": "keywords.yml and prompt", "audio decode": "audio decode",
    "vad": "VAD (Silero)", "packing": "packing, times restored", "first pass": "first pass",
    "holes": "holes re-decoded", "second pass": "second pass", "rescoring": "rescoring",
    "guards": "guards", "transcript files": "transcript files", "archive": "archive writes",
    "matching": "keyword matching", "other": "other (batch, Python)",
}
OPS = {
    "proposals": "proposals (matcher)", "score": "score() Python", "features": "mel features",
    "encoder": "encoder", "decoding": "batched decoding", "alignment": "word timestamps (align)",
}
# Rescoring's align calls score given texts (teacher-forced); they place no words.
OPS_IN = {("rescoring", "alignment"): "align (teacher-forced scores)", ("second pass", "decoding"): "decoding"}


@dataclass
class Row:
    calls: int = 0
    cpu: float = 0.0
    wall: float = 0.0


class Stages:
    """CPU and wall seconds by (phase, op), each net of the stages nested in it."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str | None], Row] = defaultdict(Row)
        self.counts: Counter[str] = Counter()
        self._stack: list[list] = []  # [key, cpu at entry, wall at entry, nested cpu, nested wall]

    def phase(self) -> str:
        return next((frame[0][0] for frame in reversed(self._stack) if frame[0][1] is None), "other")

    @contextmanager
    def timing(self, phase: str | None = None, op: str | None = None):
        """Time a phase (``phase``) or an op of the phase it runs in (``op``)."""
        key = (phase, None) if phase else (self.phase(), op)
        # An op inside the same op (WhisperModel.encode around CTranslate2's
        # encode) is one call, its time the same stage's.
        nested_same = any(frame[0] == key for frame in self._stack)
        frame = [key, time.process_time(), time.perf_counter(), 0.0, 0.0]
        self._stack.append(frame)
        try:
            yield
        finally:
            self._stack.pop()
            cpu, wall = time.process_time() - frame[1], time.perf_counter() - frame[2]
            row = self.rows[key]
            row.calls += not nested_same
            row.cpu += cpu - frame[3]
            row.wall += wall - frame[4]
            if self._stack:
                self._stack[-1][3] += cpu
                self._stack[-1][4] += wall

    def wrap(self, owner, name: str, *, phase: str | None = None, op: str | None = None, count=None) -> None:
        """Replace ``owner.name`` by a timed call of it; ``count(stages, result, *args)`` notes figures."""
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            with self.timing(phase, op):
                result = original(*args, **kwargs)
            if count is not None:
                count(self, result, *args, **kwargs)
            return result

        setattr(owner, name, timed)


class TimedCT2:
    """The CTranslate2 Whisper model with its encode, generate and align timed
    (a compiled object, whose methods cannot be replaced in place)."""

    def __init__(self, model, stages: Stages):
        self._model, self._stages = model, stages

    def __getattr__(self, name):
        return getattr(self._model, name)

    def encode(self, features, *args, **kwargs):
        self._stages.counts[f"{self._stages.phase()} encoder windows"] += features.shape[0]
        with self._stages.timing(op="encoder"):
            return self._model.encode(features, *args, **kwargs)

    def generate(self, *args, **kwargs):
        with self._stages.timing(op="decoding"):
            return self._model.generate(*args, **kwargs)

    def align(self, *args, **kwargs):
        with self._stages.timing(op="alignment"):
            return self._model.align(*args, **kwargs)


def instrument(stages: Stages) -> None:
    """Wrap every stage of radiomon's transcription path and of faster-whisper under it."""
    from faster_whisper import BatchedInferencePipeline, WhisperModel
    from faster_whisper.feature_extractor import FeatureExtractor

    engine = engine_module.FasterWhisperEngine
    load = engine.__init__

    def loaded(self, *args, **kwargs):
        with stages.timing("model load"):
            load(self, *args, **kwargs)
        self.model.model = TimedCT2(self.model.model, stages)

    engine.__init__ = loaded
    stages.wrap(batch, "transcriber_spec", phase="setup")
    stages.wrap(work, "decode", phase="audio decode")
    stages.wrap(vad, "speech_regions", phase="vad")

    def windows(stages, packed, audio, regions, *args, **kwargs):
        stages.counts["windows"] += len(packed.clips)
        stages.counts["speech s"] += sum(c.end - c.start for c in packed.clips)

    stages.wrap(work, "pack", phase="packing", count=windows)
    stages.wrap(work, "restore", phase="packing")
    stages.wrap(engine, "transcribe", phase="first pass")
    stages.wrap(engine_module, "fill_holes", phase="holes")

    def sequential(stages, result, engine, audio, clips, *args, **kwargs):
        stages.counts["second pass clips"] += len(clips)

    stages.wrap(engine, "_sequential", phase="second pass", count=sequential)

    def batched(stages, result, pipeline, audio, *args, clip_timestamps=(), **kwargs):
        stages.counts[f"{stages.phase()} windows"] += len(clip_timestamps or ())
        stages.counts[f"{stages.phase()} calls"] += 1

    stages.wrap(BatchedInferencePipeline, "transcribe", count=batched)  # timed by its phase already
    stages.wrap(FeatureExtractor, "__call__", op="features")
    stages.wrap(WhisperModel, "encode", op="encoder")
    stages.wrap(WhisperModel, "add_word_timestamps", op="alignment")
    stages.wrap(Rescorer, "rescore", phase="rescoring")

    def proposed(stages, rewrites, *args, **kwargs):
        stages.counts["rewrites proposed"] += len(rewrites)

    stages.wrap(Rescorer, "proposals", op="proposals", count=proposed)

    def scored(stages, result, engine, audio, clip, texts, *args, **kwargs):
        stages.counts["questions"] += 1
        stages.counts["texts scored"] += len(texts)

    stages.wrap(engine, "score", op="score", count=scored)
    stages.wrap(guards, "clean", phase="guards")
    stages.wrap(output, "write_transcripts", phase="transcript files")
    stages.wrap(Archive, "replace_segments", phase="archive")
    stages.wrap(jobs, "match_pending", phase="matching")


def label(key: tuple[str, str | None], keys) -> str:
    phase, op = key
    if op is not None:
        return f"{PHASES.get(phase, phase)}: {OPS_IN.get(key) or OPS.get(op, op)}"
    has_ops = any(p == phase and o is not None for p, o in keys)
    return PHASES.get(phase, phase) + (": other Python" if has_ops else "")


def report(stages: Stages, cpu: float, wall: float, audio: float) -> None:
    rows = dict(stages.rows)
    accounted = Row(cpu=sum(r.cpu for r in rows.values()), wall=sum(r.wall for r in rows.values()))
    other = rows.setdefault(("other", None), Row())
    other.cpu += cpu - accounted.cpu
    other.wall += wall - accounted.wall
    order = {p: i for i, p in enumerate(PHASES)}
    op_order = {o: i for i, o in enumerate([None, *OPS])}
    keys = sorted(rows, key=lambda k: (order.get(k[0], len(order)), op_order.get(k[1], len(op_order))))
    print(f"{'stage':<46} {'calls':>6} {'CPU s':>8} {'wall s':>8} {'CPU share':>9} {'CPU ms/call':>11}")
    for key in keys:
        r = rows[key]
        per_call = f"{1000 * r.cpu / r.calls:.0f}" if r.calls else ""
        print(f"{label(key, keys):<46} {r.calls or '':>6} {r.cpu:8.2f} {r.wall:8.2f} {r.cpu / cpu:9.1%} "
              f"{per_call:>11}")
    print(f"{'total':<46} {'':>6} {cpu:8.2f} {wall:8.2f} {1:9.1%}")
    c = stages.counts
    first, holes = c["first pass windows"], c["holes windows"]
    speech = c["speech s"]
    print()
    print(f"audio {audio:.0f} s; CPU {cpu / audio:.3f} s and wall {wall / audio:.3f} s per second of audio")
    print(f"30-s windows: {c['windows']} packed from {speech:.0f} s of speech, "
          f"{speech / (WINDOW_S * c['windows']) if c['windows'] else 0:.0%} full; first pass decoded {first}")
    print(f"holes re-decoded: {holes} stretch(es) in {c['holes calls']} round(s), all recordings together; "
          f"second pass: {c['second pass clips']} clip(s)")
    encoded = {phase: c[f"{phase} encoder windows"] for phase in ("first pass", "holes", "second pass", "rescoring")}
    print("30-s windows through the encoder: " + ", ".join(f"{n} {PHASES[p]}" for p, n in encoded.items())
          + f"; {sum(encoded.values())} in all")
    print(f"rescoring: {c['rewrites proposed']} rewrites proposed, {c['questions']} questions, "
          f"{c['texts scored']} texts scored, {encoded['rescoring']} sentences encoded again")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="total audio (default 30)")
    parser.add_argument("--stations", type=int, default=3, help="files in the batch, one per station (default 3)")
    parser.add_argument("--no-rescore", action="store_true", help="without keyword rescoring")
    parser.add_argument("--cprofile", type=Path, metavar="FILE", help="also write a cProfile of the run here")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/radiomon-bench-transcribe"))
    parser.add_argument("--set", dest="settings", action="append", default=[], metavar="KEY=VALUE",
                        help="a transcription: setting (--set workers=1 --set threads=2: the one-worker plan)")
    args = parser.parse_args()
    bench.SETTINGS.extend(args.settings)
    if bench.af.missing():
        sys.exit(f"cannot build benchmark audio: {bench.af.missing()}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    files = bench.generate(args.workdir, args.minutes, args.stations)
    audio = sum(d for _, _, d in files)
    models.ensure_bundled()
    dep = bench.deployment(args.workdir, "profile", files, engine="faster-whisper", rescore=not args.no_rescore)
    config = load_config(dep / "radiomon.yml")
    print(f"batch: {len(files)} files, {audio / 60:.1f} min of audio; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f} before", flush=True)
    stages = Stages()
    instrument(stages)
    profiler = cProfile.Profile() if args.cprofile else None
    with Archive(config.archive) as archive:
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        done = jobs.transcribe_and_match(config, archive, executor=InlineExecutor())
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{done.batch.summary()}; load average {os.getloadavg()[0]:.2f} after")
    for error in done.batch.errors:
        print(f"  ! failed: {error}", file=sys.stderr)
    print()
    report(stages, cpu, wall, audio)
    if profiler:
        profiler.dump_stats(args.cprofile)
        print(f"\ncProfile written to {args.cprofile} (python -m pstats {args.cprofile})")


if __name__ == "__main__":
    main()
