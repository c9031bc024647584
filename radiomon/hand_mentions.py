"""Mentions added by hand: a transcript line the matcher missed, marked by staff.

Whisper wrote the DIF's story "EF MorLeón" and nothing in keywords.yml is near
enough to match it; a person who heard it marks the line (or the words in it)
on the Grabación page and says which term of which group it is. The mention is
stored like any other (so search through mentions, the síntesis, clips and the
weekly report see it), confirmed by that person, with who added it and when;
``radiomon match --all`` keeps it (archive/mentions.py). A term of a ``crisis``
or ``high`` group raises the same event a matched mention does, written in the
mention's own transaction and announced after the commit (see radiomon/events.py).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from radiomon import events, timeutil
from radiomon.archive import Archive, MentionRow
from radiomon.config import Config
from radiomon.errors import QueryError
from radiomon.keywords import Group, KeywordSet, Term, load_keywords
from radiomon.pipeline.match.crisis import mention_events

log = logging.getLogger(__name__)

#: A person's mark is certain: the score of a hand-added mention.
HAND_SCORE = 100.0
#: The words a person marks are at most this long (a line's text is shorter still).
MAX_WORDS = 500


def find_term(keywords: KeywordSet, group_id: str, term: str) -> tuple[Group, Term]:
    """The group and term of keywords.yml a person chose (the term's spelling, accents and case as there,
    or an alias of it); QueryError naming the choices otherwise."""
    try:
        group = keywords.group(group_id)
    except KeyError:
        raise QueryError(f"keywords.yml has no group {group_id!r}; use one of: "
                         f"{', '.join(g.id for g in keywords.groups)}") from None
    wanted = term.strip().casefold()
    for candidate in group.terms:
        if wanted in (spelling.casefold() for spelling in candidate.spellings):
            return group, candidate
    raise QueryError(f"group {group_id!r} of keywords.yml has no term {term!r}; use one of: "
                     f"{', '.join(t.term for t in group.terms)}")


def add_hand_mention(config: Config, archive: Archive, *, segment_id: int, group: str, term: str, by: str,
                     offset: float | None = None, words: str | None = None,
                     now: datetime | None = None) -> MentionRow:
    """Store the mention ``by`` marked on a transcript line and return it (with its id).

    ``offset``: the second it starts (the first marked word), kept inside the line; default the line's
    start. ``words``: the marked words as the transcript has them (what was heard); default the whole
    line. An event for a ``crisis``/``high`` group is written only for a mention aired within
    :data:`radiomon.events.REMATCH_EVENT_HOURS` of ``now``: marking last month's story must not page
    the coordinator today (the same rule as ``match --all``).
    """
    keywords = load_keywords(config.keywords)
    found_group, found_term = find_term(keywords, group, term)
    segment = next(iter(archive.segments_by_id([segment_id])), None)
    if segment is None:
        raise QueryError(f"there is no transcribed segment {segment_id}; open the recording again")
    text = " ".join(segment["text"].split())
    heard = " ".join((words or "").split()) or text
    if len(heard) > MAX_WORDS or heard.casefold() not in text.casefold():
        raise QueryError(f"the marked words {heard[:60]!r} are not in segment {segment_id}'s text; "
                         "mark words of that line")
    start = segment["start"] if offset is None else min(max(offset, segment["start"]), segment["end"])
    at = datetime.fromtimestamp((segment["epoch0_ms"] + round(start * 1000)) / 1000, timezone.utc)
    row = MentionRow(segment_id=segment_id, recording_id=segment["recording_id"], station=segment["station"],
                     group_id=found_group.id, keyword=found_term.term, matched=heard, score=HAND_SCORE,
                     at_utc=timeutil.to_iso(at), offset=start, context=text)
    since = timeutil.to_iso((now or datetime.now(timezone.utc)) - timedelta(hours=events.REMATCH_EVENT_HOURS))
    written: list[events.MentionEvent] = []

    def write_events(conn, added) -> None:
        found = mention_events(keywords, added, since)
        for kind in (events.CRISIS_MENTION, events.HIGH_MENTION):
            archive.add_events(conn, kind, [(e.mention_id, e.as_json()) for e in found if e.kind == kind])
        written.extend(found)

    stored = archive.add_hand_mention(row, by=by, on_added=write_events)
    log.info("mention %d added by hand by %s: %s %r in segment %d", stored.id, by, stored.keyword, heard,
             segment_id)
    events.publish(written)  # after the commit: handlers hear only of stored mentions
    return stored
