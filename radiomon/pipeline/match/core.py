"""The matching core (pure): stored segments in, :class:`MentionRow` out.

Segments are matched in *runs*: a segment with a word that could anchor a
keyword, plus its neighbours, joined, so "Moro" at the end of one segment
and "León" at the start of the next are one mention
(:func:`find_in_segments`). The archive-wide re-match finds the windows
that can hold a mention first and has only those looked at
(:func:`find_in_pieces`); both give the same mentions.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import datetime, timezone
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple

from radiomon import timeutil
from radiomon.archive import MentionRow
from radiomon.keywords import Matcher, Mention, tokenize_words, words_from_text, words_from_whisper
from radiomon.keywords.normalize import fold
from radiomon.keywords.words import spell
from radiomon.transcript import Word

# The context stored with a mention is the sentence around it, cut at this
# many words on each side when Whisper wrote no full stop for a while.
CONTEXT_WORDS = 25
_SENTENCE_END = (".", "?", "!", "…")


def segment_words(segment: dict) -> list[Word]:
    """A segment's heard words: Whisper's word times, or its text spread over its span.

    Whisper's words are used only when they spell the segment's text (they
    always do for what radiomon transcribes: the text is the words glued).
    The archive-wide re-match reads only texts (rematch.py), so an
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
    :meth:`Archive.segments_to_match` returns them), in order.

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
            mentions.append(
                matcher.mention_at(matcher.spellings[index], score, flat[lo:hi], first_word - lo, last_word - lo)
            )
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
