"""Matching as recordings arrive: each transcribed recording's segments → its mentions.

* :func:`match_recording` — one recording, right after its segments are stored;
* :func:`match_pending` — every transcribed recording whose ``matched_utc``
  is NULL (``radiomon match``; the job layer runs it after each
  transcription batch and import).

Writing is one transaction per recording (:meth:`Archive.replace_mentions`):
mentions still found keep their id and the staff's ``review``, removed terms'
mentions go, new ones appear, ``matched_utc`` is set. Running it twice changes
nothing. New mentions of a ``crisis`` or ``high`` group become events
(:mod:`~radiomon.pipeline.match.crisis`) in the same transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from radiomon.archive import Archive, MentionRow
from radiomon.filters import Filters
from radiomon.keywords import Matcher, load_keywords
from radiomon.pipeline.match.core import find_in_segments
from radiomon.pipeline.match.crisis import event_writer, publish_events
from radiomon.pipeline.match.result import MatchResult


def load_matcher(keywords_path: str | Path) -> Matcher:
    """keywords.yml compiled for matching (ConfigError, one line, if it is invalid)."""
    return Matcher(load_keywords(keywords_path))


def match_recording(
    archive: Archive, matcher: Matcher, recording_id: int, *, emit_events: bool = True
) -> list[MentionRow]:
    """Match one recording and store its mentions; returns them (with ids and reviews).

    Call it after a recording's segments are stored. Reads and writes in one
    transaction, so a concurrent re-transcription cannot slip in between.
    Idempotent.
    """
    result = MatchResult()
    _match_one(archive, matcher, recording_id, None, result, emit_events)
    return archive.mentions_of(recording_id)


def match_pending(archive: Archive, matcher: Matcher, filters: Filters = Filters(), *,
                  progress: Callable[[int, int], None] | None = None) -> MatchResult:
    """Match every transcribed recording whose ``matched_utc`` is NULL, oldest
    first (of ``filters``' stations and range, at most its limit)."""
    started = time.perf_counter()
    result = MatchResult()
    pending = archive.recordings(filters, unmatched=True)
    for n, recording in enumerate(pending, 1):
        _match_one(archive, matcher, recording.id, None, result, True)
        if progress:
            progress(n, len(pending))
    # What was just stored joins the vocabulary approximate search reads (radiomon/archive/vocabulary.py)
    # here, in the job layer's one stage after every transcription and import, not in a search.
    archive.catch_up_vocabulary()
    result.seconds = time.perf_counter() - started
    return result


def _match_one(archive: Archive, matcher: Matcher, recording_id: int, since: str | None,
               result: MatchResult, emit_events: bool) -> None:
    with archive.write():
        segments = archive.segments_to_match(recording_id)
        rows = find_in_segments(matcher, segments)
        changes = archive.replace_mentions(
            recording_id, rows, on_added=event_writer(archive, matcher, result, since) if emit_events else None)
    result.recordings += 1
    result.segments += len(segments)
    result.add(changes)
    if emit_events:
        publish_events(matcher, changes, since)
