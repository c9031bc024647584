"""Keyword rescoring decides the same on every CPU backend (radiomon/pipeline/transcribe/decide.py).

CTranslate2 picks its int8 kernels at import, by instruction set
(``CT2_FORCE_CPU_ISA``) and BLAS backend (``CT2_USE_MKL``), and the same
rescoring question gets other nats from each. On an AMD EPYC with AVX-512,
45 questions about a sample like this one moved by 0.36 nats (median) and
up to 3.1 between AVX2, AVX-512 and GENERIC, and 2 of them crossed MARGIN
or FAR_GAIN ("Sembaya de Santiago." as Valle de Santiago: -4.39 nats with
AVX2, below -4.5 on the others); 4 of the 45 lay within ±1 nat of their
line. The float32 answers were identical across instruction sets
(benchmarks/NOTES.md). On this sample's 43 questions, answered in int8
alone (RECHECK=0), AVX2 and AVX-512 wrote one segment differently, AVX2
with and without MKL another. So an answer within ``BAND`` of its line is asked
again in float32, and this test rescores a fixed sample under two backends,
each in its own process (the backend is chosen at import), and asserts the
decisions agree.

The sample is what Whisper base wrote, without the prompt, for five
sentences in three espeak voices (tests/data/rescore_backends.json, made
by ``python tests/test_rescore_backends.py sample``); the audio is made
again from the same sentences.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

try:
    import audio_factory as af
except ImportError:  # tests/ is a package in some layouts
    from tests import audio_factory as af

pytestmark = [pytest.mark.slow]

SAMPLE = Path(__file__).parent / "data" / "rescore_backends.json"
SENTENCES = (
    "Un tráiler volcó cerca de Acámbaro sin dejar heridos.",
    "El DIF Moroleón entregará despensas a familias de la comunidad.",
    "La Tesorería Municipal amplió el horario de pago del predial.",
    "La presidenta municipal visitó la colonia El Salitre.",
    "Seguridad Pública detuvo a dos personas en Valle de Santiago.",
)
VOICES = ((170, 60), (150, 45), (130, 30))  # (speed, pitch)
KEYWORDS = Path(__file__).parent.parent / "radiomon" / "data" / "keywords.yml"


def broadcast() -> np.ndarray:
    clip = af.silence(0.5)
    for sentence in SENTENCES:
        for speed, pitch in VOICES:
            clip = clip + af.speech(sentence, speed=speed, pitch=pitch) + af.silence(1.0)
    return clip.audio


def backends() -> list[dict[str, str]]:
    """Two instruction sets this CPU runs: AVX2 and AVX-512 where it has
    both, else AVX2 and GENERIC; and AVX2 with the other BLAS backend."""
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    if " avx2" not in flags:
        pytest.skip("these backends need an x86 CPU with AVX2")
    other = "AVX512" if " avx512f" in flags and " avx512bw" in flags else "GENERIC"
    return [{"CT2_FORCE_CPU_ISA": "AVX2", "CT2_USE_MKL": "0"}, {"CT2_FORCE_CPU_ISA": other, "CT2_USE_MKL": "0"},
            {"CT2_FORCE_CPU_ISA": "AVX2", "CT2_USE_MKL": "1"}]


def test_rescoring_decides_alike_under_two_cpu_backends(tmp_path):
    assert af.missing() is None, af.missing()
    np.save(tmp_path / "audio.npy", broadcast())
    answers = []
    for env in backends():
        out = tmp_path / f"{env['CT2_FORCE_CPU_ISA']}-{env['CT2_USE_MKL']}.json"
        done = subprocess.run([sys.executable, __file__, "rescore", str(tmp_path / "audio.npy"), str(out)],
                              env={**os.environ, **env, "HF_HUB_OFFLINE": "1"}, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-3000:]
        answers.append((env, json.loads(out.read_text())))
    (first_env, first), *others = answers
    assert first["asked"] >= 20  # the sample asks real questions
    for env, other in others:
        # The int8 answers do differ between the backends (what the band is for) …
        assert first["int8"] != other["int8"], env
        # … and the transcripts rescoring writes are the same.
        assert other["texts"] == first["texts"], (first_env, env)


def _rescore(audio_path: str, out_path: str) -> None:
    """In this process's backend: the sample rescored with the bundled
    keywords.yml, int8 answers rechecked in float32 near the line."""
    import logging

    from radiomon.keywords.load import load_keywords
    from radiomon.pipeline.transcribe import decide
    from radiomon.pipeline.transcribe.engines.faster_whisper import FasterWhisperEngine
    from radiomon.pipeline.transcribe.rescore import Rescorer
    from radiomon.pipeline.transcribe.types import EngineOptions
    from radiomon.transcript import Segment, Word

    audio = np.load(audio_path)
    segments = [Segment(s["start"], s["end"], s["text"], words=tuple(Word(*w) for w in s["words"]))
                for s in json.loads(SAMPLE.read_text())]
    int8 = FasterWhisperEngine("base", EngineOptions(threads=1))
    exact = FasterWhisperEngine("base", EngineOptions(threads=1, compute_type="float32"))
    answers: list[float] = []
    ask = decide.ask

    def asking(*args, **kwargs):  # every int8 answer, for the record
        gains = ask(*args, **kwargs)
        if args[4] is first_score:
            answers.extend(round(g, 2) for _, g in sorted(gains.items()))
        return gains

    def first_score(clip, texts, prompt):
        return int8.score(audio, clip, texts, prompt)

    decide.ask = asking
    logging.basicConfig(level=logging.WARNING)
    rescored = Rescorer.for_keywords(load_keywords(KEYWORDS)).rescore(
        segments, first_score,
        None if os.environ.get("RECHECK") == "0" else (lambda clip, texts, prompt: exact.score(audio, clip, texts,
                                                                                                 prompt)))
    Path(out_path).write_text(json.dumps({"texts": [s.text for s in rescored], "int8": answers,
                                          "asked": len(answers)}, ensure_ascii=False))


def _sample() -> None:
    """Decode the sample once (default backend, no prompt) into SAMPLE."""
    from radiomon.pipeline.transcribe.engines.faster_whisper import FasterWhisperEngine
    from radiomon.pipeline.transcribe.types import Clip, EngineOptions

    audio = broadcast()
    seconds = len(audio) / af.SAMPLE_RATE
    clips = [Clip(float(t), float(min(seconds, t + 30.0))) for t in np.arange(0.0, seconds, 30.0)]
    segments = FasterWhisperEngine("base", EngineOptions(threads=1)).transcribe(audio, clips)
    SAMPLE.write_text(json.dumps([{"start": s.start, "end": s.end, "text": s.text, "words": [list(w) for w in s.words]}
                                  for s in segments], ensure_ascii=False, indent=0) + "\n")


if __name__ == "__main__":
    if sys.argv[1] == "rescore":
        _rescore(*sys.argv[2:4])
    else:
        _sample()
