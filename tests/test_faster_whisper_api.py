"""The parts of faster-whisper radiomon calls or overrides, as they are in the tested release.

engines/faster_whisper.py subclasses ``BatchedInferencePipeline`` and hooks
two of its internals (``forward``, ``generate_segment_batched``) to keep each
clip's encoder output for keyword rescoring. Were one renamed or reshaped in
a later release, nothing would fail: the hook would simply not run and every
rescoring question would encode its clip again (slower, silently). So the
dependency is pinned to the release tested (pyproject.toml), and this file
says what that release must provide, by name, so that raising the pin fails
here first. test_transcribe.py's
``test_rescoring_reuses_the_encoder_output_of_the_decode`` checks the
behaviour itself with the real model.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import inspect
import tomllib
from pathlib import Path

import pytest
from faster_whisper import BatchedInferencePipeline, WhisperModel
from faster_whisper.audio import decode_audio
from faster_whisper.tokenizer import Tokenizer
from faster_whisper.transcribe import Segment, Word
from faster_whisper.utils import download_model
from faster_whisper.vad import VadOptions, get_speech_timestamps
from packaging.requirements import Requirement

from radiomon.pipeline.transcribe import models

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"

# What engines/faster_whisper.py passes to each transcribe (common + per call).
COMMON = ("language", "beam_size", "word_timestamps", "initial_prompt", "condition_on_previous_text",
          "max_new_tokens", "clip_timestamps", "vad_filter", "temperature")


def parameters(func) -> list[str]:
    return list(inspect.signature(func).parameters)


def test_the_installed_release_is_inside_the_pinned_range():
    [spec] = [Requirement(d) for d in tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
              if Requirement(d).name == "faster-whisper"]
    assert spec.specifier.contains(importlib.metadata.version("faster-whisper"))
    # An upper bound: a new minor release may move the internals hooked below.
    assert any(s.operator == "<" for s in spec.specifier), str(spec)


def test_the_batched_pipeline_internals_the_engine_overrides():
    assert parameters(BatchedInferencePipeline.__init__) == ["self", "model"]
    # Pipeline.forward(self, features, tokenizer, chunks_metadata, *args) reads chunks_metadata itself.
    assert parameters(BatchedInferencePipeline.forward) == ["self", "features", "tokenizer", "chunks_metadata",
                                                            "options"]
    assert parameters(BatchedInferencePipeline.generate_segment_batched) == ["self", "features", "tokenizer",
                                                                             "options"]
    # The hook sees the encoder output only if forward gets it from this method, as a pair.
    forward = inspect.getsource(BatchedInferencePipeline.forward)
    assert "encoder_output, outputs = self.generate_segment_batched(" in forward
    assert "return encoder_output, output" in inspect.getsource(BatchedInferencePipeline.generate_segment_batched)
    # The keys the hook reads from each clip's metadata.
    source = inspect.getsource(BatchedInferencePipeline.transcribe)
    assert '"offset":' in source and '"duration":' in source


def test_the_calls_the_engine_makes():
    assert set(COMMON + ("batch_size", "without_timestamps")) <= set(parameters(BatchedInferencePipeline.transcribe))
    assert set(COMMON + ("compression_ratio_threshold",)) <= set(parameters(WhisperModel.transcribe))
    assert {"model_size_or_path", "device", "compute_type", "cpu_threads", "num_workers",
            "local_files_only"} <= set(parameters(WhisperModel.__init__))
    assert parameters(WhisperModel.encode) == ["self", "features"]
    assert parameters(Tokenizer.__init__) == ["self", "tokenizer", "multilingual", "task", "language"]
    assert {"size_or_id", "local_files_only"} <= set(parameters(download_model))  # models._hub_cached
    assert "sampling_rate" in parameters(decode_audio)  # audio.decode
    assert parameters(get_speech_timestamps)[:3] == ["audio", "vad_options", "sampling_rate"]  # vad.speech_regions
    assert {"threshold", "neg_threshold", "min_speech_duration_ms", "max_speech_duration_s",
            "min_silence_duration_ms", "speech_pad_ms"} <= {f.name for f in dataclasses.fields(VadOptions)}


def test_the_results_the_engine_reads():
    # engines.faster_whisper._segment
    assert {"start", "end", "text", "avg_logprob", "no_speech_prob", "compression_ratio", "words"} <= {
        f.name for f in dataclasses.fields(Segment)}
    assert {"word", "start", "end", "probability"} <= {f.name for f in dataclasses.fields(Word)}


@pytest.fixture(scope="module")
def whisper_model():
    return WhisperModel(str(models.ensure_bundled()), device="cpu", compute_type="int8", cpu_threads=1,
                        local_files_only=True)


def test_the_model_attributes_score_and_the_hook_use(whisper_model):
    model = whisper_model
    assert model.frames_per_second == 100  # the hook's frames for a clip's duration
    assert model.feature_extractor.nb_max_frames == 3000 and callable(model.feature_extractor)
    assert callable(model.model.align) and model.model.is_multilingual
    tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="es")
    assert tokenizer.sot_prev and tokenizer.sot_sequence and tokenizer.encode(" Moroleón")
