"""Printing results as a table, JSON (an array of objects) or CSV.

Stored text is never trusted to be printable: an archive filled before
transcripts were cleaned (radiomon.transcript.clean_text) can hold ESC
sequences that recolour or clear the terminal or set its title. Tables and
CSV drop control characters; JSON escapes them itself.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Sequence

import click

from radiomon.search.ranking import HIGHLIGHT_CLOSE, HIGHLIGHT_OPEN

FORMATS = ("table", "json", "csv")

format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format."
)

# What a terminal acts on instead of printing: C0 and C1 controls and DEL.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_C1 = re.compile("[\x7f-\x9f]")
_SPACES = "\t\n\r\v\f"


def terminal_text(text: str) -> str:
    """``text`` safe to print on one line: controls dropped, tabs and line breaks as spaces."""
    return _CONTROLS.sub(lambda m: " " if m.group() in _SPACES else "", text)


class Styled(str):
    """A table cell made safe (:func:`terminal_text`) and then styled with
    click.style: :func:`render_table` prints it as it is."""


def highlighted(snippet: str) -> Styled:
    """A search snippet with the words it marks in bold, and nothing else of it printed raw."""
    bold, reset = click.style("", bold=True, reset=False), click.style("", reset=True)
    parts = re.split(f"({HIGHLIGHT_OPEN}|{HIGHLIGHT_CLOSE})", snippet)
    return Styled("".join(
        bold if part == HIGHLIGHT_OPEN else reset if part == HIGHLIGHT_CLOSE else terminal_text(part) for part in parts
    ))


def emit_records(records: Sequence[dict], fmt: str, table_columns: Sequence[tuple[str, str]]) -> None:
    """JSON and CSV carry every field; the table shows ``table_columns`` (key, heading)."""
    if fmt == "json":
        # json.dumps escapes C0 controls but writes DEL and C1 (0x9b is a CSI to some terminals) raw.
        text = json.dumps(list(records), ensure_ascii=False, indent=2)
        click.echo(_C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text))
    elif fmt == "csv":
        buffer = io.StringIO()
        if records:
            # Every field of every record: radio and press rows of one list carry different ones.
            fields = list(dict.fromkeys(key for record in records for key in record))
            writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows({k: _csv_value(v) for k, v in r.items()} for r in records)
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(render_table(records, table_columns), nl=False)


def _csv_value(value):
    # A quoted CSV field may hold a line break, so only the other controls go.
    return _CONTROLS.sub(lambda m: m.group() if m.group() == "\n" else "", value) if isinstance(value, str) else value


def render_table(records: Sequence[dict], columns: Sequence[tuple[str, str]]) -> str:
    if not records:
        return ""
    cells = [[_cell(r.get(key)) for key, _ in columns] for r in records]
    headings = [terminal_text(h) for _, h in columns]
    widths = [max(len(h), *(len(_visible(row[i])) for row in cells)) for i, h in enumerate(headings)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headings, widths)).rstrip()]
    for row in cells:
        padded = [c + " " * (w - len(_visible(c))) for c, w in zip(row, widths)]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines) + "\n"


def _cell(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, Styled) else terminal_text(str(value))


def _visible(text: str) -> str:
    return click.unstyle(text)
