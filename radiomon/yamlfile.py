"""Read a YAML file into plain data, keeping line numbers for error messages.

The typed loaders (config.py, keywords/) validate plain dicts; when they find
a bad value they ask :meth:`YamlDocument.where` for ``file:line`` of the key,
so a person can jump straight to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from radiomon.errors import ConfigError

KeyPath = tuple[str | int, ...]


class YamlDocument:
    """A parsed YAML file: ``data`` plus the node tree for locating keys."""

    def __init__(self, source: str, text: str):
        self.source = source
        try:
            self.node, self.data = _parse(text, _FAST_LOADER)
        except yaml.YAMLError:
            pass  # told below in the pure-Python parser's words, which tests and users know
        else:
            return
        try:
            self.node, self.data = _parse(text, yaml.SafeLoader)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            where = f"{source}:{mark.line + 1}" if mark else source
            problem = getattr(err, "problem", None) or str(err).splitlines()[0]
            raise ConfigError(f"{where}: invalid YAML ({problem}); fix the syntax there") from None

    @classmethod
    def read(cls, path: Path) -> "YamlDocument":
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(
                f"{path}: file not found; create it with `radiomon init` or pass --config"
            ) from None
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(f"{path}: cannot read it ({err}); check the file and its permissions") from None
        return cls(str(path), text)

    def where(self, key_path: KeyPath) -> str:
        """``file:line`` of the deepest node on ``key_path`` that exists."""
        node, line = self.node, None
        for key in key_path:
            if node is None:
                break
            line = node.start_mark.line + 1
            node = child(node, key)
        if node is not None:
            line = node.start_mark.line + 1
        return f"{self.source}:{line}" if line else self.source

    def error(self, key_path: KeyPath, message: str) -> ConfigError:
        """A ConfigError naming the file, line and dotted key."""
        return ConfigError(f"{self.where(key_path)}: {dotted(key_path)}: {message}")


# libyaml's parser when PyYAML has it: a keywords.yml of 10,000 terms took
# 6 s to parse twice in Python (once for the nodes, once for the data).
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(text: str, loader_class: type) -> tuple[Any, Any]:
    """The node tree and the data built from it, parsed once."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def dotted(key_path: KeyPath) -> str:
    out = ""
    for key in key_path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out or "(top level)"


def child(node: Any, key: str | int) -> Any:
    """The node under ``key`` of a mapping node (or index of a sequence node); None when there is none."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key:
                return value_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None
