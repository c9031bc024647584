"""Shared fixtures: a throwaway deployment, its archive, and the CLI as a user runs it.

A test that needs radiomon "as installed in an office" asks for these:

``deployment``   a folder with ``radiomon.yml`` (two stations, see
                 :data:`RADIOMON_YML`) and a minimal ``keywords.yml``;
                 nothing else (no archive yet, no recordings/).
``config_path``  ``deployment / "radiomon.yml"``.
``config``       that file loaded into a :class:`radiomon.config.Config`.
``archive``      the deployment's :class:`radiomon.archive.Archive`, created,
                 stations synced, closed after the test.
``run``          ``run(*args, input=None, env=None)`` invokes ``radiomon
                 --config <config_path> *args`` through click's CliRunner and
                 returns the :class:`click.testing.Result` (``output`` is
                 stdout and stderr together, ``stdout``/``stderr`` apart).
``cli``          the same without ``--config``, for tests of how the config
                 is found (``cli("--help")``, ``RADIOMON_CONFIG``, ./radiomon.yml).
``write_config`` ``write_config(text, name="radiomon.yml")`` writes a config
                 file into the deployment folder and returns its path.
``make_tone``    ``make_tone(path, seconds=3.0, kind="sine")`` writes a real
                 audio file with ffmpeg (``kind="silence"`` for anullsrc);
                 the format follows the suffix (.wav, .mp3, …).
``build_office`` module-scoped: ``build_office(name, fill=None, radiomon_yml=…,
                 keywords_yml=…)`` makes a deployment folder shared by a
                 module's tests; ``fill(config, archive)`` stores what they
                 read (stations synced first). Returns the folder.

Helpers: :func:`write_deployment` (the two files into a folder) and
:func:`own_tmpfs` (a small filesystem of its own, for a full disk).

``RADIOMON_CONFIG`` is removed from the environment for every test, so a
developer's own setting never leaks into the suite.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings

from radiomon.archive import Archive
from radiomon.cli import main
from radiomon.config import Config, load_config

# Tests never assert on wall-clock time: hypothesis' per-example deadline
# fails at random on a loaded 2-core CI machine, so it is off everywhere.
settings.register_profile("radiomon", deadline=None)
settings.load_profile("radiomon")

#: The deployment every CLI test starts from. Times are shown in Mexico City
#: (UTC-6 all year since 2022); ``radio-uno`` streams, ``fm-oficina`` is the
#: office's FM receiver on a capture device.
RADIOMON_YML = """\
timezone: America/Mexico_City
archive: radiomon.db
recordings_dir: recordings
transcripts_dir: transcripts
keywords: keywords.yml
# However full the test machine's disk is, it is not what these tests check
# (test_health.py fills a small filesystem of its own).
health:
  disk_max_used_percent: 100
stations:
  - id: radio-uno
    name: Radio Uno Moroleón
    url: http://127.0.0.1:8000/uno.mp3
  - id: fm-oficina
    name: Receptor FM de la oficina
    input: alsa:hw:1
"""

#: The same deployment reading two newspapers (their feeds are never fetched by the tests that use it).
PRESS_YML = RADIOMON_YML.replace("stations:\n", """\
press:
  outlets:
    - id: diario-sur
      name: Diario del Sur
      feeds: [https://diariodelsur.example/feed/]
    - id: el-sol
      name: El Sol del Bajío
      feeds: [https://elsol.example/feed/]
stations:
""")

#: A keywords.yml small enough to read at a glance.
KEYWORDS_YML = """\
defaults: {threshold: 88}
groups:
  municipio:
    label: Municipio de Moroleón
    priority: high
    terms:
      - {term: Moroleón, aliases: [Moro León], exclude: [León, Morelia, Morelos]}
"""


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RADIOMON_CONFIG", raising=False)


def write_deployment(folder: Path, radiomon_yml: str = RADIOMON_YML, keywords_yml: str = KEYWORDS_YML) -> Path:
    """radiomon.yml and keywords.yml into ``folder`` (which must exist); returns radiomon.yml."""
    (folder / "radiomon.yml").write_text(radiomon_yml, encoding="utf-8")
    (folder / "keywords.yml").write_text(keywords_yml, encoding="utf-8")
    return folder / "radiomon.yml"


@pytest.fixture
def deployment(tmp_path: Path) -> Path:
    """A deployment folder with radiomon.yml and keywords.yml (see :data:`RADIOMON_YML`)."""
    folder = tmp_path / "oficina"
    folder.mkdir()
    write_deployment(folder)
    return folder


@pytest.fixture(scope="module")
def build_office(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``build_office(name, fill=None, radiomon_yml=RADIOMON_YML, keywords_yml=KEYWORDS_YML)``: a deployment
    folder for a module's read-only tests, built once; ``fill(config, archive)`` stores what they read."""

    def build(name: str, fill: Callable[[Config, Archive], None] | None = None, *,
              radiomon_yml: str = RADIOMON_YML, keywords_yml: str = KEYWORDS_YML) -> Path:
        folder = tmp_path_factory.mktemp(name) / "oficina"
        folder.mkdir()
        config = load_config(write_deployment(folder, radiomon_yml, keywords_yml))
        if fill is not None:
            with Archive(config.archive) as archive:
                archive.sync_stations(config.stations, str(config.timezone))
                fill(config, archive)
        return folder

    return build


@contextmanager
def own_tmpfs(folder: Path, size: str, *, lazy: bool = False) -> Iterator[Path]:
    """``folder`` (made here) as a tmpfs of ``size`` ("8m") of its own, unmounted after; ``lazy`` unmounts it
    even while busy (umount -l). A disk that fills up is only testable on a filesystem of the test's own, and
    mounting one needs root, which the suite has (as `make test` runs it)."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    assert mounted.returncode == 0, f"cannot mount a {size} tmpfs (needs root): {mounted.stderr.strip()}"
    yield folder
    subprocess.run(["umount", *(["-l"] if lazy else []), str(folder)], check=True)


@pytest.fixture
def config_path(deployment: Path) -> Path:
    return deployment / "radiomon.yml"


@pytest.fixture
def config(config_path: Path) -> Config:
    return load_config(config_path)


@pytest.fixture
def archive(config: Config):
    """The deployment's archive, stations synced, as the CLI opens it."""
    with Archive(config.archive) as db:
        db.sync_stations(config.stations, str(config.timezone))
        yield db


@pytest.fixture
def write_config(deployment: Path) -> Callable[..., Path]:
    """``write_config(text, name="radiomon.yml")``: dedented text into the deployment folder."""

    def write(text: str, name: str = "radiomon.yml") -> Path:
        path = deployment / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


def invoke(args: list[str], *, input: str | None = None, env: dict | None = None) -> Result:
    """``radiomon *args`` in-process; exceptions other than SystemExit end up in ``result.exception``."""
    return CliRunner().invoke(
        main, [str(a) for a in args], input=input, env=env, catch_exceptions=True, prog_name="radiomon"
    )


@pytest.fixture
def cli() -> Callable[..., Result]:
    """``cli(*args)``: radiomon without --config (config found from the env or ./radiomon.yml)."""
    return lambda *args, **kwargs: invoke(list(args), **kwargs)


@pytest.fixture
def run(config_path: Path) -> Callable[..., Result]:
    """``run(*args)``: ``radiomon --config <deployment>/radiomon.yml *args``."""
    return lambda *args, **kwargs: invoke(["--config", str(config_path), *args], **kwargs)


@pytest.fixture
def make_tone() -> Callable[..., Path]:
    """``make_tone(path, seconds=3.0, kind="sine")``: real audio generated by ffmpeg."""
    # Never skip: CI installs ffmpeg (make test), and a silent skip would hide it missing.
    assert shutil.which("ffmpeg"), "ffmpeg is not installed (make test installs it)"

    def make(path: Path, seconds: float = 3.0, kind: str = "sine") -> Path:
        source = {
            "sine": "sine=frequency=440:sample_rate=16000",
            "silence": "anullsrc=r=16000:cl=mono",
        }[kind]
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source,
             "-t", str(seconds), "-ac", "1", str(path)],
            check=True,
        )
        return path

    return make
