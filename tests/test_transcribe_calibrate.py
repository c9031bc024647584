"""The worker plan: fitted to the batch, calibrated per CPU and model (pipeline/transcribe/calibrate.py).

No test here depends on how fast anything runs: trials are timed with a
fake clock that each stand-in run advances by a set amount.
"""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from radiomon.pipeline.transcribe import batch, calibrate, machine, work
from radiomon.pipeline.transcribe.calibrate import Calibration, Trial
from radiomon.pipeline.transcribe.machine import plan_workers
from radiomon.transcript import Segment, Word

CPUINFO = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8480C
flags\t\t: fpu sse4_1 avx avx2 fma avx512f avx512bw hypervisor
processor\t: 1
model name\t: Intel(R) Xeon(R) Platinum 8480C
flags\t\t: fpu sse4_1 avx avx2 fma avx512f avx512bw hypervisor
"""


# -- the plan a batch gets --------------------------------------------------------

def test_a_calibrated_split_replaces_the_guess():
    assert plan_workers(0, 0, 2) == (2, 1)
    assert plan_workers(0, 0, 2, preferred=(1, 2)) == (1, 2)
    assert plan_workers(0, 0, 8, preferred=(8, 1)) == (8, 1)


def test_explicit_settings_win_over_the_calibration():
    assert plan_workers(2, 0, 2, preferred=(1, 2)) == (2, 1)
    assert plan_workers(3, 1, 2, preferred=(1, 2)) == (3, 1)
    assert plan_workers(0, 1, 2, preferred=(2, 1)) == (2, 1)


# -- candidates, measuring, choosing ----------------------------------------------

def test_candidates_run_from_one_worker_to_a_worker_per_core():
    assert calibrate.candidates(1) == [(1, 1)]
    assert calibrate.candidates(2) == [(1, 2), (2, 1)]
    assert calibrate.candidates(8) == [(1, 8), (2, 4), (4, 2), (8, 1)]
    assert calibrate.candidates(6) == [(1, 6), (2, 3), (4, 1), (6, 1)]


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def fake_prepare(clock: FakeClock, seconds: dict, loaded: list):
    """Each plan's run "takes" seconds[plan] on the fake clock; loading is not timed."""
    def prepare(workers, threads):
        loaded.append((workers, threads))
        clock.now += 50.0  # a model load: outside the timed part

        def run():
            clock.now += seconds[(workers, threads)]
            return workers * 23.0
        return run
    return prepare


def test_measure_times_each_plan_on_the_clock_and_choose_takes_the_fastest():
    clock, loaded = FakeClock(), []
    trials = calibrate.measure([(1, 2), (2, 1)], fake_prepare(clock, {(1, 2): 10.0, (2, 1): 12.0}, loaded),
                               timer=clock)
    assert loaded == [(1, 2), (2, 1)]
    assert trials == [Trial(1, 2, 10.0, 2.3), Trial(2, 1, 12.0, 3.833)]
    assert (calibrate.choose(trials).workers, calibrate.choose(trials).threads) == (2, 1)


def test_more_workers_must_beat_fewer_by_the_margin():
    near_tie = [Trial(1, 2, 10.0, 2.30), Trial(2, 1, 19.5, 2.36)]  # 2.6 % faster: one model copy is not worth it
    assert calibrate.choose(near_tie).workers == 1
    clear = [Trial(1, 2, 10.0, 2.30), Trial(2, 1, 17.0, 2.70)]
    assert calibrate.choose(clear).workers == 2
    with pytest.raises(ValueError):
        calibrate.choose([])


# -- the cache: keyed by CPU and model ---------------------------------------------

def test_cpu_info_reads_the_model_name_and_the_isa_flags(tmp_path):
    path = tmp_path / "cpuinfo"
    path.write_text(CPUINFO)
    assert calibrate.cpu_info(str(path)) == ("Intel(R) Xeon(R) Platinum 8480C", "avx512f avx512bw avx2 fma avx sse4_1")


def key(**changes):
    weights = changes.pop("weights_dir")
    base = dict(cores=2, cpu=("AMD EPYC", "avx2 fma avx"), environ={})
    base.update(changes)
    return calibrate.machine_key("base", str(weights), "int8", **base)


def calibration_for(k, workers=1, threads=2):
    return Calibration(workers, threads, (Trial(1, 2, 10.0, 2.3), Trial(2, 1, 12.0, 3.8)), k, "2026-12-08T00:00:00Z")


def test_a_calibration_holds_for_its_cpu_and_model_only(tmp_path):
    weights = tmp_path / "model"
    weights.mkdir()
    (weights / "model.bin").write_bytes(b"x" * 10)
    cache = tmp_path / "calibration.json"
    here = key(weights_dir=weights)
    calibrate.store(calibration_for(here), cache)

    found = calibrate.load_cached(key(weights_dir=weights), cache)
    assert found is not None and found.plan == (1, 2) and found.trials[1] == Trial(2, 1, 12.0, 3.8)
    # Another CPU, another instruction set, more cores, another CTranslate2 backend: measured again.
    assert calibrate.load_cached(key(weights_dir=weights, cpu=("Intel Xeon", "avx2 fma avx")), cache) is None
    assert calibrate.load_cached(key(weights_dir=weights, cpu=("AMD EPYC", "avx512f avx2 fma avx")), cache) is None
    assert calibrate.load_cached(key(weights_dir=weights, cores=4), cache) is None
    assert calibrate.load_cached(key(weights_dir=weights, environ={"CT2_USE_MKL": "1"}), cache) is None
    # Other weights in the same folder (a model replaced): measured again.
    (weights / "model.bin").write_bytes(b"x" * 11)
    assert calibrate.load_cached(key(weights_dir=weights), cache) is None


def test_entries_of_other_machines_stay_and_a_broken_cache_is_no_calibration(tmp_path):
    weights = tmp_path / "model.pt"
    weights.write_bytes(b"x")
    cache = tmp_path / "calibration.json"
    epyc, xeon = key(weights_dir=weights), key(weights_dir=weights, cpu=("Intel Xeon", "avx2"))
    calibrate.store(calibration_for(epyc, 2, 1), cache)
    calibrate.store(calibration_for(xeon, 1, 2), cache)
    assert calibrate.load_cached(epyc, cache).plan == (2, 1)
    assert calibrate.load_cached(xeon, cache).plan == (1, 2)
    assert len(json.loads(cache.read_text())) == 2
    cache.write_text("{not json")
    assert calibrate.load_cached(epyc, cache) is None
    calibrate.store(calibration_for(epyc, 2, 1), cache)  # a broken file is replaced, not a crash
    assert calibrate.load_cached(epyc, cache).plan == (2, 1)


# -- the batch uses it -----------------------------------------------------------

class PlanRecordingEngine:
    """A stand-in engine that remembers the options it was loaded with."""

    name, model_label = "echo", "fake"
    loaded: list = []

    def __init__(self, engine, model, options):
        PlanRecordingEngine.loaded.append((options.workers, options.threads))

    def transcribe(self, audio, clips):
        return [Segment(c.start, c.end, "hola", words=(Word(" hola", c.start, c.end, 1.0),)) for c in clips]


@pytest.fixture
def two_cores_and_a_cache(tmp_path, monkeypatch):
    """Two cores, an AMD EPYC, the calibration cache in tmp_path."""
    for module in (machine, batch, calibrate):
        monkeypatch.setattr(module, "cpu_count", lambda: 2)
    monkeypatch.setattr(calibrate, "cpu_info", lambda: ("AMD EPYC", "avx2 fma avx"))
    cache = tmp_path / "calibration.json"
    monkeypatch.setattr(calibrate, "cache_path", lambda: cache)
    PlanRecordingEngine.loaded = []
    monkeypatch.setattr(work, "_loaded", None)  # a transcriber another test loaded for an equal spec
    return cache


def deployment(tmp_path, recordings: int, settings: str = ""):
    try:
        import audio_factory as af
    except ImportError:
        from tests import audio_factory as af
    from radiomon.archive import Archive
    from radiomon.config import load_config

    if af.missing():
        pytest.skip(af.missing())
    (tmp_path / "radiomon.yml").write_text(
        "stations:\n  - id: uno\n    url: http://127.0.0.1/uno.mp3\n"
        f"transcription:\n  hotwords: false\n  rescore: false\n  vad: false\n{settings}")
    config = load_config(tmp_path / "radiomon.yml")
    archive = Archive(config.archive)
    archive.sync_stations(config.stations, str(config.timezone))
    for i in range(recordings):
        path = af.silence(1.0, noise_db=-30, seed=i).write(tmp_path / f"r{i}.wav")
        archive.add_recording(station="uno", start=datetime(2026, 11, 25, 14, i, tzinfo=timezone.utc),
                              duration=1.0, path=str(path))
    return config, archive


def cached_spec_key(config):
    settings = config.transcription
    spec = batch.transcriber_spec(config, settings, PlanRecordingEngine)
    return calibrate.spec_key(spec)


def test_a_batch_of_several_recordings_uses_the_calibrated_split(tmp_path, two_cores_and_a_cache):
    config, archive = deployment(tmp_path, 3)
    # The guess for two cores is two workers of one thread; this machine measured one of two.
    calibrate.store(calibration_for(cached_spec_key(config), 1, 2), two_cores_and_a_cache)
    with archive:
        result = batch.transcribe_batch(config, archive, engine_factory=PlanRecordingEngine, formats=())
    assert result.transcribed == 3
    assert PlanRecordingEngine.loaded == [(1, 2)]


def test_a_single_recording_uses_the_calibrated_split_too(tmp_path, two_cores_and_a_cache):
    config, archive = deployment(tmp_path, 1)
    calibrate.store(calibration_for(cached_spec_key(config), 1, 2), two_cores_and_a_cache)
    with archive:
        batch.transcribe_batch(config, archive, engine_factory=PlanRecordingEngine, formats=())
    assert PlanRecordingEngine.loaded == [(1, 2)]


def test_explicit_workers_and_threads_win_over_the_calibration(tmp_path, two_cores_and_a_cache):
    config, archive = deployment(tmp_path, 3, "  workers: 3\n  threads: 1\n")
    calibrate.store(calibration_for(cached_spec_key(config), 1, 2), two_cores_and_a_cache)
    with archive:
        batch.transcribe_batch(config, archive, engine_factory=PlanRecordingEngine, formats=())
    assert PlanRecordingEngine.loaded == [(3, 1)]


def test_a_stand_in_engine_is_never_calibrated(tmp_path, two_cores_and_a_cache):
    config, archive = deployment(tmp_path, 3)
    with archive:
        batch.transcribe_batch(config, archive, engine_factory=PlanRecordingEngine, formats=())
    assert PlanRecordingEngine.loaded == [(2, 1)]  # plan_workers' guess
    assert not two_cores_and_a_cache.exists()


def test_calibration_runs_once_and_again_on_another_cpu(tmp_path, two_cores_and_a_cache, monkeypatch):
    """With the real engine's factory and no entry for this CPU and model, the
    batch measures (here: a fake clock and stand-in runs), stores, and reuses."""
    config, archive = deployment(tmp_path, 0)
    archive.close()
    clock, loaded = FakeClock(), []
    prepare = fake_prepare(clock, {(1, 2): 10.0, (2, 1): 30.0}, loaded)
    monkeypatch.setattr(calibrate, "sample_runner", lambda spec: prepare)
    monkeypatch.setattr(calibrate, "CLOCK", clock)
    settings = config.transcription
    spec = batch.transcriber_spec(config, settings)  # the real factory: load_engine (nothing loaded yet)

    assert batch.calibrated_plan(settings, spec, recordings=3) == (1, 2)
    assert loaded == [(1, 2), (2, 1)]
    assert batch.calibrated_plan(settings, spec, recordings=3) == (1, 2)
    assert loaded == [(1, 2), (2, 1)]  # cached: not measured again
    assert batch.calibrated_plan(settings, spec, recordings=1) == (1, 2)  # cached: a lone file uses it too

    monkeypatch.setattr(calibrate, "cpu_info", lambda: ("Intel(R) Xeon(R) Platinum 8480C", "avx512f avx2 fma avx"))
    prepare_xeon = fake_prepare(clock, {(1, 2): 30.0, (2, 1): 20.0}, loaded)
    monkeypatch.setattr(calibrate, "sample_runner", lambda spec: prepare_xeon)
    assert batch.calibrated_plan(settings, spec, recordings=3) == (2, 1)
    assert len(loaded) == 4
    assert len(json.loads(two_cores_and_a_cache.read_text())) == 2

    # A lone file never waits for a measurement: without an entry it takes the guess.
    monkeypatch.setattr(calibrate, "cpu_info", lambda: ("AMD Ryzen 5 5600G", "avx2 fma avx"))
    assert batch.calibrated_plan(settings, spec, recordings=1) is None
    assert len(loaded) == 4

    explicit = replace(settings, workers=2)
    assert batch.calibrated_plan(explicit, spec, recordings=3) is None


def test_models_calibrate_shows_each_split_and_the_choice(tmp_path, two_cores_and_a_cache, monkeypatch, run):
    clock, loaded = FakeClock(), []
    monkeypatch.setattr(calibrate, "sample_runner", lambda spec: fake_prepare(
        clock, {(1, 2): 10.0, (2, 1): 12.0}, loaded))
    monkeypatch.setattr(calibrate, "CLOCK", clock)
    result = run("models", "--no-verify", "--calibrate")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "calibration: AMD EPYC, 2 cores, avx2 fma avx; base int8" in lines
    assert "  1 worker × 2 threads: 10.00 s, 2.3× real time" in lines
    assert "  2 workers × 1 thread: 12.00 s, 3.8× real time  <- chosen" in lines
    assert lines[-1] == ("a batch uses 2 × 1; with fewer recordings than workers, each recording's windows are "
                         "shared among them")
    assert loaded == [(1, 2), (2, 1)]
    assert two_cores_and_a_cache.exists()


# -- a lone recording shared among the workers --------------------------------------

def test_split_clips_cuts_neighbours_into_parts_of_about_equal_audio():
    from radiomon.pipeline.transcribe.types import Clip
    from radiomon.pipeline.transcribe.work import split_clips

    clips = [Clip(0, 30), Clip(30, 40), Clip(40, 70), Clip(70, 100)]
    assert split_clips(clips, 1) == [clips]
    assert split_clips(clips, 2) == [clips[:3], clips[3:]]
    assert [len(g) for g in split_clips(clips, 4)] == [1, 2, 1]  # 30, 40 and 30 s: at most four
    assert split_clips(clips[:1], 3) == [clips[:1]]
    assert split_clips([], 2) == []
    assert [c for g in split_clips(clips, 3) for c in g] == clips


class ThreadNamingEngine:
    """A stand-in engine that says which thread decoded each clip, and waits
    (at most 10 s) until a second part is being decoded beside it."""

    name, model_label = "echo", "fake"
    side_by_side = threading.Barrier(2, timeout=10)

    def __init__(self, *args):
        pass

    def transcribe(self, audio, clips):
        self.side_by_side.wait()  # BrokenBarrierError if the parts were decoded one after the other
        who = threading.current_thread().name
        return [Segment(c.start, c.end, who, words=(Word(f" {who}", c.start, c.end, 1.0),)) for c in clips]


def test_more_workers_than_recordings_share_a_recordings_windows(tmp_path, two_cores_and_a_cache):
    """Two workers set in radiomon.yml, one recording: its windows in two parts, each on a thread of its own,
    the segments back in order."""
    import numpy as np

    from radiomon.pipeline.transcribe.work import Transcriber

    config, archive = deployment(tmp_path, 1, "  workers: 2\n  threads: 1\n")
    archive.close()
    spec = batch.transcriber_spec(config, config.transcription, ThreadNamingEngine, recordings=1)
    assert spec.parts == 2 and (spec.options.workers, spec.options.threads) == (2, 1)
    assert batch.transcriber_spec(config, config.transcription, ThreadNamingEngine, recordings=2).parts == 1

    sr = 16_000
    audio = np.zeros(60 * sr, dtype=np.float32)
    for start in (2, 20, 38):  # three bursts of noise that VAD-free packing keeps whole
        audio[start * sr:(start + 15) * sr] = np.random.default_rng(start).normal(0, 0.1, 15 * sr)
    out = Transcriber(spec).transcribe(audio)
    threads = [s.text for s in out.segments]
    assert len(set(threads)) == 2 and all(t.startswith("part") for t in threads)
    assert len(out.segments) == 2
    assert [s.start for s in out.segments] == sorted(s.start for s in out.segments)
