"""`radiomon transcribe` checks its model before looking for work.

It used to fail only when a recording was pending: `--model xx` on an
archive with nothing to do printed "nothing to transcribe" and exited 0, so a
typo in a cron line or in radiomon.yml went unnoticed until the next night.
Nothing here loads a model: the check looks, it does not load.
"""

from __future__ import annotations

import sys

import pytest

from radiomon.errors import TranscriptionError
from radiomon.pipeline.transcribe import models


def one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.output.count("\n") == 1, result.output
    return result.output


@pytest.fixture
def ct2_folder(tmp_path):
    """A folder shaped like a CTranslate2 model (what faster-whisper loads); its contents are never read."""
    folder = tmp_path / "whisper-small-ct2"
    folder.mkdir()
    (folder / "model.bin").write_bytes(b"x")
    (folder / "config.json").write_text("{}")
    return folder


@pytest.fixture
def empty_hub(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))


def test_an_unknown_model_fails_at_once_with_nothing_to_transcribe(run, archive, empty_hub):
    message = one_line_error(run("transcribe", "--model", "xx"))
    assert "unknown model 'xx'" in message and "`base`" in message and "radiomon models" in message


def test_an_unknown_model_in_the_config_fails_at_once_too(run, archive, config_path, empty_hub):
    config_path.write_text(config_path.read_text() + "transcription:\n  model: smal\n")
    assert "unknown model 'smal'" in one_line_error(run("transcribe"))


def test_a_known_model_with_nothing_to_do_is_fine(run, archive, ct2_folder):
    assert (run("transcribe").exit_code, run("transcribe").output) == (0, "nothing to transcribe\n")
    result = run("transcribe", "--model", ct2_folder)
    assert (result.exit_code, result.output) == (0, "nothing to transcribe\n")


def test_an_engine_given_a_model_it_cannot_load(run, archive, ct2_folder, tmp_path):
    pt = tmp_path / "base.pt"
    pt.write_bytes(b"x")
    assert "faster-whisper cannot load it" in one_line_error(run("transcribe", "--model", pt))
    assert "faster-whisper cannot load it" in one_line_error(
        run("transcribe", "--engine", "faster-whisper", "--model", pt))
    assert "openai-whisper cannot load it" in one_line_error(
        run("transcribe", "--engine", "openai-whisper", "--model", ct2_folder))
    assert "no such openai-whisper checkpoint" in one_line_error(
        run("transcribe", "--engine", "openai-whisper", "--model", tmp_path / "missing.pt"))


def test_the_openai_engine_not_installed_is_said_before_any_work(run, archive, monkeypatch):
    monkeypatch.setitem(sys.modules, "whisper", None)  # find_spec answers None: as if not installed
    assert "openai-whisper engine is not installed" in one_line_error(run("transcribe", "--engine", "openai-whisper"))


@pytest.mark.parametrize("model, engine", [("large-v3", "faster-whisper"), ("large-v3", "openai-whisper")])
def test_check_raises_what_resolve_would(model, engine, empty_hub, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.cache/whisper/large-v3.pt
    with pytest.raises(TranscriptionError) as checked:
        models.check(model, engine)
    with pytest.raises(TranscriptionError) as resolved:
        models.resolve(model, engine)
    assert str(checked.value) == str(resolved.value)


def test_check_neither_joins_nor_converts_the_bundled_model(tmp_path, monkeypatch):
    monkeypatch.setenv(models.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path))
    models.check("base", "faster-whisper")
    models.check("base", "openai-whisper")
    assert not (tmp_path / "cache").exists()
