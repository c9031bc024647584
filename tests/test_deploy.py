"""deploy/systemd: the units parse, are hardened alike, and start commands the CLI has."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import invoke

UNITS = Path(__file__).resolve().parent.parent / "deploy" / "systemd"
INSTALLED = "/opt/radiomon/.venv/bin/radiomon"
DATA = "/srv/radiomon"
SERVICES = ("radiomon.service", "radiomon-nightly.service", "radiomon-web.service", "radiomon-worker.service")

#: Every key the units may use, per section (a typo like ProtectSytem= is an error here, not a silent no-op).
KNOWN = {
    "Unit": {"Description", "Documentation", "Wants", "After", "Requires", "Before"},
    "Install": {"WantedBy"},
    "Timer": {"OnCalendar", "Persistent", "AccuracySec", "RandomizedDelaySec", "Unit"},
    "Service": {
        "Type", "User", "Group", "SupplementaryGroups", "WorkingDirectory", "Environment", "ExecStart", "KillSignal",
        "TimeoutStopSec", "TimeoutStartSec", "Restart", "RestartSec", "StandardOutput", "StandardError",
        "SyslogIdentifier", "Nice", "IOSchedulingClass", "IOSchedulingPriority", "NoNewPrivileges",
        "ProtectSystem", "ReadWritePaths", "ProtectHome", "PrivateTmp", "PrivateDevices", "ProtectKernelTunables",
        "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups", "ProtectClock", "ProtectHostname",
        "RestrictSUIDSGID", "RestrictRealtime", "RestrictNamespaces", "LockPersonality", "RestrictAddressFamilies",
        "SystemCallArchitectures", "UMask",
    },
}
REPEATABLE = {"Environment", "After", "Wants", "ReadWritePaths", "Documentation"}
HARDENING = {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
             "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes", "ProtectControlGroups": "yes",
             "RestrictSUIDSGID": "yes", "LockPersonality": "yes", "StandardOutput": "journal",
             "StandardError": "journal", "User": "radiomon", "Group": "radiomon"}


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A strict reading of a unit file: known sections and keys, one value each unless repeatable."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        where = f"{path.name}:{number}"
        if not line or line[0] in "#;":
            continue
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            current = header.group(1)
            assert current in KNOWN and current not in sections, f"{where}: section [{current}]"
            sections[current] = {}
            continue
        assert current is not None, f"{where}: a setting before the first section"
        key, equals, value = line.partition("=")
        assert equals and value.strip(), f"{where}: expected Key=value, got {line!r}"
        assert key in KNOWN[current], f"{where}: unknown key {key!r} in [{current}]"
        values = sections[current].setdefault(key, [])
        assert not values or key in REPEATABLE, f"{where}: {key} given twice"
        values.append(value.strip())
    return sections


def one(unit: dict, section: str, key: str) -> str:
    [value] = unit[section][key]
    return value


def test_the_units_are_there():
    assert sorted(p.name for p in UNITS.iterdir()) == sorted([*SERVICES, "radiomon-nightly.timer"])


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_runs_as_radiomon_hardened_writing_only_its_data_folder(name):
    unit = parse_unit(UNITS / name)
    service = unit["Service"]
    for key, value in HARDENING.items():
        assert service.get(key) == [value], f"{name}: {key}"
    assert service["ReadWritePaths"] == [DATA]
    assert one(unit, "Service", "WorkingDirectory") == DATA
    environment = dict(v.split("=", 1) for v in service["Environment"])
    assert environment["RADIOMON_CONFIG"] == f"{DATA}/radiomon.yml"
    assert environment["RADIOMON_CACHE"].startswith(f"{DATA}/")  # the model is assembled where it may write
    assert environment["HF_HUB_OFFLINE"] == "1"
    assert one(unit, "Service", "ExecStart").startswith(f"{INSTALLED} ")


@pytest.mark.parametrize("name", SERVICES)
def test_every_exec_start_is_a_command_the_cli_has(name):
    program, *args = shlex.split(one(parse_unit(UNITS / name), "Service", "ExecStart"))
    assert program == INSTALLED
    result = invoke([*args, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: radiomon {args[0]} ")


def test_the_recorder_and_the_web_ui_always_come_back_and_start_at_boot():
    for name in ("radiomon.service", "radiomon-web.service"):
        unit = parse_unit(UNITS / name)
        assert one(unit, "Service", "Restart") == "always"
        assert one(unit, "Install", "WantedBy") == "multi-user.target"
    assert one(parse_unit(UNITS / "radiomon.service"), "Service", "ExecStart") == f"{INSTALLED} run"
    assert one(parse_unit(UNITS / "radiomon-web.service"), "Service", "ExecStart").startswith(f"{INSTALLED} serve ")


def test_a_worker_machine_joins_its_scheduler_with_tls_and_comes_back():
    unit = parse_unit(UNITS / "radiomon-worker.service")
    program, command, address, *options = shlex.split(one(unit, "Service", "ExecStart"))
    assert (command, address[:6]) == ("worker", "tls://")
    assert {"--tls-ca-file", "--tls-cert", "--tls-key"} <= set(options)
    assert one(unit, "Service", "Restart") == "always"
    assert one(unit, "Install", "WantedBy") == "multi-user.target"


def test_the_nightly_job_is_a_oneshot_started_by_its_timer():
    service = parse_unit(UNITS / "radiomon-nightly.service")
    assert one(service, "Service", "Type") == "oneshot"
    assert one(service, "Service", "ExecStart") == f"{INSTALLED} nightly"
    assert "Install" not in service  # the timer starts it, not the boot
    timer = parse_unit(UNITS / "radiomon-nightly.timer")
    assert one(timer, "Timer", "Unit") == "radiomon-nightly.service"
    assert one(timer, "Timer", "OnCalendar") == "*-*-* 01:30:00 America/Mexico_City"
    assert one(timer, "Timer", "Persistent") == "yes"
    assert one(timer, "Install", "WantedBy") == "timers.target"


def test_systemd_itself_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    # Never skip: make test installs systemd (for systemd-analyze), and a silent skip would hide it missing.
    assert analyze, "systemd-analyze is not installed (make test installs the systemd package)"
    radiomon = Path(sys.executable).parent / "radiomon"
    assert radiomon.is_file(), "radiomon is not installed beside this Python (make install)"
    for unit in UNITS.iterdir():  # systemd checks that ExecStart's program exists: point it at this install
        (tmp_path / unit.name).write_text(unit.read_text(encoding="utf-8").replace(INSTALLED, str(radiomon)),
                                          encoding="utf-8")
    result = subprocess.run([analyze, "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
                            capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")
    calendar = subprocess.run([analyze, "calendar", "*-*-* 01:30:00 America/Mexico_City"], capture_output=True,
                              text=True, timeout=60)
    assert calendar.returncode == 0, calendar.stderr
