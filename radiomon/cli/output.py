"""Printing results as a table, JSON (an array of objects) or CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Sequence

import click

FORMATS = ("table", "json", "csv")

format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format."
)


def emit_records(records: Sequence[dict], fmt: str, table_columns: Sequence[tuple[str, str]]) -> None:
    """JSON and CSV carry every field; the table shows ``table_columns`` (key, heading)."""
    if fmt == "json":
        click.echo(json.dumps(list(records), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        buffer = io.StringIO()
        if records:
            writer = csv.DictWriter(buffer, fieldnames=list(records[0].keys()), lineterminator="\n")
            writer.writeheader()
            writer.writerows(records)
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(render_table(records, table_columns), nl=False)


def render_table(records: Sequence[dict], columns: Sequence[tuple[str, str]]) -> str:
    if not records:
        return ""
    cells = [[str(r.get(key, "") if r.get(key) is not None else "") for key, _ in columns] for r in records]
    widths = [max(len(h), *(len(_visible(row[i])) for row in cells)) for i, (_, h) in enumerate(columns)]
    lines = ["  ".join(h.ljust(w) for (_, h), w in zip(columns, widths)).rstrip()]
    for row in cells:
        padded = [c + " " * (w - len(_visible(c))) for c, w in zip(row, widths)]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines) + "\n"


def _visible(text: str) -> str:
    return click.unstyle(text)
