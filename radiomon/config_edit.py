"""Add a newspaper to radiomon.yml's ``press.outlets``, keeping the file as it was written (pure).

radiomon.yml is commented by whoever set the office up; loading and dumping
it would drop every comment. As keywords.yml's edits do
(radiomon/keywords/edit.py), the outlet is inserted into the text where the
YAML node tree says the list is, in the list's own style:

* no ``press:`` section: one is appended at the end of the file;
* ``press:`` without ``outlets:``: the key is added as the section's last line;
* ``outlets: []`` (the shipped example): the brackets go and the entry follows on lines of its own;
* a block list: one more ``- id: …`` entry after the last, at its indent;
* a flow list with entries: one more ``{id: …}`` before the closing bracket.

The result is parsed like any radiomon.yml and must be the same
configuration with that one outlet added, or the edit is refused.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import yaml

from radiomon.config import PressOutlet
from radiomon.errors import ConfigError
from radiomon.yamlfile import YamlDocument, child

_BREAKS = ("\r\n", "\n")


def append_outlet(text: str, outlet: PressOutlet, path: Path) -> str:
    """``text`` (radiomon.yml at ``path``) with ``outlet`` added as the last of press.outlets."""
    from radiomon.config_parse import parse_config

    before = parse_config(YamlDocument(str(path), text), path)
    if any(o.id == outlet.id for o in before.press.outlets):
        raise ConfigError(f"{path}: an outlet with id {outlet.id!r} is already under press.outlets; "
                          "give another with --id")
    newline = "\r\n" if "\r\n" in text else "\n"
    root = YamlDocument(str(path), text).node
    press = child(root, "press")
    outlets = child(press, "outlets") if press is not None else None
    if press is None or (isinstance(press, yaml.ScalarNode) and press.tag.endswith(":null")):
        if press is not None:  # `press:` with nothing under it
            text = _splice(text, press.start_mark.index, press.end_mark.index, "")
            text = _add_lines(text, _key_line(root, "press"), _block(outlet, 4, "  outlets:"), newline)
        else:
            ending = "" if not text or text.endswith(_BREAKS) else newline
            text = text + ending + newline + newline.join(["press:", *_block(outlet, 4, "  outlets:")]) + newline
    elif not isinstance(press, yaml.MappingNode) or press.flow_style:
        raise _refuse(path, press)
    elif outlets is None:
        indent = press.start_mark.column
        text = _add_lines(text, _last_line(press), _block(outlet, indent + 2, " " * indent + "outlets:"), newline)
    elif isinstance(outlets, yaml.SequenceNode) and outlets.flow_style and not outlets.value:
        indent = _key_column(press, "outlets")
        line = outlets.start_mark.line
        text = _splice(text, outlets.start_mark.index, outlets.end_mark.index, "")
        text = _strip_line_end(text, line)
        text = _add_lines(text, line, _block(outlet, indent + 2), newline)
    elif isinstance(outlets, yaml.SequenceNode) and outlets.flow_style:
        at = outlets.value[-1].end_mark.index
        text = _splice(text, at, at, ", " + _flow(outlet))
    elif isinstance(outlets, yaml.SequenceNode):
        dash = outlets.start_mark.column  # a block list's start mark is its first dash
        text = _add_lines(text, _last_line(outlets), _block(outlet, dash), newline)
    elif isinstance(outlets, yaml.ScalarNode) and outlets.tag.endswith(":null"):  # `outlets:` left empty
        line = _key_line(press, "outlets")
        text = _add_lines(text, line, _block(outlet, _key_column(press, "outlets") + 2), newline)
    else:
        raise _refuse(path, outlets)
    after = parse_config(YamlDocument(str(path), text), path)
    expected = replace(before.press, outlets=(*before.press.outlets, replace(outlet, name=outlet.name or outlet.id)))
    if after.press != expected or replace(after, press=before.press) != before:
        raise ConfigError(f"{path}: cannot add the outlet without changing something else; add it under "
                          "press.outlets by hand")
    return text


def _refuse(path: Path, node: yaml.Node) -> ConfigError:
    return ConfigError(f"{path}:{node.start_mark.line + 1}: press.outlets is written in a way this command does "
                       "not edit; add the outlet by hand")


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _block(outlet: PressOutlet, indent: int, head: str | None = None) -> list[str]:
    pad = " " * indent
    lines = [head] if head else []
    lines += [f"{pad}- id: {outlet.id}", f"{pad}  name: {_quoted(outlet.name or outlet.id)}", f"{pad}  feeds:"]
    lines += [f"{pad}    - {_quoted(url)}" for url in outlet.feeds]
    lines.append(f"{pad}  scope: {outlet.scope}")
    return lines


def _flow(outlet: PressOutlet) -> str:
    feeds = ", ".join(_quoted(u) for u in outlet.feeds)
    return f"{{id: {outlet.id}, name: {_quoted(outlet.name or outlet.id)}, feeds: [{feeds}], scope: {outlet.scope}}}"


def _key_node(node: yaml.MappingNode, key: str) -> yaml.Node:
    return next(k for k, _ in node.value if k.value == key)


def _key_line(node: yaml.MappingNode, key: str) -> int:
    return _key_node(node, key).start_mark.line


def _key_column(node: yaml.MappingNode, key: str) -> int:
    return _key_node(node, key).start_mark.column


def _last_line(node: yaml.Node) -> int:
    """0-based line where ``node``'s last scalar ends (a block collection's own end mark is
    whatever follows it, comments included)."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    mark = node.end_mark
    return mark.line - 1 if mark.column == 0 and mark.line > 0 else mark.line


def _splice(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def _strip_line_end(text: str, line: int) -> str:
    """Line ``line`` without the spaces the removed ``[]`` leaves before its comment or end."""
    lines = text.splitlines(keepends=True)
    body = lines[line].rstrip("\r\n")
    ending = lines[line][len(body):]
    head, hash_, comment = body.partition(" #")
    lines[line] = head.rstrip() + ("  #" + comment if hash_ else "") + ending
    return "".join(lines)


def _add_lines(text: str, after: int, new: list[str], newline: str) -> str:
    """``new`` lines inserted after 0-based line ``after``."""
    lines = text.splitlines(keepends=True)
    if after < len(lines) and not lines[after].endswith(_BREAKS):
        lines[after] += newline
    lines[after + 1:after + 1] = [line + newline for line in new]
    return "".join(lines)


__all__ = ["append_outlet"]
