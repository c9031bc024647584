"""The openai-whisper checkpoint is rebuilt from the bundled CTranslate2 weights, offline."""

from __future__ import annotations

from radiomon.pipeline.transcribe import models
from radiomon.pipeline.transcribe.convert import openai_checkpoint, read_ct2_model


def test_the_bundled_model_bin_reads_as_whisper_base() -> None:
    spec, variables, _ = read_ct2_model(models.ensure_bundled() / "model.bin")
    assert spec == "WhisperSpec"
    assert variables["encoder/conv1/bias"][0] == [512]
    assert {k.split("/")[1] for k in variables if k.startswith("decoder/layer_") and "norm" not in k} == {
        f"layer_{i}" for i in range(6)}


def test_the_checkpoint_has_openai_whispers_shape() -> None:
    import whisper  # the openai-whisper extra; make test installs it
    checkpoint = openai_checkpoint(models.ensure_bundled() / "model.bin")
    assert checkpoint["dims"] == {
        "n_mels": 80, "n_audio_ctx": 1500, "n_audio_state": 512, "n_audio_head": 8, "n_audio_layer": 6,
        "n_vocab": 51865, "n_text_ctx": 448, "n_text_state": 512, "n_text_head": 8, "n_text_layer": 6,
    }
    model = whisper.model.Whisper(whisper.model.ModelDimensions(**checkpoint["dims"]))
    model.load_state_dict(checkpoint["model_state_dict"])  # every tensor has its place and shape
