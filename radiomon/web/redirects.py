"""Where a form or a link may send a person afterwards: only to a page of this site."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit


def site_path(target: str | None, default: str) -> str:
    """``target`` when it is a path of this site, else ``default``.

    Browsers are lenient where a server's check is not: they drop tabs and
    newlines inside a URL and read a backslash as a slash, so
    ``/<TAB>/evil.example`` and ``/\\evil.example`` both lead to
    evil.example (the first was let through and answered
    ``Location: //evil.example``), and a newline in a header is a server
    error. So: one leading slash, then no second one, no whitespace, no
    control or format character, no backslash, and nothing that parses as a
    host or a scheme.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(char.isspace() or unicodedata.category(char).startswith("C") for char in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
