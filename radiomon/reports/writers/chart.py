"""Charts for the weekly report: matplotlib on its headless Agg backend, PNG bytes in memory."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display on a server or in cron

from matplotlib.figure import Figure  # noqa: E402


def mentions_per_day(headings: Sequence[str], counts: Sequence[int], title: str) -> bytes:
    """A bar chart of one department's mentions per day, as PNG."""
    # A Figure, not pyplot: no global state, safe in the web server's threads.
    figure = Figure(figsize=(6.4, 2.4), dpi=100)
    axes = figure.subplots()
    bars = axes.bar(list(headings), list(counts), color="#7a1f2b")
    axes.bar_label(bars, labels=[str(c) if c else "" for c in counts], fontsize=8)
    axes.set_title(f"Menciones por día: {title}", fontsize=10)
    axes.set_ylim(0, max([*counts, 1]) * 1.25)
    axes.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def department_chart(report, department) -> bytes:
    return mentions_per_day(report.day_headings, department.by_day, department.title)
