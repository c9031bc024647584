"""Near misses and rewrites in the archive: what ``radiomon keywords suggest`` ranks.

**Near misses** are found by the matcher itself, compiled a second time
with :func:`~radiomon.keywords.near_misses.suggest_near_misses` (its
thresholds lowered by :data:`~radiomon.keywords.near_misses.SUGGEST_REACH`
points, the way keyword rescoring looks for what to ask Whisper about), against
the texts of a range of the archive: a window it reports that the matcher as configured does not
count is a near miss. As for ``radiomon match --all``, the matcher does not
read every text: the texts go through the re-match's narrowing
(:mod:`~radiomon.pipeline.match.narrowing`, exact: every distinct word
compared with every spelling once, proven bounds in numpy), and only the
segments where a window reaches a lowered threshold, with a segment each
side, are read by the two matchers.

A near miss whose words take part in a mention of its own group is none:
the group already counts them ("de Moroleón" is no near miss of H.
Ayuntamiento de Moroleón when Moroleón counts), while another group's may
("DEF Moroleón" is a near miss of DIF Moroleón, with Moroleón counted in
the municipality's group). Nor is one whose words are an exclusion of the
term, with or without a stopword beside them ("Morelos y" with Morelos
excluded): the matcher applies exclusions to the words. Terms of
:data:`~radiomon.keywords.patterns.SHORT_LENGTH` letters or fewer count
only when heard exactly and have no near misses.

**Rewrites**: keyword rescoring writes a term in place of what Whisper
decoded, and the archive keeps no trace of what that was, only that the
rewritten words carry no probability (every decoded word has one). A
mention whose words are such a run, the term's spelling (or "de" and it),
is reported as rewritten, what was heard before unknown.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import accumulate

from radiomon import timeutil
from radiomon.archive import Archive, MentionRow
from radiomon.filters import Filters
from radiomon.keywords import KeywordSet, Matcher
from radiomon.keywords.near_misses import SUGGEST_REACH, suggest_near_misses
from radiomon.keywords.normalize import normalize
from radiomon.keywords.suggest import Sighting
from radiomon.pipeline.match.core import segment_words, sentence_around
from radiomon.pipeline.match.narrowing import Narrowing

log = logging.getLogger(__name__)

# Recordings read per query and narrowing pass (as rematch.BATCH_RECORDINGS).
BATCH_RECORDINGS = 100


@dataclass
class Found:
    """What :func:`find_near_misses` read and found."""

    near_misses: list[Sighting] = field(default_factory=list)
    rewrites: list[Sighting] = field(default_factory=list)
    recordings: int = 0  # recordings read
    segments: int = 0  # segments read
    matched: int = 0  # segments the matchers read (hot ones and their neighbours)
    seconds: float = 0.0


def find_near_misses(archive: Archive, keywords: KeywordSet, filters: Filters = Filters(), *,
                     reach: float = SUGGEST_REACH) -> Found:
    """Near misses of ``keywords`` (within ``reach`` points of each
    threshold) said in ``filters``' stations and range, and the mentions
    there that rescoring wrote (of ``filters``' groups)."""
    started = time.perf_counter()
    strict = Matcher(keywords)
    loose = Matcher(keywords, near_miss=suggest_near_misses(reach))
    narrowing = Narrowing(loose)
    found = Found()
    recordings = archive.recordings_with_text(filters)
    found.recordings = len(recordings)
    known = 1  # the narrowing's words the strict matcher has anchors for (word 0 is its wall)
    for start in range(0, len(recordings), BATCH_RECORDINGS):
        rows = archive.texts_said(recordings[start:start + BATCH_RECORDINGS], filters)
        found.segments += len(rows)
        if not rows:
            continue
        hot = narrowing.hot_segments(rows).hot()
        # The strict matcher's anchors of the words met so far, in one
        # vectorized pass (the loose one's came with the narrowing): one by
        # one, as find_mentions asks, they were most of the time.
        strict.anchors_of(narrowing.tables.words[known:])
        known = len(narrowing.tables.words)
        segments = archive.segments_by_id(hot, neighbours=1)
        found.matched += len(segments)
        # The segments beside a hot one are read for the words around it,
        # but may be another station's, or said outside the range.
        read = {segment_id for segment_id, _, _ in rows}
        for block in _consecutive(segments):
            found.near_misses += [s for s in near_misses_in(strict, loose, block) if s.segment_id in read]
    groups = {g.id for g in keywords.groups}
    found.rewrites = [
        sighting for mention, words in archive.mentions_on_unscored_words(filters)
        if mention.group_id in groups
        for sighting in [rewrite_of(mention, json.loads(words))] if sighting is not None
    ]
    found.seconds = time.perf_counter() - started
    log.info("near misses: %d segments of %d recordings read, %d matched, in %.1f s", found.segments,
             found.recordings, found.matched, found.seconds)
    return found


def near_misses_in(strict: Matcher, loose: Matcher, segments: Sequence[dict]) -> list[Sighting]:
    """Near misses in consecutive segments of one recording, as the archive
    stores them (:meth:`Archive.segments_by_id`), in order (pure)."""
    per_segment = [segment_words(segment) for segment in segments]
    words = [w for ws in per_segment for w in ws]
    starts = list(accumulate((len(ws) for ws in per_segment), initial=0))
    index_of = {segment["id"]: i for i, segment in enumerate(segments)}
    counted: dict[str, set[int]] = {}
    for m in strict.find_mentions(words):
        counted.setdefault(m.group_id, set()).update(range(m.first_word_index, m.last_word_index + 1))
    short = {s.pattern.text for s in loose.spellings if s.pattern.short}
    by_id = {segment["id"]: segment for segment in segments}
    out = []
    for m in loose.find_mentions(words):
        taken = counted.get(m.group_id, set())
        if m.spelling in short or any(i in taken for i in range(m.first_word_index, m.last_word_index + 1)):
            continue
        segment = by_id[m.segment_id]
        # The context is the sentence around, read in its segment and the
        # ones beside it, as a mention's (core.py), however many were read.
        i = index_of[m.segment_id]
        around = starts[max(0, i - 1)]
        context = words[around:starts[min(len(segments), i + 2)]]
        out.append(Sighting(
            kind="near_miss", group_id=m.group_id, keyword=m.keyword, heard=m.matched, score=m.score,
            station=segment["station"], at_utc=_at(segment["epoch0_ms"], m.start),
            recording_id=segment["recording_id"], segment_id=segment["id"], offset=round(m.start, 3),
            context=sentence_around(context, m.first_word_index - around, m.last_word_index - around),
        ))
    return out


def rewrite_of(mention: MentionRow, words: Sequence[dict]) -> Sighting | None:
    """The mention as a rewrite when rescoring wrote its words (pure): they
    are a run of words without a probability (``words``: its segment's word
    list) that reads the mention's words, or "de" and them. Rescoring writes
    a name of several words word for word over as many heard words, all
    marked, so "Moroleón" inside a rewritten "DIF Moroleón" is no rewrite
    of Moroleón's."""
    starts = [i for i, w in enumerate(words) if abs(float(w["start"]) - mention.offset) < 0.006]
    for first in starts:
        if words[first].get("probability") is not None:
            continue
        while first > 0 and words[first - 1].get("probability") is None:
            first -= 1
        last = first
        while last + 1 < len(words) and words[last + 1].get("probability") is None:
            last += 1
        run = normalize(" ".join(str(w["word"]) for w in words[first:last + 1]))
        heard = normalize(mention.matched)
        if run in (heard, f"de {heard}", f"del {heard}"):
            return Sighting(
                kind="rewritten", group_id=mention.group_id, keyword=mention.keyword, heard=mention.matched,
                score=mention.score, station=mention.station, at_utc=mention.at_utc,
                recording_id=mention.recording_id, segment_id=mention.segment_id, offset=mention.offset,
                context=mention.context or "", mention_id=mention.id,
            )
    return None


def _consecutive(segments: Sequence[dict]) -> list[list[dict]]:
    """Runs of segments of one recording with consecutive ids (ids follow
    time within a recording): the matchers read each run as one stretch of words."""
    runs: list[list[dict]] = []
    for segment in segments:
        if runs and runs[-1][-1]["recording_id"] == segment["recording_id"] and runs[-1][-1]["id"] + 1 == segment["id"]:
            runs[-1].append(segment)
        else:
            runs.append([segment])
    return runs


def _at(epoch0_ms: int, offset: float) -> str:
    return timeutil.to_iso(datetime.fromtimestamp((epoch0_ms + round(offset * 1000)) / 1000, timezone.utc))


__all__ = ["Found", "find_near_misses", "near_misses_in", "rewrite_of"]
