"""The reference in docs/ is generated from the code; these fail when it is out of date."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def reference():
    spec = importlib.util.spec_from_file_location("docs_reference", ROOT / "docs" / "reference.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass needs the module registered
    spec.loader.exec_module(module)
    return module


def test_generated_docs_match_the_code(reference):
    diffs = reference.stale()
    assert not diffs, "docs are out of date; run `python docs/reference.py`:\n" + "\n".join(diffs)[:4000]


def test_every_config_key_has_its_documentation(reference):
    keys = reference.config_keys()
    undocumented = [key.path for key in keys if not key.doc]
    assert not undocumented, f"give these fields a comment in radiomon/config.py: {undocumented}"
    paths = {key.path for key in keys}
    # The keys a deployment most often sets, as radiomon.yml spells them.
    assert {"timezone", "stations[].url", "stations[].schedule[].from", "transcription.model",
            "alerts.channels[].url", "health.backlog_hours"} <= paths
    assert "path" not in paths  # where the file was found, not a key


def test_a_key_missing_from_the_table_is_noticed(reference):
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert "`transcription.engine`" in text
    broken = text.replace("| `transcription.engine` |", "| `transcription.engin` |")
    assert reference.configuration_doc(broken) == text  # regenerating restores it, so --check sees the change


def test_every_command_has_help_and_is_in_the_reference(reference):
    from radiomon.cli import main

    cli_doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    commands = list(reference._commands(main, reference._context(main, "radiomon", None), ["radiomon"]))
    assert len(commands) > 20
    for path, command, _ in commands:
        assert (command.help or "").strip(), f"{' '.join(path)} has no help text"
        assert f"## {' '.join(path)}\n" in cli_doc
    for contract in ("radiomon search", "radiomon mentions", "radiomon clip", "radiomon digest", "radiomon status",
                     "radiomon users add", "radiomon keywords check", "radiomon report weekly"):
        assert f"## {contract}\n" in cli_doc


def test_every_keywords_key_is_documented_and_no_other():
    from radiomon.keywords import load

    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    section = text.split("## keywords.yml", 1)[1]
    documented = set(re.findall(r"^\| `([^`]+)` \|", section, flags=re.MULTILINE))
    expected = (set(load._TOP_KEYS) | {f"defaults.{key}" for key in load._DEFAULTS_KEYS}
                | {f"groups.ID.{key}" for key in load._GROUP_KEYS}
                | {f"groups.ID.terms[].{key}" for key in load._TERM_KEYS}) - {"defaults"}
    assert documented == expected


def test_every_relative_link_in_the_docs_leads_somewhere():
    pages = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").rglob("*.md"))]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            path = target.split("#", 1)[0]
            if not (page.parent / path).exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert not broken


def test_the_version_is_written_once():
    import importlib.metadata

    import radiomon

    assert importlib.metadata.version("radiomon") == radiomon.__version__
    assert "\nversion =" not in (ROOT / "pyproject.toml").read_text(encoding="utf-8").split("[tool.", 1)[0]
    assert f"## {radiomon.__version__}" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
