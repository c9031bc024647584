"""Events: what the pipeline tells the rest of the system as it happens.

A new mention of a keyword group whose ``priority`` is ``crisis`` in
keywords.yml (balacera, incendio…) is a :data:`CRISIS_MENTION`; one of a
``high`` group (the municipality, the mayor) a :data:`HIGH_MENTION`. The
coordinator must hear of them, so the matching stage

1. writes each to the archive's ``events`` table **in the same transaction as
   the mention** (an outbox: an event is never lost, nor sent for a mention
   that was rolled back), with ``delivered_utc`` NULL;
2. logs one line (``crisis mention: …`` as a WARNING, high ones at INFO);
3. calls every handler registered with :func:`subscribe` after the commit
   (the daemon's alerter can react at once, without polling).

The health check (radiomon/alerts/health.py) adds :data:`HEALTH_PROBLEM` and
:data:`HEALTH_RECOVERED` events the same way, in the transaction that opens
or closes a health episode. The alerting stage (radiomon/alerts/delivery.py)
delivers every event to the channels that take its priority
(:data:`PRIORITY_OF_KIND`) and keeps, per channel, whether it was sent.
A handler that raises is logged and skipped; matching never fails because
an alert could not be sent.

Only *new* mentions make events: re-matching the archive keeps existing rows,
so it does not alert twice. And a full re-match after keywords.yml changed
(``radiomon match --all``) does not page anyone for last year's news: it emits
events only for mentions newer than :data:`REMATCH_EVENT_HOURS`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass

log = logging.getLogger(__name__)

CRISIS_MENTION = "crisis-mention"
HIGH_MENTION = "high-mention"
HEALTH_PROBLEM = "health-problem"
HEALTH_RECOVERED = "health-recovered"

# Which alerts.channels[].priorities entry takes each kind of event.
PRIORITY_OF_KIND = {CRISIS_MENTION: "crisis", HIGH_MENTION: "high", HEALTH_PROBLEM: "health",
                    HEALTH_RECOVERED: "health"}
# The event kind of a new mention of a group with this priority (normal groups make none).
MENTION_KINDS = {"crisis": CRISIS_MENTION, "high": HIGH_MENTION}

# ``radiomon match --all`` emits mention events only for mentions at most this
# old: a new crisis term must not alert on a year of archive.
REMATCH_EVENT_HOURS = 24


@dataclass(frozen=True)
class MentionEvent:
    """A new mention of a crisis or high group, as handlers and the ``events`` table see it."""

    kind: str  # CRISIS_MENTION or HIGH_MENTION
    mention_id: int
    station: str | None  # None for press
    group_id: str
    group_label: str
    priority: str  # the group's priority in keywords.yml
    keyword: str
    matched: str  # the words heard (press: the words printed)
    at_utc: str  # radio: when it aired; press: the article's published time
    offset: float  # seconds into the recording; press: characters into the article's text
    recording_id: int | None  # None for press
    segment_id: int | None  # None for press
    context: str | None
    # Press (issue 27). Optional so radio events, and the payloads already in
    # an archive's outbox, stay as they are: a payload without ``medium`` is radio.
    medium: str = "radio"  # "radio" or "press"
    article_id: int | None = None
    url: str | None = None  # the article on the outlet's site
    title: str | None = None  # its headline
    outlet: str | None = None  # the outlet's id (config press.outlets[].id)
    outlet_name: str | None = None  # its name when the writer knows it; messages fall back to the id

    def as_json(self) -> dict:
        return asdict(self)


Handler = Callable[[MentionEvent], None]
_handlers: list[Handler] = []


def subscribe(handler: Handler) -> Handler:
    """Call ``handler(event)`` for every event from now on (usable as a decorator)."""
    _handlers.append(handler)
    return handler


def unsubscribe(handler: Handler) -> None:
    if handler in _handlers:
        _handlers.remove(handler)


def publish(events: list[MentionEvent]) -> None:
    """Log and hand ``events`` (already stored) to the subscribed handlers."""
    for event in events:
        level = logging.WARNING if event.kind == CRISIS_MENTION else logging.INFO
        where = event.station if event.medium == "radio" else f"press {event.outlet} article {event.article_id}"
        log.log(level, "%s mention: %s %s %r (%s) at %s, mention %d", event.priority, where,
                event.group_id, event.matched, event.keyword, event.at_utc, event.mention_id)
        for handler in list(_handlers):
            try:
                handler(event)
            except Exception:  # an alert channel down must not stop matching
                log.exception("event handler %r failed on mention %d", handler, event.mention_id)
