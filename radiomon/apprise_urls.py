"""Apprise URLs as settings: whether one can be sent to, and the stable name of an unnamed one.

A shared helper below the configuration and the alerts: radiomon.yml's alert
channels are checked when the file is read, and the alerts package sends
through the same Apprise asset. Apprise itself is imported on first use, so
a deployment without channels never loads it.
"""

from __future__ import annotations

import functools
import hashlib
import re


@functools.cache
def asset():
    """The one Apprise asset: its persistent store in memory (radiomon writes nothing outside its
    deployment), no templates, radiomon's name."""
    import apprise

    return apprise.AppriseAsset(storage_mode=apprise.PersistentStoreMode.MEMORY, allow_templates=False,
                                app_id="radiomon", app_desc="radiomon")


def check_url(url: str) -> str | None:
    """None when Apprise can send to ``url``; otherwise what is wrong with it, in one line."""
    import apprise

    if not url.strip():
        return "empty URL; give an Apprise URL such as mailtos://user:password@example.org?to=coordinacion@example.org"
    if apprise.Apprise.instantiate(url, asset=asset()) is None:
        scheme = url.split("://", 1)[0] if "://" in url else url
        return (f"Apprise cannot use this URL (service {scheme!r}); check it against "
                "https://github.com/caronc/apprise/wiki")
    return None


def channel_name(url: str) -> str:
    """A stable name for an unnamed channel: its service and a hash of the URL (never the secrets in it)."""
    scheme = re.sub(r"[^a-z0-9]", "", url.split("://", 1)[0].lower())[:16] or "channel"
    return f"{scheme}-{hashlib.sha256(url.encode('utf-8')).hexdigest()[:8]}"
