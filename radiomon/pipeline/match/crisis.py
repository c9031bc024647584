"""Crisis and high-priority mentions as events: written with the mention, announced after the commit.

A new mention of a group whose ``priority`` is ``crisis`` or ``high``
becomes a row of the archive's event outbox in the mention's own
transaction (:func:`event_writer`), then is handed to the subscribed
handlers once it is stored (:func:`publish_events`; see radiomon/events.py).
Mentions of ``normal`` groups make no event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from radiomon import events as events_mod
from radiomon.archive import Archive, MentionChanges, MentionRow
from radiomon.keywords import KeywordSet, Matcher
from radiomon.pipeline.match.result import MatchResult


def mention_events(
    keywords: KeywordSet, rows: Sequence[MentionRow], since: str | None = None, *, press: Mapping | None = None
) -> list[events_mod.MentionEvent]:
    """Events for the rows of ``crisis`` and ``high`` groups (newer than ``since``, if given); ``press``:
    the article's fields (medium, article_id, url, title, outlet, outlet_name) of an article's mentions."""
    out = []
    for row in rows:
        group = keywords.group(row.group_id)
        kind = events_mod.MENTION_KINDS.get(group.priority)
        if kind is None or (since is not None and row.at_utc < since):
            continue
        out.append(events_mod.MentionEvent(
            kind=kind, mention_id=row.id, station=row.station, group_id=group.id,
            group_label=group.title, priority=group.priority, keyword=row.keyword, matched=row.matched,
            at_utc=row.at_utc, offset=row.offset, recording_id=row.recording_id, segment_id=row.segment_id,
            context=row.context, **(press or {}),
        ))
    return out


def event_writer(archive: Archive, matcher: Matcher, result: MatchResult, since: str | None):
    def write(conn, added):
        found = mention_events(matcher.keywords, added, since)
        for kind in (events_mod.CRISIS_MENTION, events_mod.HIGH_MENTION):
            of_kind = [e for e in found if e.kind == kind]
            archive.add_events(conn, kind, [(e.mention_id, e.as_json()) for e in of_kind])
            result.count_events(kind, len(of_kind))
    return write


def publish_events(matcher: Matcher, changes: MentionChanges, since: str | None) -> None:
    if changes.added:
        events_mod.publish(mention_events(matcher.keywords, changes.added, since))
