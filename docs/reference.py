"""The generated parts of docs/: the command-line reference and the keys of radiomon.yml.

    python docs/reference.py          # rewrite docs/cli.md and the tables in docs/configuration.md
    python docs/reference.py --check  # exit 1 when either is out of date (tests/test_docs.py runs this)

The command-line reference is every command's ``--help`` as click prints it,
so it cannot drift from the code (sqlite-utils does the same with cog). The
configuration tables are read from the option dataclasses of
``radiomon/config.py``: each field's default and the comment that documents
it; the prose around the tables is written by hand between the markers.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import inspect
import io
import sys
import tokenize
import typing
from pathlib import Path

import click

HERE = Path(__file__).resolve().parent
CLI_DOC = HERE / "cli.md"
CONFIG_DOC = HERE / "configuration.md"

CLI_HEADER = """\
# Command-line reference

Generated from the commands' `--help` by `python docs/reference.py`; a test
fails when it is out of date. The same text is one `radiomon COMMAND --help`
away. `radiomon [--config FILE] [-v] COMMAND`: `--config` defaults to
`$RADIOMON_CONFIG`, else `./radiomon.yml`.
"""


# ---------------------------------------------------------------------------
# The command line


def _context(command: click.Command, name: str, parent: click.Context | None) -> click.Context:
    # The context the command line itself makes: settings (``-h`` as well as ``--help``) come from the
    # top group down, so the help printed here is the help a person gets, whatever ran before.
    return click.Context(command, info_name=name, parent=parent, terminal_width=100, max_content_width=100,
                         **(command.context_settings if parent is None else {}))


def _commands(group: click.Group, ctx: click.Context, prefix: list[str]
              ) -> typing.Iterator[tuple[list[str], click.Command, click.Context]]:
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        sub = _context(command, name, ctx)
        yield prefix + [name], command, sub
        if isinstance(command, click.Group):
            yield from _commands(command, sub, prefix + [name])


def cli_reference() -> str:
    from radiomon.cli import main

    parts = [CLI_HEADER]
    top = _context(main, "radiomon", None)
    parts.append("## radiomon\n\n```\n" + main.get_help(top) + "\n```\n")
    for path, command, ctx in _commands(main, top, ["radiomon"]):
        parts.append(f"## {' '.join(path)}\n\n```\n{command.get_help(ctx)}\n```\n")
    return "\n".join(parts)


# ---------------------------------------------------------------------------
# radiomon.yml


@dataclasses.dataclass(frozen=True)
class Key:
    path: str  # as written in radiomon.yml: transcription.engine, stations[].schedule
    default: str
    doc: str


def _field_comments(cls: type) -> dict[str, str]:
    """Each field's documentation: the comment at the end of its line, else the comment lines right above it."""
    source = inspect.getsource(cls)
    lines = source.splitlines()
    trailing: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            trailing[token.start[0]] = token.string.lstrip("#").strip()
    alone = {n for n in trailing if lines[n - 1].lstrip().startswith("#")}
    found: dict[str, str] = {}
    for node in ast.parse(source).body[0].body:
        if not isinstance(node, ast.AnnAssign) or not isinstance(node.target, ast.Name):
            continue
        if node.lineno in trailing and node.lineno not in alone:
            parts = [trailing[node.lineno]]
        else:
            parts, line = [], node.lineno - 1
            while line in alone:
                parts.insert(0, trailing[line])
                line -= 1
        found[node.target.id] = " ".join(parts)
    return found


def _default(field: dataclasses.Field) -> str:
    if field.default is not dataclasses.MISSING:
        value = field.default
    elif field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
    else:
        return "(required)"
    if dataclasses.is_dataclass(value):
        return ""
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v) for v in value) + "]" if value else "[]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return "(none)"
    if value == "":
        return '""'
    return str(value)


def _nested_type(hint: typing.Any) -> type | None:
    """The options dataclass behind a field: a section, or the items of a list of mappings."""
    if dataclasses.is_dataclass(hint):
        return hint
    if typing.get_origin(hint) is tuple:
        inner = typing.get_args(hint)[0]
        if dataclasses.is_dataclass(inner):
            return inner
    return None


# Keys whose YAML differs from the field (Config.path is where the file was found, not a key).
_NOT_KEYS = {"path"}
_RENAMED = {"ScheduleWindow": {"start": "from", "end": "to"}}
# Defaults the parser applies where the dataclass has none (a schedule window's parts).
_PARSED_DEFAULTS = {"stations[].schedule[].days": "mon-sun", "stations[].schedule[].from": "00:00",
                    "stations[].schedule[].to": "24:00"}


def config_keys(cls: type | None = None, prefix: str = "") -> list[Key]:
    """Every key of radiomon.yml, in the order of the dataclasses."""
    from radiomon import config

    cls = cls or config.Config
    hints = typing.get_type_hints(cls)
    comments = _field_comments(cls)
    keys: list[Key] = []
    for field in dataclasses.fields(cls):
        if not prefix and field.name in _NOT_KEYS:
            continue
        name = _RENAMED.get(cls.__name__, {}).get(field.name, field.name)
        path = f"{prefix}{name}"
        nested = _nested_type(hints[field.name])
        if nested is not None and typing.get_origin(hints[field.name]) is tuple:
            keys.append(Key(path, _default(field), comments.get(field.name, "")))
            keys.extend(config_keys(nested, f"{path}[]."))
        elif nested is not None:
            keys.extend(config_keys(nested, f"{path}."))
        else:
            default = _PARSED_DEFAULTS.get(path) or _default(field)
            keys.append(Key(path, default, comments.get(field.name, "")))
    return keys


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def config_table() -> str:
    rows = ["| key | default | what |", "|---|---|---|"]
    for key in config_keys():
        rows.append(f"| `{key.path}` | `{_cell(key.default)}` | {_cell(key.doc)} |")
    return "\n".join(rows) + "\n"


BEGIN = "<!-- keys: generated by docs/reference.py -->\n"
END = "<!-- end of keys -->\n"


def configuration_doc(current: str) -> str:
    """``current`` with the text between the markers replaced by the generated table."""
    head, _, rest = current.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return head + BEGIN + config_table() + END + tail


def _outputs() -> list[tuple[Path, str]]:
    return [(CLI_DOC, cli_reference()), (CONFIG_DOC, configuration_doc(CONFIG_DOC.read_text(encoding="utf-8")))]


def stale() -> list[str]:
    """A unified diff per generated file that differs from what the code says; empty when current."""
    diffs = []
    for path, expected in _outputs():
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != expected:
            diff = difflib.unified_diff(current.splitlines(True), expected.splitlines(True), str(path), "generated")
            diffs.append("".join(diff))
    return diffs


def main(argv: list[str]) -> int:
    if "--check" in argv:
        diffs = stale()
        for diff in diffs:
            sys.stdout.write(diff)
        if diffs:
            print("docs are out of date: run `python docs/reference.py`", file=sys.stderr)
        return 1 if diffs else 0
    for path, text in _outputs():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
