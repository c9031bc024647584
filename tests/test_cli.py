"""The command line as a whole: help, init, finding the config, status, clean errors."""

from __future__ import annotations

import json
import re
import time
from importlib import resources
from pathlib import Path

import click
import pytest

import radiomon
from radiomon.archive import Archive, schema
from radiomon.cli import main


def command_paths(group: click.Group = main, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, command in sorted(group.commands.items()):
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, (*prefix, name)))
    return paths


# --- help -------------------------------------------------------------------------------------


def test_top_level_help_lists_every_command(cli) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    assert result.output.startswith("Usage: radiomon [OPTIONS] COMMAND [ARGS]...\n")
    assert "--config FILE" in result.output
    for name in main.commands:
        assert re.search(rf"^  {re.escape(name)}\s", result.output, re.MULTILINE), name


def test_the_contract_commands_exist() -> None:
    contract = {"init", "record", "import", "transcribe", "match", "search", "mentions", "clip", "digest",
                "report", "serve", "nightly", "run", "status", "prune"}
    assert contract <= set(main.commands)


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_every_command_has_help(cli, path) -> None:
    result = cli(*path, "--help")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: radiomon {' '.join(path)} ")
    command = main
    for name in path:
        command = command.commands[name]
    assert command.help and command.help.strip()
    first_words = " ".join(command.help.split()[:5])
    assert first_words in " ".join(result.output.split())


def test_version(cli) -> None:
    result = cli("--version")
    assert (result.exit_code, result.output) == (0, f"radiomon, version {radiomon.__version__}\n")
    assert radiomon.__version__ == "0.3.0"


# --- init -------------------------------------------------------------------------------------


def wait_for_bundled_keywords(timeout: float = 60.0) -> None:
    """radiomon/data/keywords.yml is written by another change; give it time to land."""
    path = resources.files("radiomon") / "data" / "keywords.yml"
    deadline = time.monotonic() + timeout
    while not path.is_file():
        if time.monotonic() > deadline:
            pytest.fail("radiomon/data/keywords.yml is missing from the package")
        time.sleep(1)


def test_init_creates_a_working_deployment(cli, tmp_path: Path) -> None:
    wait_for_bundled_keywords()
    target = tmp_path / "nueva"
    result = cli("init", target)
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"wrote {target / 'radiomon.yml'}\n"
        f"wrote {target / 'keywords.yml'}\n"
        f"archive ready: {target / 'radiomon.db'}\n"
    )
    assert (target / "recordings").is_dir() and (target / "transcripts").is_dir()
    data = resources.files("radiomon") / "data"
    assert (target / "radiomon.yml").read_text(encoding="utf-8") == (data / "radiomon.yml").read_text(encoding="utf-8")
    assert (target / "keywords.yml").read_text(encoding="utf-8") == (data / "keywords.yml").read_text(encoding="utf-8")
    # The example is usable as it is.
    status = cli("--config", target / "radiomon.yml", "status", "--format", "json")
    assert status.exit_code == 0, status.output
    assert [s["id"] for s in json.loads(status.output)["stations"]] == ["ejemplo-am"]


def test_init_never_overwrites_without_force(cli, tmp_path: Path) -> None:
    wait_for_bundled_keywords()
    (tmp_path / "radiomon.yml").write_text("# mío\nstations: []\n", encoding="utf-8")
    result = cli("init", tmp_path)
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"kept existing {tmp_path / 'radiomon.yml'} (use --force to overwrite)\n"
        f"wrote {tmp_path / 'keywords.yml'}\n"
        f"archive ready: {tmp_path / 'radiomon.db'}\n"
    )
    assert (tmp_path / "radiomon.yml").read_text(encoding="utf-8") == "# mío\nstations: []\n"
    again = cli("init", tmp_path)
    assert again.output.splitlines()[:2] == [
        f"kept existing {tmp_path / 'radiomon.yml'} (use --force to overwrite)",
        f"kept existing {tmp_path / 'keywords.yml'} (use --force to overwrite)",
    ]
    forced = cli("init", tmp_path, "--force")
    assert forced.output.splitlines()[0] == f"wrote {tmp_path / 'radiomon.yml'}"
    assert "ejemplo-am" in (tmp_path / "radiomon.yml").read_text(encoding="utf-8")


def test_init_defaults_to_the_current_folder(cli, tmp_path: Path, monkeypatch) -> None:
    wait_for_bundled_keywords()
    monkeypatch.chdir(tmp_path)
    result = cli("init")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "radiomon.yml").is_file() and (tmp_path / "radiomon.db").is_file()


def test_init_keeps_an_existing_archive(run, cli, deployment: Path, archive) -> None:
    (deployment / "nota.json").write_text('{"segments": [{"start": 0, "end": 1, "text": "Moroleón"}]}')
    run("import", "--transcript", deployment / "nota.json", "--station", "radio-uno", "--start", "2026-11-25")
    result = cli("init", deployment)
    assert result.exit_code == 0, result.output
    assert json.loads(run("status", "--format", "json").output)["segments"] == 1


def test_init_with_a_broken_existing_config_is_a_clean_error(cli, tmp_path: Path) -> None:
    wait_for_bundled_keywords()
    (tmp_path / "radiomon.yml").write_text("stations:\n  - id: uno\n", encoding="utf-8")
    result = cli("init", tmp_path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.splitlines()[-1] == (
        f"Error: {tmp_path / 'radiomon.yml'}:2: stations[0]: station 'uno' has neither url nor input; give one of them")


# --- finding the config -----------------------------------------------------------------------


def test_config_from_option_environment_or_current_folder(cli, deployment: Path, tmp_path: Path, monkeypatch) -> None:
    expected = str(deployment / "radiomon.yml")
    Archive(deployment / "radiomon.db").close()  # status reads an archive; it never creates one
    by_option = cli("--config", deployment / "radiomon.yml", "status", "--format", "json")
    assert json.loads(by_option.output)["config"] == expected
    by_env = cli("status", "--format", "json", env={"RADIOMON_CONFIG": expected})
    assert json.loads(by_env.output)["config"] == expected
    monkeypatch.chdir(deployment)
    by_cwd = cli("status", "--format", "json")
    assert json.loads(by_cwd.output)["config"] == expected


def test_relative_paths_follow_the_config_not_the_working_folder(
    cli, write_config, deployment, tmp_path, monkeypatch
) -> None:
    write_config("""\
        archive: datos/radiomon.db
        stations:
          - {id: radio-uno, url: "http://127.0.0.1:8000/uno.mp3"}
    """)
    elsewhere = tmp_path / "otro"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    (elsewhere / "t.json").write_text('{"segments": [{"start": 0, "end": 2, "text": "Hola"}]}', encoding="utf-8")
    assert cli("init", "../oficina").exit_code == 0  # keeps the config, makes the archive it names
    imported = cli("--config", "../oficina/radiomon.yml", "import", "--transcript", "t.json",
                   "--station", "radio-uno", "--start", "2026-11-25T08:00")
    assert imported.exit_code == 0, imported.output
    result = cli("--config", "../oficina/radiomon.yml", "status", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["archive"] == str(deployment / "datos" / "radiomon.db")
    assert (deployment / "datos" / "radiomon.db").is_file()
    assert not (elsewhere / "datos").exists()


def test_reading_commands_never_create_a_missing_archive(cli, deployment: Path) -> None:
    for args in (("status",), ("search", "moroleon")):
        result = cli("--config", deployment / "radiomon.yml", *args)
        assert (result.exit_code, result.output) == (
            1, f"Error: {deployment / 'radiomon.db'}: archive not found; run `radiomon init` first\n")
    assert not (deployment / "radiomon.db").exists()


def test_no_config_anywhere_says_how_to_get_one(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("status")
    assert (result.exit_code, result.output) == (
        1, "Error: radiomon.yml: file not found; create it with `radiomon init` or pass --config\n")


def test_a_config_named_in_the_environment_that_does_not_exist(cli, tmp_path: Path) -> None:
    missing = tmp_path / "no-hay.yml"
    result = cli("search", "moroleon", env={"RADIOMON_CONFIG": str(missing)})
    assert (result.exit_code, result.output) == (
        1, f"Error: {missing}: file not found; create it with `radiomon init` or pass --config\n")


@pytest.mark.parametrize("command", [["status"], ["search", "moroleon"], ["import", "x.wav", "--station", "radio-uno"]])
def test_a_bad_config_is_one_line_for_every_command(run, write_config, config_path, command) -> None:
    write_config("timezone: Mars/Olympus\nstations: []\n")
    result = run(*command)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output == (
        f"Error: {config_path}:1: timezone: unknown time zone 'Mars/Olympus'; "
        "use an IANA name like America/Mexico_City\n"
    )


def test_an_archive_that_is_not_sqlite_is_one_line(run, deployment: Path) -> None:
    (deployment / "radiomon.db").write_text("no soy una base de datos\n" * 100)
    result = run("status")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output == (
        f"Error: {deployment / 'radiomon.db'}: cannot open the archive (file is not a database); "
        "is it a radiomon SQLite file?\n")


# --- status -----------------------------------------------------------------------------------


@pytest.fixture
def with_recordings(run, deployment: Path, make_tone, archive):
    wav = make_tone(deployment / "20261125T140000.wav", seconds=1.0)
    assert run("import", wav, "--station", "radio-uno").exit_code == 0
    (deployment / "nota.json").write_text(
        '{"segments": [{"start": 0, "end": 1, "text": "Buenos días"}, {"start": 1, "end": 2, "text": "Moroleón"}]}')
    assert run("import", "--transcript", deployment / "nota.json", "--station", "radio-uno",
               "--start", "2026-11-25 15:00").exit_code == 0
    return run


def test_status_table(with_recordings, deployment: Path, config_path: Path) -> None:
    result = with_recordings("status")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"config:   {config_path}"
    db = re.escape(str(deployment / "radiomon.db"))
    archive_line = rf"archive:  {db} \(\d+\.\d MB, schema v{schema.CURRENT_VERSION}\)"
    assert re.fullmatch(archive_line, lines[1])
    assert lines[2] == "recordings: 1 pending, 1 transcribed; segments: 2"
    assert re.fullmatch(r"disk free: \d+\.\d GB", lines[3])
    assert lines[4:11] == [
        "",
        "station     state                                        last recording    pending  transcribed  failed"
        "  gaps 24h  gaps today  last segment",
        "radio-uno   not recording (last audio 2026-11-25 15:00)  2026-11-25 15:00  1        1            0       0"
        "         0           2026-11-25 15:00",
        "fm-oficina  never recorded                               never             0        0            0       0"
        "         0           never",
        "",
        "backlog:  0.0 h of audio in 1 recording(s); last 24 h 0.0 h transcribed, 0.0 h recorded (steady)",
        "alerts:   no channels configured; 0 waiting",
    ]
    # The archive and recordings/ (not created yet) share one disk: it is shown once.
    assert re.fullmatch(rf"disk:     {re.escape(str(deployment))} \d+% used, \d+\.\d GB free", lines[11])
    # Only imports so far: no recorder has run for radio-uno, so it is not "down".
    assert lines[12:] == ["nightly:  never run", "health:   ok"]


def test_status_json(with_recordings, deployment: Path, config_path: Path) -> None:
    result = with_recordings("status", "--format", "json")
    assert result.exit_code == 0, result.output
    status = json.loads(result.output)
    assert status["archive_bytes"] > 0
    del status["archive_bytes"]
    [disk] = status.pop("disks")  # the archive and recordings/ (not created yet) share a disk
    assert disk["path"] == str(deployment) and disk["used_bytes"] > 0 and disk["free_bytes"] > 0
    assert status == {
        "config": str(config_path),
        "archive": str(deployment / "radiomon.db"),
        "schema_version": schema.CURRENT_VERSION,
        "recordings": {"pending": 1, "transcribing": 0, "transcribed": 1, "failed": 0, "pruned": 0},
        "segments": 2,
        "stations": [
            {"id": "radio-uno", "name": "Radio Uno Moroleón", "source": "http://127.0.0.1:8000/uno.mp3",
             "recordings": {"pending": 1, "transcribed": 1}, "last_recording_utc": "2026-11-25T21:00:00.000Z",
             "last_audio_end_utc": status["stations"][0]["last_audio_end_utc"], "segments": 2,
             "state": "not recording (last audio 2026-11-25 15:00)", "gaps_24h": 0, "gaps_today": 0,
             "last_segment_utc": "2026-11-25T21:00:02.000Z", "monitored": False, "down_since_utc": None},
            {"id": "fm-oficina", "name": "Receptor FM de la oficina", "source": "alsa:hw:1",
             "recordings": {}, "last_recording_utc": None, "last_audio_end_utc": None, "segments": 0,
             "state": "never recorded", "gaps_24h": 0, "gaps_today": 0, "last_segment_utc": None,
             "monitored": False, "down_since_utc": None},
        ],
        "healthy": True,
        "problems": [],
        "backlog": {"recordings": 1, "hours": 0.0, "oldest_utc": "2026-11-25T20:00:00.000Z",
                    "transcribed_hours_24h": 0.0, "recorded_hours_24h": 0.0, "shrinking_hours_per_hour": 0.0,
                    "hours_to_clear": None},
        "alerts": {"channels": [], "waiting": 0, "failed": 0, "by_channel": []},
        "nightly": None,
        "outlets": [],  # no press.outlets configured
    }


def test_status_csv(with_recordings) -> None:
    result = with_recordings("status", "--format", "csv")
    assert result.output == (
        "id,name,last,pending,transcribed,failed,segments,state,gaps_24h,gaps_today,last_segment,down_since\n"
        "radio-uno,Radio Uno Moroleón,2026-11-25 15:00,1,1,0,2,not recording (last audio 2026-11-25 15:00),0,0,"
        "2026-11-25 15:00,\n"
        "fm-oficina,Receptor FM de la oficina,never,0,0,0,0,never recorded,0,0,never,\n"
    )


def test_status_of_a_station_removed_from_the_config(with_recordings, write_config) -> None:
    write_config("stations:\n  - {id: fm-oficina, input: 'alsa:hw:1'}\n")
    status = json.loads(with_recordings("status", "--format", "json").output)
    assert [(s["id"], s["source"], s["segments"]) for s in status["stations"]] == [
        ("fm-oficina", "alsa:hw:1", 0), ("radio-uno", "(not configured)", 2)]
