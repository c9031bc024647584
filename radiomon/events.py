"""Events: what the pipeline tells the rest of the system as it happens.

Today there is one kind, :data:`CRISIS_MENTION`: a new mention of a keyword
group whose ``priority`` is ``crisis`` in keywords.yml (balacera, incendio…).
The coordinator must hear of it at once, so the matching stage

1. writes it to the archive's ``events`` table **in the same transaction as
   the mention** (an outbox: an event is never lost, nor sent for a mention
   that was rolled back), with ``delivered_utc`` NULL;
2. logs one WARNING line (``crisis mention: …``) for whoever watches the logs;
3. calls every handler registered with :func:`subscribe` after the commit
   (the daemon's alerter can react at once, without polling).

The alerting stage delivers ``Archive.pending_events()``
by webhook or e-mail and marks them with ``Archive.mark_delivered(ids)``.
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

# ``radiomon match --all`` emits crisis events only for mentions at most this
# old: a new crisis term must not alert on a year of archive.
REMATCH_EVENT_HOURS = 24


@dataclass(frozen=True)
class MentionEvent:
    """A new mention of a crisis group, as handlers and the ``events`` table see it."""

    kind: str  # CRISIS_MENTION
    mention_id: int
    station: str
    group_id: str
    group_label: str
    priority: str  # the group's priority in keywords.yml
    keyword: str
    matched: str  # the words heard
    at_utc: str
    offset: float  # seconds into the recording
    recording_id: int
    segment_id: int
    context: str | None

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
        log.warning("crisis mention: %s %s %r (%s) at %s, mention %d",
                    event.station, event.group_id, event.matched, event.keyword, event.at_utc, event.mention_id)
        for handler in list(_handlers):
            try:
                handler(event)
            except Exception:  # an alert channel down must not stop matching
                log.exception("event handler %r failed on mention %d", handler, event.mention_id)
