"""The checkout is a deployment too: radiomon.yml and keywords.yml at the top, recordings/ and transcripts/ beside.

`radiomon init` copies the files packaged in radiomon/data/; the copies at the
top of the checkout must be the same files, so the office's keywords live in
one version however radiomon is started.
"""

from __future__ import annotations

from pathlib import Path

from radiomon.config import load_config

ROOT = Path(__file__).resolve().parents[1]


def test_the_top_level_files_are_the_packaged_ones():
    for name in ("keywords.yml", "radiomon.yml"):
        assert (ROOT / name).read_bytes() == (ROOT / "radiomon" / "data" / name).read_bytes(), (
            f"{name} and radiomon/data/{name} differ: edit one and copy it over the other")


def test_the_checkout_config_uses_the_checkout_folders():
    config = load_config(ROOT / "radiomon.yml")
    assert config.recordings_dir == ROOT / "recordings" and config.recordings_dir.is_dir()
    assert config.transcripts_dir == ROOT / "transcripts" and config.transcripts_dir.is_dir()
    assert config.keywords == ROOT / "keywords.yml"
    assert config.archive == ROOT / "radiomon.db"
