"""What a new or changed keyword term would have caught on air in the last days, found without writing anything.

Before a coordinator saves a term on «Palabras clave» (or a script through
``POST /api/keywords/preview``), the edit is made on keywords.yml's text in
memory, checked as ``radiomon keywords check`` checks it (the same
refusals as saving: :func:`radiomon.keywords.edit_terms.put_term`), and the
segments said in the last :data:`PREVIEW_DAYS` days (3) are matched against it
the way ``radiomon match --all`` matches the archive
(:mod:`radiomon.pipeline.match.rematch`): the texts are narrowed down to
the windows that could hold the term (:class:`~radiomon.pipeline.match.narrowing.Narrowing`,
exact), and the matcher reads only those segments and their neighbours
(:func:`~radiomon.pipeline.match.core.find_in_segments`). Nothing is
written: not the file, not a mention, not a run.

The matcher is compiled from the term's group alone. That finds exactly
what the whole file would for this term: a term's threshold is derived
from its own spellings and exclusions (:meth:`KeywordSet.threshold_for`),
and overlapping candidates are settled within a group, never across
groups (:mod:`radiomon.keywords.matcher`, step 5); the other groups would
only cost time. Press articles are not read: the question is what the
radio said.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from radiomon import timeutil
from radiomon.archive import Archive, MentionRow
from radiomon.config import Config
from radiomon.errors import ConfigError
from radiomon.filters import Filters
from radiomon.keyword_changes import read_file
from radiomon.keywords import KeywordSet, Matcher
from radiomon.keywords.edit import find_term
from radiomon.keywords.edit_terms import TermSpec, put_term
from radiomon.keywords.load import keywords_from_text
from radiomon.keywords.refusals import refused
from radiomon.pipeline.match.core import find_in_segments
from radiomon.pipeline.match.narrowing import Narrowing

log = logging.getLogger(__name__)

# How far back a preview looks: 3 days, not the week the page first asked for. Measured once on the 2-core
# machine with benchmarks/search.py's synthetic speech: a week of three stations on air round the clock
# (240,000 segments) took 5 s, too long for a button; three days of them (100,000) about 2.7 s, most of it
# reading the texts into the narrowing's word rows, which does not shrink with a narrower matcher.
PREVIEW_DAYS = 3
# Sentences shown, newest first.
EXAMPLES = 5
# Recordings read per query and narrowing pass (as the re-match's batches).
BATCH_RECORDINGS = 100


@dataclass(frozen=True)
class Preview:
    """What the term would have caught in ``[since_utc, until_utc)``."""

    group_id: str
    term: str  # as the edited file writes it
    mentions: int
    examples: tuple[MentionRow, ...]  # up to EXAMPLES, newest first, one per sentence
    since_utc: str
    until_utc: str
    days: int
    recordings: int  # recordings read
    segments: int  # segments read
    seconds: float

    def as_json(self) -> dict:
        """The API's answer: ``mentions`` and ``examples`` in the field names of a radio mention."""
        return {
            "group": self.group_id, "term": self.term, "mentions": self.mentions, "days": self.days,
            "since": self.since_utc, "until": self.until_utc,
            "examples": [{"medium": "radio", "station": m.station, "group": m.group_id, "keyword": m.keyword,
                          "matched": m.matched, "score": round(m.score, 1), "at": m.at_utc, "offset": m.offset,
                          "recording_id": m.recording_id, "segment_id": m.segment_id, "context": m.context}
                         for m in self.examples],
        }


def edited_keywords(config: Config, group_id: str, spec: TermSpec, *, replacing: str | None = None
                    ) -> tuple[KeywordSet, str]:
    """keywords.yml as it would be with ``spec`` added to ``group_id`` (or in place of the term written
    ``replacing``), and the term's name in it; refused (KeywordEditError) as saving it would be."""
    current = read_file(config)
    source = Path(config.keywords).name
    try:
        text = put_term(current.text, group_id, spec, replacing=replacing, source=source)
        keywords = keywords_from_text(text, source)
        _, _, term = find_term(keywords, spec.term.strip(), group_id, source)
    except ConfigError as err:
        raise refused(err) from None
    return keywords, term.term


def preview_term(config: Config, archive: Archive, group_id: str, spec: TermSpec, *, replacing: str | None = None,
                 days: int = PREVIEW_DAYS, now: datetime | None = None, examples: int = EXAMPLES) -> Preview:
    """How many mentions ``spec`` (new in ``group_id``, or replacing the term written ``replacing``) would have
    had in the ``days`` days before ``now``, and the newest of them. Reads only."""
    keywords, term = edited_keywords(config, group_id, spec, replacing=replacing)
    until = now or datetime.now(timezone.utc)
    since = until - timedelta(days=days)
    found, recordings, segments, seconds = find_term_mentions(archive, keywords, group_id, term, since, until)
    chosen, seen = [], set()
    for mention in sorted(found, key=lambda m: m.at_utc, reverse=True):
        if mention.context in seen:
            continue  # a spot aired again: one example of it is enough
        seen.add(mention.context)
        chosen.append(mention)
        if len(chosen) == examples:
            break
    log.info("preview of %r (%s): %d mentions in %d segments of %d recordings, %.2f s", term, group_id,
             len(found), segments, recordings, seconds)
    return Preview(group_id, term, len(found), tuple(chosen), timeutil.to_iso(since), timeutil.to_iso(until), days,
                   recordings, segments, seconds)


def find_term_mentions(archive: Archive, keywords: KeywordSet, group_id: str, term: str, since: datetime,
                       until: datetime) -> tuple[list[MentionRow], int, int, float]:
    """The mentions of ``term`` (of ``group_id`` in ``keywords``) said in ``[since, until)``, in order, with the
    recordings and segments read and the seconds it took."""
    started = time.perf_counter()
    group = keywords.group(group_id)
    matcher = Matcher(KeywordSet(groups=(group,), threshold=keywords.threshold,
                                 derive_thresholds=keywords.derive_thresholds, source=keywords.source))
    spellings = {i for i, s in enumerate(matcher.spellings) if s.keyword == term}
    narrowing = Narrowing(matcher)
    filters = Filters(since=since, until=until)
    recordings = archive.recordings_with_text(filters)
    read = 0
    found: list[MentionRow] = []
    for start in range(0, len(recordings), BATCH_RECORDINGS):
        rows = archive.texts_said(recordings[start:start + BATCH_RECORDINGS], filters)
        read += len(rows)
        if not rows:
            continue
        # Only the windows that reached one of this term's spellings: the group's other terms are
        # read only where they overlap it (and the matcher settles which one counts).
        spans = narrowing.hot_segments(rows).spans
        hot = {i for span in spans if span.spelling in spellings
               for i in range(span.first_segment, span.last_segment + 1)}
        if not hot:
            continue
        said = {segment_id for segment_id, _, _ in rows}  # a neighbour may be said outside the range
        for block in _consecutive(archive.segments_by_id(hot, neighbours=1)):
            found += [m for m in find_in_segments(matcher, block) if m.keyword == term and m.segment_id in said]
    return found, len(recordings), read, time.perf_counter() - started


def _consecutive(segments: Sequence[dict]) -> list[list[dict]]:
    """Runs of segments of one recording with consecutive ids (ids follow time within a recording)."""
    runs: list[list[dict]] = []
    for segment in segments:
        if runs and runs[-1][-1]["recording_id"] == segment["recording_id"] and runs[-1][-1]["id"] + 1 == segment["id"]:
            runs[-1].append(segment)
        else:
            runs.append([segment])
    return runs


__all__ = ["EXAMPLES", "PREVIEW_DAYS", "Preview", "edited_keywords", "find_term_mentions", "preview_term"]
