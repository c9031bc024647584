"""Format writers: a document model (radiomon.reports.digest, .weekly) in, a file out.

The only modules of radiomon.reports that know about Word, HTML or
Markdown; the models know nothing about them. Documents are written to a
temporary file beside the target and renamed (radiomon/outputs.py), so a
document is never left half-written.
"""

from __future__ import annotations

import json
from pathlib import Path

from radiomon import outputs
from radiomon.config import DIGEST_FORMATS

WEEKLY_FORMATS = ("docx", "html", "md")


def write_atomic(path: Path, data: bytes) -> Path:
    """``data`` into ``path`` (its folder made if needed), under a temporary name first.

    The target is not checked here: the job layer checks what a person named
    (radiomon.outputs.check_target) before rendering.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return outputs.write_bytes(path, data)


def render_digest(digest, fmt: str) -> bytes:
    """The síntesis in ``fmt`` (docx, html, md or json) as the bytes of the file."""
    # Imported here: python-docx and matplotlib take a second to load, and
    # every other command of the CLI imports the job layer.
    from radiomon.reports.writers import html, markdown, word

    if fmt == "docx":
        return word.digest_docx(digest)
    if fmt == "html":
        return html.digest_html(digest).encode("utf-8")
    if fmt == "md":
        return markdown.digest_markdown(digest).encode("utf-8")
    if fmt == "json":
        return (json.dumps(digest.as_json(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    raise ValueError(f"unknown digest format {fmt!r}")


def render_weekly(report, fmt: str) -> bytes:
    """The weekly report in ``fmt`` (docx, html or md) as the bytes of the file."""
    from radiomon.reports.writers import html, markdown, word

    if fmt == "docx":
        return word.weekly_docx(report)
    if fmt == "html":
        return html.weekly_html(report).encode("utf-8")
    if fmt == "md":
        return markdown.weekly_markdown(report).encode("utf-8")
    raise ValueError(f"unknown weekly report format {fmt!r}")


__all__ = ["DIGEST_FORMATS", "WEEKLY_FORMATS", "render_digest", "render_weekly", "write_atomic"]
