"""The matching stage: keywords.yml against the archive's segments → ``mentions``.

* :func:`match_recording` — one recording, right after it is transcribed
  (the transcription batch calls it), or any recording whose ``matched_utc``
  is NULL (:func:`match_pending`, ``radiomon match``).
* ``radiomon match --all`` after keywords.yml changed: radiomon/rematch.py,
  which narrows a whole archive down to the segments that could hold a
  mention and then uses this module's core on them.

The core (:func:`find_in_segments`) is pure: segments in, :class:`MentionRow`
out. Segments are matched in *runs*: a segment with a word that could anchor
a keyword, plus its neighbours, joined, so "Moro" at the end of one segment
and "León" at the start of the next are one mention.

Writing is one transaction per recording (:meth:`Archive.replace_mentions`):
mentions still found keep their id and the staff's ``review``, removed terms'
mentions go, new ones appear, ``matched_utc`` is set. Running it twice changes
nothing. New mentions of a ``crisis`` group become events (radiomon/events.py)
in the same transaction.
"""

from __future__ import annotations

import logging
import time
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

from radiomon import events as events_mod
from radiomon import timeutil
from radiomon.archive import Archive, MentionChanges, MentionRow
from radiomon.keywords import (
    KeywordSet, Matcher, Mention, Word, load_keywords, tokenize_words, words_from_text, words_from_whisper,
)
from radiomon.keywords.normalize import fold
from radiomon.keywords.words import spell

log = logging.getLogger(__name__)

# The context stored with a mention is the sentence around it, cut at this
# many words on each side when Whisper wrote no full stop for a while.
CONTEXT_WORDS = 25
_SENTENCE_END = (".", "?", "!", "…")


@dataclass
class MatchResult:
    """What a matching run did (``radiomon match`` prints it)."""

    recordings: int = 0  # recordings matched
    segments: int = 0  # segments that went through the matcher
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    events: int = 0
    words: int = 0  # rematch_all: word positions read
    anchors: int = 0  # rematch_all: (word, spelling) anchors
    windows: int = 0  # rematch_all: windows that passed the bounds and were scored
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def add(self, changes: MentionChanges) -> None:
        self.added += len(changes.added)
        self.updated += changes.updated
        self.unchanged += changes.unchanged
        self.removed += changes.removed

    def summary(self) -> str:
        return (f"matched {self.recordings} recording(s) in {self.seconds:.1f} s: {self.added} new mention(s), "
                f"{self.removed} removed, {self.updated} updated, {self.unchanged} unchanged")


def load_matcher(keywords_path: str | Path) -> Matcher:
    """keywords.yml compiled for matching (ConfigError, one line, if it is invalid)."""
    return Matcher(load_keywords(keywords_path))


# -- the pure core -------------------------------------------------------------
def segment_words(segment: dict) -> list[Word]:
    """A segment's heard words: Whisper's word times, or its text spread over its span.

    Whisper's words are used only when they spell the segment's text (they
    always do for what radiomon transcribes: the text is the words glued).
    The archive-wide re-match reads only texts (radiomon/rematch.py), so an
    imported transcript whose word list says something else must be matched
    on its text too, or the two ways of matching would disagree.
    """
    if segment.get("words"):
        words = words_from_whisper(segment["words"], segment_id=segment["id"])
        if spell((w.text for w in words), segment["text"]):
            return words
    return words_from_text(segment["text"], segment["start"], segment["end"], segment_id=segment["id"])


def find_in_segments(matcher: Matcher, segments: Sequence[dict]) -> list[MentionRow]:
    """Mentions in consecutive segments of one recording (as
    :meth:`Archive.recording_segments` returns them), in order.

    Only segments with a word that anchors some keyword are matched, each
    joined with its neighbours into a run (the common case, a segment with
    nothing like a keyword, costs a dictionary lookup per word).
    """
    words = [segment_words(s) for s in segments]
    hot = [i for i, ws in enumerate(words) if _anchors_any(matcher, ws)]
    starts = _starts(words)
    spans = [(starts[first], starts[last + 1], None, None) for first, last in _runs(hot, len(segments))]
    return _find_in_spans(matcher, segments, words, spans)


class Span(NamedTuple):
    """A window of words that reached a spelling's threshold (found by the
    archive-wide re-match): its first and last piece (``fold(word).split()``
    of the segment's words, counted from 0 in each segment), by segment (an
    id, or an index into the segments given to :func:`find_in_pieces`)."""

    first_segment: int
    first_piece: int
    last_segment: int
    last_piece: int
    spelling: int
    score: float  # Matcher.window_score when simple (0: not a candidate), else the similarity
    simple: bool  # Matcher.simple


def find_in_pieces(matcher: Matcher, segments: Sequence[dict], spans: Sequence[Span], margin: int) -> list[MentionRow]:
    """Mentions in consecutive segments, looking only around the given spans.

    The matcher reads the spans' words plus ``margin`` pieces each side
    (room for the exclusions' windows), for their spellings only. Where every
    span within that reach is :attr:`Span.simple`, the spans are all the
    candidates the matcher would find there, and only its choice among them
    is made (:meth:`Matcher.resolve`), without reading the words again.
    """
    words = [segment_words(s) for s in segments]
    flat = [w for ws in words for w in ws]
    if not flat:
        return []
    word_ends = list(accumulate(_piece_count(w.text) for w in flat))  # pieces up to and including each word
    segment_starts = [0, *word_ends]
    segment_starts = [segment_starts[i] for i in _starts(words)]  # pieces before each segment
    final_piece = max(word_ends[-1] - 1, 0)

    def word_at(segment: int, piece: int) -> int:
        """Index in ``flat`` of the word holding ``piece`` of ``segment`` (out of range: the first or last word)."""
        at = min(max(segment_starts[segment] + piece, 0), final_piece)
        return min(bisect_right(word_ends, at), len(flat) - 1)

    merged: list[list] = []  # [lo, hi, spellings, spans]
    for span in sorted(spans):
        lo = word_at(span.first_segment, span.first_piece - margin)
        hi = word_at(span.last_segment, span.last_piece + margin) + 1
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
            merged[-1][2].add(span.spelling)
            merged[-1][3].append(span)
        else:
            merged.append([lo, hi, {span.spelling}, [span]])
    found = []
    for lo, hi, spellings, members in merged:
        chosen = None
        if all(span.simple for span in members):
            # Every candidate of this stretch is one of the spans: resolve them
            # as the matcher would (pieces are its tokens: no numbers here).
            chosen = matcher.resolve([(span.spelling, segment_starts[span.first_segment] + span.first_piece,
                                       segment_starts[span.last_segment] + span.last_piece, span.score)
                                      for span in members
                                      if span.score >= matcher.spellings[span.spelling].threshold])
        if chosen is None:
            found.append((lo, hi, spellings, None))
            continue
        mentions = []
        for index, first, last, score in chosen:
            first_word, last_word = word_at(0, first), word_at(0, last)
            mentions.append(matcher.mention_at(matcher.spellings[index], score, flat[lo:hi], first_word - lo, last_word - lo))
        found.append((lo, hi, spellings, mentions))
    return _find_in_spans(matcher, segments, words, found)


@lru_cache(maxsize=262_144)
def _piece_count(word: str) -> int:
    return len(fold(word).split())


def _starts(words: list[list[Word]]) -> list[int]:
    """Where each segment's words start in the segments' words joined (and the end)."""
    return [0, *accumulate(len(ws) for ws in words)]


def _find_in_spans(matcher: Matcher, segments: Sequence[dict], words: list[list[Word]],
                   spans: Sequence[tuple[int, int, set[int] | None, list[Mention] | None]]) -> list[MentionRow]:
    """MentionRows for (lo, hi, spellings, mentions) word spans: the given
    mentions, or when None the matcher's in ``flat[lo:hi]`` (for those
    spellings, or all when None)."""
    flat = [w for ws in words for w in ws]
    starts = _starts(words)
    index_of = {s["id"]: i for i, s in enumerate(segments)}
    rows: list[MentionRow] = []
    for lo, hi, spellings, mentions in spans:
        if mentions is None:
            mentions = matcher.find_mentions(flat[lo:hi], spellings)
        for mention in mentions:
            i = index_of[mention.segment_id]
            segment = segments[i]
            # The context is the sentence around the mention, read in its
            # segment and the ones beside it, however the segments were batched.
            around = starts[max(0, i - 1)]
            context_words = flat[around:starts[min(len(segments), i + 2)]]
            rows.append(MentionRow(
                segment_id=segment["id"],
                recording_id=segment["recording_id"],
                station=segment["station"],
                group_id=mention.group_id,
                keyword=mention.keyword,
                matched=mention.matched,
                score=float(mention.score),
                at_utc=_at(segment["epoch0_ms"], mention.start),
                offset=round(mention.start, 3),
                context=sentence_around(context_words, mention.first_word_index + lo - around,
                                        mention.last_word_index + lo - around),
            ))
    return rows


def _anchors_any(matcher: Matcher, words: list[Word]) -> bool:
    return any(matcher.anchors(t.text) for t in tokenize_words([w.text for w in words]))


def _runs(hot: list[int], count: int, neighbours: int = 1) -> list[tuple[int, int]]:
    """Index ranges (inclusive) covering every hot segment and its neighbours, merged."""
    runs: list[tuple[int, int]] = []
    for i in hot:
        first, last = max(0, i - neighbours), min(count - 1, i + neighbours)
        if runs and first <= runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], max(runs[-1][1], last))
        else:
            runs.append((first, last))
    return runs


def sentence_around(words: Sequence[Word], first: int, last: int, limit: int = CONTEXT_WORDS) -> str:
    """The words of the sentence containing ``words[first..last]`` (at most ``limit`` more each side)."""
    start = first
    while start > 0 and first - start < limit and not words[start - 1].text.strip().endswith(_SENTENCE_END):
        start -= 1
    end = last
    while end < len(words) - 1 and end - last < limit and not words[end].text.strip().endswith(_SENTENCE_END):
        end += 1
    return " ".join(w.text.strip() for w in words[start:end + 1] if w.text.strip())


def _at(epoch0_ms: int, offset: float) -> str:
    return timeutil.to_iso(datetime.fromtimestamp((epoch0_ms + round(offset * 1000)) / 1000, timezone.utc))


# -- the stage: I/O at the edges -------------------------------------------------
def match_recording(archive: Archive, matcher: Matcher, recording_id: int, *, emit_events: bool = True) -> list[MentionRow]:
    """Match one recording and store its mentions; returns them (with ids and reviews).

    Call it after a recording's segments are stored (the transcription batch
    does). Reads and writes in one transaction, so a concurrent
    re-transcription cannot slip in between. Idempotent.
    """
    result = MatchResult()
    _match_one(archive, matcher, recording_id, None, result, emit_events)
    return archive.mentions_of(recording_id)


def match_pending(archive: Archive, matcher: Matcher, *, station: str | tuple[str, ...] | None = None,
                  limit: int | None = None, progress: Callable[[int, int], None] | None = None) -> MatchResult:
    """Match every transcribed recording whose ``matched_utc`` is NULL, oldest first."""
    started = time.perf_counter()
    result = MatchResult()
    pending = archive.recordings(unmatched=True, station=station, limit=limit)
    for n, recording in enumerate(pending, 1):
        _match_one(archive, matcher, recording.id, None, result, True)
        if progress:
            progress(n, len(pending))
    result.seconds = time.perf_counter() - started
    return result


def _match_one(archive: Archive, matcher: Matcher, recording_id: int, since: str | None,
               result: MatchResult, emit_events: bool) -> None:
    with archive.write():
        segments = archive.recording_segments(recording_id)
        rows = find_in_segments(matcher, segments)
        changes = archive.replace_mentions(
            recording_id, rows, on_added=event_writer(archive, matcher, result, since) if emit_events else None)
    result.recordings += 1
    result.segments += len(segments)
    result.add(changes)
    if emit_events:
        publish_events(matcher, changes, since)


# -- events ---------------------------------------------------------------------
def crisis_events(keywords: KeywordSet, rows: Sequence[MentionRow], since: str | None = None) -> list[events_mod.MentionEvent]:
    """Events for the rows of ``crisis`` groups (newer than ``since``, if given)."""
    out = []
    for row in rows:
        group = keywords.group(row.group_id)
        if group.priority != "crisis" or (since is not None and row.at_utc < since):
            continue
        out.append(events_mod.MentionEvent(
            kind=events_mod.CRISIS_MENTION, mention_id=row.id, station=row.station, group_id=group.id,
            group_label=group.title, priority=group.priority, keyword=row.keyword, matched=row.matched,
            at_utc=row.at_utc, offset=row.offset, recording_id=row.recording_id, segment_id=row.segment_id,
            context=row.context,
        ))
    return out


def event_writer(archive: Archive, matcher: Matcher, result: MatchResult, since: str | None):
    def write(conn, added):
        found = crisis_events(matcher.keywords, added, since)
        archive.add_events(conn, events_mod.CRISIS_MENTION, [(e.mention_id, e.as_json()) for e in found])
        result.events += len(found)
    return write


def publish_events(matcher: Matcher, changes: MentionChanges, since: str | None) -> None:
    if changes.added:
        events_mod.publish(crisis_events(matcher.keywords, changes.added, since))
