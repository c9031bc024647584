"""Charts for the weekly report: matplotlib on its headless Agg backend, PNG bytes in memory.

A chart is drawn only where it says something (two bars or more with a
value, :func:`worth_a_chart`), and its empty bars are left out: one bar
among six empty days told the reader nothing a table does not.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display on a server or in cron

from matplotlib.figure import Figure  # noqa: E402

_ACCENT = "#7a1f2b"
TONE_COLOURS = {"Positiva": "#2e7d32", "Negativa": "#b3261e", "Neutral": "#8a8a8a"}


def worth_a_chart(counts: Sequence[int]) -> bool:
    """Two bars or more with a value."""
    return sum(1 for c in counts if c) >= 2


def bars(labels: Sequence[str], counts: Sequence[int], title: str, colours: Sequence[str] | None = None) -> bytes:
    """A bar chart of the non-empty ``counts``, as PNG."""
    kept = [(label, count, colours[i] if colours else _ACCENT)
            for i, (label, count) in enumerate(zip(labels, counts)) if count]
    # A Figure, not pyplot: no global state, safe in the web server's threads.
    figure = Figure(figsize=(6.4, 2.4), dpi=100)
    axes = figure.subplots()
    drawn = axes.bar([k[0] for k in kept], [k[1] for k in kept], color=[k[2] for k in kept])
    axes.bar_label(drawn, labels=[str(k[1]) for k in kept], fontsize=8)
    axes.set_title(title, fontsize=10)
    axes.set_ylim(0, max([*(k[1] for k in kept), 1]) * 1.25)
    axes.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def mentions_per_day(headings: Sequence[str], counts: Sequence[int], title: str) -> bytes:
    """A bar chart of one department's mentions on the days that had any, as PNG."""
    return bars(headings, counts, f"Menciones por día: {title}")


def department_chart(report, department) -> bytes:
    return mentions_per_day(report.day_headings, department.by_day, department.title)


def tone_chart(report) -> bytes:
    """The week's mentions by tone, as PNG."""
    headings = report.tone_headings
    return bars(headings, report.tone_totals.counts, "Tono de las menciones de la semana",
                [TONE_COLOURS.get(h, _ACCENT) for h in headings])
