"""Where Apprise is called: one message to one channel, and what came of it.

Each channel of radiomon.yml is one Apprise URL, sent to with an Apprise
object of its own, so the outcome read back (Apprise 2's per-URL results) is
that channel's and nobody else's. Apprise keeps its persistent store in
memory: radiomon writes nothing outside its own deployment.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import apprise

from radiomon.apprise_urls import asset, channel_name, check_url  # noqa: F401 - the alerts' names for them

log = logging.getLogger(__name__)

# Apprise's severities, by what the message is about.
NOTIFY_TYPES = {"crisis": apprise.NotifyType.FAILURE, "high": apprise.NotifyType.INFO,
                "health": apprise.NotifyType.WARNING, "recovered": apprise.NotifyType.SUCCESS,
                "test": apprise.NotifyType.INFO}

_ASSET = asset()


@dataclass(frozen=True)
class Message:
    """What a channel is sent: a title and a plain-text body (Spanish)."""

    title: str
    body: str
    kind: str = "test"  # a key of NOTIFY_TYPES


@dataclass(frozen=True)
class SendOutcome:
    ok: bool
    error: str = ""  # one line: why the channel did not take the message


def redacted(url: str) -> str:
    """The URL as Apprise prints it with passwords and tokens masked, for listings."""
    plugin = apprise.Apprise.instantiate(url, asset=_ASSET)
    return plugin.url(privacy=True) if plugin is not None else url.split("://", 1)[0] + "://…"


def send(url: str, message: Message, *, timeout: float) -> SendOutcome:
    """Send ``message`` to the channel at ``url``; never raises for a channel that is down."""
    sender = apprise.Apprise(asset=_ASSET)
    if not sender.add(url):
        return SendOutcome(False, "Apprise cannot use this URL")
    try:
        result = sender.notify(body=message.body, title=message.title, notify_type=NOTIFY_TYPES[message.kind],
                               body_format=apprise.NotifyFormat.TEXT, timeout=timeout)
    except Exception as err:  # a plugin that raises is one failed channel, not a failed pass
        log.warning("Apprise raised while sending to %s: %s", redacted(url), err)
        return SendOutcome(False, f"{type(err).__name__}: {err}")
    with result:
        return SendOutcome(True) if result else SendOutcome(False, _why(result))


def _why(result: apprise.AppriseResult) -> str:
    lines = [entry.message for entry in result.logs() if entry.level in ("WARNING", "ERROR", "CRITICAL")]
    reason = lines[-1] if lines else f"Apprise answered {result.status.name}"
    return " ".join(reason.split())[:300]
