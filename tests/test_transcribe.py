"""`radiomon transcribe` with the real bundled Whisper base on short generated broadcasts.

The audio is made by tests/audio_factory.py (espeak-ng Spanish, real music),
so the test knows what was said and where the music and dead air are.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import pytest

from radiomon.archive import Archive
from radiomon.keywords.normalize import normalize
from radiomon.pipeline.transcribe import models

try:
    import audio_factory as af
except ImportError:  # tests/ is a package in some layouts
    from tests import audio_factory as af

pytestmark = [pytest.mark.slow]

START = datetime(2026, 11, 25, 14, 0, tzinfo=timezone.utc)
SAID = (
    "El Ayuntamiento de Moroleón anunció la rehabilitación del mercado municipal.",
    "Protección Civil pide a la población evitar quemas en temporada de estiaje.",
    "El DIF Moroleón entregará despensas a familias de la comunidad.",
)


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    # Never skip: make test installs espeak-ng and the Debian sound packages.
    assert af.missing() is None, af.missing()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def newscast(tmp_path_factory) -> tuple[Path, af.Clip]:
    """~30 s: two sentences, dead air, a jingle, a third sentence over a music bed."""
    clip = (
        af.silence(0.5) + af.speech(SAID[0]) + af.silence(0.6) + af.speech(SAID[1]) + af.silence(2.5)
        + af.music(8.0, track="macroform-cold_day") + af.silence(1.0)
        + af.over_bed(af.speech(SAID[2]), track="manolo_camp-morning_coffee") + af.silence(0.5)
    )
    path = clip.write(tmp_path_factory.mktemp("audio") / "noticiero.mp3", sample_rate=44100)
    return path, clip


@pytest.fixture(scope="module")
def headline(tmp_path_factory) -> Path:
    """~7 s: one sentence and a jingle (for the slower openai-whisper engine)."""
    clip = af.speech(SAID[0]) + af.silence(1.0) + af.music(3.0, track="macroform-cold_day")
    return clip.write(tmp_path_factory.mktemp("audio") / "titular.mp3")


@pytest.fixture(scope="module")
def song(tmp_path_factory) -> Path:
    return af.music(20.0, track="reno_project-system", gain_db=-3).write(
        tmp_path_factory.mktemp("audio") / "cancion.mp3"
    )


def register(archive: Archive, path: Path, *, station: str = "radio-uno", minutes: int = 0) -> int:
    from datetime import timedelta

    rec_id, _ = archive.add_recording(station=station, start=START + timedelta(minutes=minutes),
                                      duration=None, path=str(path))
    return rec_id


def words_of(archive: Archive, rec_id: int) -> list[dict]:
    return [w for s in archive.transcript_rows(rec_id) for w in json.loads(s["words"] or "[]")]


def recall(said: str, heard: str) -> float:
    heard_words = normalize(heard).split()
    ref = normalize(said).split()
    return sum(1 for w in ref if w in heard_words) / len(ref)


def test_transcribe_stores_timed_spanish_text(run, archive, deployment, newscast):
    path, clip = newscast
    rec_id = register(archive, path)

    result = run("transcribe", "--formats", "srt,txt")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("transcribed 1 recording (0.01 h of audio, ")
    rec = archive.recording(rec_id)
    assert (rec.status, rec.engine, rec.model, rec.error) == ("transcribed", "faster-whisper", "base", None)
    assert rec.duration == pytest.approx(clip.duration, abs=0.1)
    segments = archive.transcript_rows(rec_id)
    text = " ".join(s["text"] for s in segments)
    # What base hears of espeak's voice depends on CTranslate2's int8 kernels, chosen by the CPU's
    # instruction set and BLAS: on one AMD EPYC the recall was 0.75 with AVX-512, AVX or GENERIC and
    # 0.6875 with AVX2 or MKL (one word of 16), which also wrote "Morreón" where the others, biased by
    # keywords.yml's names, wrote "Moroleón". So the bound leaves a word more, and what must hold on
    # every backend is that the name is flagged, however it was spelled.
    assert recall(" ".join(SAID), text) >= 0.6, text
    assert "Moroleón" in {m.keyword for m in archive.mentions_of(rec_id)}, text
    # times: monotonic, inside the file, words inside their segment, UTC instants
    words = words_of(archive, rec_id)
    assert words and all(0 <= w["start"] <= w["end"] <= rec.duration for w in words)
    assert [w["start"] for w in words] == sorted(w["start"] for w in words)
    for s in segments:
        inner = json.loads(s["words"])
        assert s["start"] <= inner[0]["start"] + 0.01 and inner[-1]["end"] <= s["end"] + 0.01  # words: 10 ms
        assert s["start_utc"].startswith("2026-11-25T14:00:") and s["avg_logprob"] < 0
        assert s["end"] - s["start"] < 15  # caption-sized
    # nothing heard in the jingle or the dead air
    for span in clip.spans_of(af.MUSIC, af.SILENCE):
        if span.end - span.start >= 1.0:
            inside = [w for w in words if span.start + 0.3 < (w["start"] + w["end"]) / 2 < span.end - 0.3]
            assert not inside, (span, inside)
    # the transcript files, Mexico City local time of the start
    folder = deployment / "transcripts" / "radio-uno" / "2026-11-25"
    assert rec.transcript_path == str(folder / "080000.json")
    doc = json.loads((folder / "080000.json").read_text())
    assert len(doc["segments"]) == len(segments) and doc["engine"] == "faster-whisper"
    assert (folder / "080000.srt").read_text().startswith("1\n00:00:0")
    assert (folder / "080000.txt").exists()


def test_a_rerun_never_duplicates_and_retranscribe_replaces(run, archive, newscast):
    rec_id = register(archive, newscast[0])
    assert run("transcribe").exit_code == 0
    first = archive.transcript_rows(rec_id)
    matched_first = archive.recording(rec_id).matched_utc
    assert matched_first is not None  # transcribing matches at once

    again = run("transcribe")
    assert (again.exit_code, again.output) == (0, "nothing to transcribe\n")
    assert archive.transcript_rows(rec_id) == first

    redo = run("transcribe", "--retranscribe")
    assert redo.exit_code == 0, redo.output
    second = archive.transcript_rows(rec_id)
    assert [s["text"] for s in second] == [s["text"] for s in first]
    assert archive.recording(rec_id).matched_utc > matched_first  # its new segments were matched again
    assert archive.query("SELECT count(*) AS n FROM segments")[0]["n"] == len(first)


def test_music_only_yields_no_text(run, archive, song):
    rec_id = register(archive, song)
    result = run("transcribe")
    assert result.exit_code == 0, result.output
    assert archive.recording(rec_id).status == "transcribed"
    assert archive.transcript_rows(rec_id) == []


def test_a_corrupt_file_is_marked_failed_and_the_batch_goes_on(run, archive, deployment, song):
    bad = af.corrupt(deployment / "recordings" / "radio-uno" / "roto.mp3")
    missing = deployment / "recordings" / "radio-uno" / "borrado.mp3"
    bad_id = register(archive, bad, minutes=0)
    missing_id = register(archive, missing, minutes=5)
    good_id = register(archive, song, minutes=10)

    result = run("transcribe")

    assert result.exit_code == 1
    assert "transcribed 1 recording" in result.stdout and "; 2 failed" in result.stdout
    assert archive.recording(good_id).status == "transcribed"
    failed = archive.recording(bad_id)
    assert failed.status == "failed" and failed.error.startswith(f"{bad}: cannot decode audio")
    assert archive.recording(missing_id).error == f"{missing}: audio file not found"
    assert f"failed: {bad}: cannot decode audio" in result.stderr


KILLER = """
import os, signal, sys
import radiomon.archive.segments as segments
{patch}
from radiomon.cli import main
main(["--config", sys.argv[1], "transcribe", *sys.argv[2:]])
"""
KILL_BEFORE_WRITE = """
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
segments.SegmentsMixin.replace_segments = die
"""
KILL_DURING_WRITE = """
def die(*args, **kwargs):  # called inside the transaction, after the old rows were deleted
    os.kill(os.getpid(), signal.SIGKILL)
segments.words_json = die
"""


def killed_run(config_path: Path, patch: str, *args: str) -> int:
    code = textwrap.dedent(KILLER).format(patch=textwrap.dedent(patch))
    proc = subprocess.run([sys.executable, "-c", code, str(config_path), *args], capture_output=True, timeout=300,
                          env={**__import__("os").environ, "HF_HUB_OFFLINE": "1"})
    return proc.returncode


def test_a_kill_between_transcription_and_write_leaves_it_pending(config_path, archive, newscast):
    rec_id = register(archive, newscast[0])
    assert killed_run(config_path, KILL_BEFORE_WRITE) == -9
    assert archive.recording(rec_id).status == "pending"
    assert archive.transcript_rows(rec_id) == []


def test_a_kill_during_the_write_keeps_the_previous_transcript_whole(run, config_path, archive, newscast):
    rec_id = register(archive, newscast[0])
    assert run("transcribe").exit_code == 0
    before = archive.transcript_rows(rec_id)
    assert killed_run(config_path, KILL_DURING_WRITE, "--retranscribe") == -9
    with Archive(archive.path) as fresh:  # a new connection sees what is on disk
        assert fresh.transcript_rows(rec_id) == before
        assert fresh.recording(rec_id).status == "transcribed"


def test_a_model_that_is_not_on_the_machine_fails_in_one_line(run, archive, song, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    rec_id = register(archive, song)
    result = run("transcribe", "--model", "large-v3")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "offline" in result.output and "Traceback" not in result.output
    assert archive.recording(rec_id).status == "pending"


def test_models_lists_and_verifies_the_bundled_model(run):
    result = run("models")
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0].split()
    assert first[:3] == ["base", "faster-whisper", "ok"]


@pytest.fixture(scope="session")
def openai_checkpoint(request) -> Path:
    """Whisper base as an openai-whisper .pt, converted once from the bundled weights
    by radiomon's own converter (what `--engine openai-whisper` does on first use), cached."""
    from radiomon.pipeline.transcribe.convert import write_openai_checkpoint

    target = Path(request.config.cache.mkdir("radiomon-openai-whisper")) / "whisper-base-openai.pt"
    if not target.exists():
        write_openai_checkpoint(models.ensure_bundled() / "model.bin", target)
    return target


def test_the_openai_whisper_engine_on_the_same_weights(run, archive, config_path, headline, openai_checkpoint):
    # One torch thread: on a busy 2-core CI machine torch's spinning thread
    # pool made a window take 69 s with 2 threads against 12 s with 1.
    config_path.write_text(config_path.read_text() + "transcription:\n  threads: 1\n")
    rec_id = register(archive, headline)
    result = run("transcribe", "--engine", "openai-whisper", "--model", str(openai_checkpoint))
    assert result.exit_code == 0, result.output
    rec = archive.recording(rec_id)
    assert (rec.status, rec.engine, rec.model) == ("transcribed", "openai-whisper", str(openai_checkpoint))
    text = " ".join(s["text"] for s in archive.transcript_rows(rec_id))
    assert recall(SAID[0], text) >= 0.7, text
    words = words_of(archive, rec_id)
    assert words and [w["start"] for w in words] == sorted(w["start"] for w in words)
    assert all(0 <= w["start"] <= w["end"] <= rec.duration for w in words)


# -- keyword rescoring (radiomon/pipeline/transcribe/rescore.py) with the real model ---------
MISHEARD = "Un tráiler volcó cerca de Acámbaro sin dejar heridos."  # base writes "acámbalo" without the prompt


@pytest.fixture(scope="module")
def acambaro(tmp_path_factory) -> list[Path]:
    """The sentence in three voices (three recordings: the guards collapse a
    segment repeated word for word), each of which Whisper base without the
    prompt writes as "cerca de acámbalo": a near miss of Acámbaro (87.5)."""
    folder = tmp_path_factory.mktemp("audio")
    return [
        (af.silence(0.5) + af.speech(MISHEARD, speed=speed, pitch=pitch) + af.silence(1.0)).write(folder / f"{k}.mp3")
        for k, (speed, pitch) in enumerate(((170, 60), (170, 45), (150, 45)))
    ]


@pytest.mark.parametrize("rescore", [True, False])
def test_rescoring_recovers_a_name_whisper_misheard(run, archive, write_config, acambaro, rescore):
    # No vocabulary prompt: with "Acámbaro" in the prompt Whisper spells it right to begin with.
    write_config("""\
        timezone: America/Mexico_City
        stations: [{id: radio-uno, name: Radio Uno, url: "http://127.0.0.1:8000/uno.mp3"}]
        transcription: {hotwords: false, rescore: %s}
        """ % str(rescore).lower())
    write_config("groups:\n  vecinos:\n    label: Municipios vecinos\n    terms: [Acámbaro]\n", "keywords.yml")
    rec_ids = [register(archive, path, minutes=10 * k) for k, path in enumerate(acambaro)]

    result = run("transcribe")

    assert result.exit_code == 0, result.output
    text = " ".join(s["text"] for r in rec_ids for s in archive.transcript_rows(r))
    mentions = archive.query("SELECT keyword, matched, offset FROM mentions ORDER BY recording_id")
    if not rescore:  # the near miss as decoded: no mention (what rescoring is for)
        assert normalize(text).count("acambalo") == 3 and mentions == [], text
        return
    assert normalize(text).count("acambaro") == 3, text
    assert [m["keyword"] for m in mentions] == ["Acámbaro"] * 3
    # The rewritten word keeps the time the misheard one was said at.
    words = [w for r in rec_ids for w in words_of(archive, r) if normalize(w["word"]) == "acambaro"]
    assert [round(m["offset"], 2) for m in mentions] == [round(w["start"], 2) for w in words]
    assert all(w["probability"] is None for w in words)


# Nats by which the text said must beat a look-alike, on any CPU. Log
# probabilities depend on the machine (int8 kernels, instruction set, BLAS
# backend): for "Moroleón" against "Morelia" named in the prompt, faster-whisper
# gave 4.27-5.72 nats on one AMD EPYC across CT2_USE_MKL=0/1 and
# CT2_FORCE_CPU_ISA=GENERIC/AVX/AVX2 (threads and int8_float32 changed
# nothing; float32 4.32), 4.28 on another machine of the kind, and
# openai-whisper's float32 weights about 4. Half the lowest leaves room for
# CPUs not measured; rescoring's own cut-offs are documented in rescore.py.
CLEARLY_BELOW = 2.0


def test_both_engines_score_a_rewrite_alike(headline, openai_checkpoint):
    """The two engines' teacher-forced scores (rescore.py's evidence) agree on the same weights."""
    from radiomon.pipeline.transcribe.engines.faster_whisper import FasterWhisperEngine
    from radiomon.pipeline.transcribe.engines.openai_whisper import OpenAIWhisperEngine
    from radiomon.pipeline.transcribe.types import Clip, EngineOptions
    from radiomon.pipeline.transcribe.vocabulary import naming

    audio = af.load(headline)
    clip = Clip(0.0, len(af.speech(SAID[0]).audio) / af.SAMPLE_RATE + 0.2)
    texts = [SAID[0], SAID[0].replace("Moroleón", "Morelia"), SAID[0].replace("mercado", "mercadeo")]
    options = EngineOptions(threads=1, initial_prompt="Noticias locales: Moroleón.")
    for engine in (FasterWhisperEngine("base", options), OpenAIWhisperEngine(str(openai_checkpoint), options)):
        # Asked as rescoring asks about Morelia: with the look-alike named in the prompt.
        named = naming(options.initial_prompt, "Morelia")
        said, look_alike, misspelt = (sum(lp) for lp in engine.score(audio, clip, texts, named))
        # Another town, even named, is clearly less likely than what was said
        # (keywords.yml's exclusions keep such towns from being asked about at all).
        assert said - look_alike > CLEARLY_BELOW, (engine.name, said, look_alike)
        assert said - misspelt > CLEARLY_BELOW, (engine.name, said, misspelt)
        # The prompt is what the texts follow: without it, the same text scores otherwise.
        plain = sum(engine.score(audio, clip, texts[:1], "")[0])
        assert abs(plain - said) > 0.01, (engine.name, plain, said)


def test_rescoring_reuses_the_encoder_output_of_the_decode(headline):
    """The encoder is most of a score's cost: a clip the batched pipeline has
    just decoded is not encoded again, and its scores agree with a fresh encoding."""
    from radiomon.pipeline.transcribe.engines.faster_whisper import FasterWhisperEngine
    from radiomon.pipeline.transcribe.types import Clip, EngineOptions

    audio = af.load(headline)
    engine = FasterWhisperEngine("base", EngineOptions(threads=2, initial_prompt="Noticias locales: Moroleón."))
    [segment] = engine.transcribe(audio, [Clip(0.0, len(af.speech(SAID[0]).audio) / af.SAMPLE_RATE + 0.2)])
    texts = [segment.text, segment.text.replace("Moroleón", "Morelia")]
    encodes = []
    encode = engine.model.encode
    engine.model.encode = lambda features: encodes.append(1) or encode(features)
    kept = [sum(lp) for lp in engine.score(audio, Clip(segment.start, segment.end), texts)]
    assert encodes == []
    other = FasterWhisperEngine("base", EngineOptions(threads=2, initial_prompt="Noticias locales: Moroleón."))
    fresh = [sum(lp) for lp in other.score(audio, Clip(segment.start, segment.end), texts)]  # decoded nothing: encodes
    assert kept[0] - kept[1] > CLEARLY_BELOW and fresh[0] - fresh[1] > CLEARLY_BELOW
    assert abs((kept[0] - kept[1]) - (fresh[0] - fresh[1])) < 0.5 * (fresh[0] - fresh[1]), (kept, fresh)
    # A sentence asked about twice (two terms) is encoded once; the same times in other audio are not reused.
    other_encodes = []
    other_encode = other.model.encode
    other.model.encode = lambda features: other_encodes.append(1) or other_encode(features)
    sentence = Clip(segment.start, segment.end - 0.1)
    first = other.score(audio, sentence, texts, "Noticias locales: Morelia.")
    again = other.score(audio, sentence, texts, "Noticias locales: Morelia.")
    assert other_encodes == [1] and first == again
    other.score(audio.copy(), sentence, texts[:1])
    assert other_encodes == [1, 1]
