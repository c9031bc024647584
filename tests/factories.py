"""What the tests put in an archive: words, segments, a recording on air, and the afternoon it aired.

Plain functions, no fixtures: a test states the values its expectations depend
on (a word's probability, a leading space, where the words fall) and takes the
defaults for the rest.

``START``           2026-11-25 20:00 UTC, 14:00 in Moroleón.
``words``           Whisper-like words: one per whitespace-separated token,
                    a word every ``step`` seconds, 80 % of it long (or
                    ``length``), with the leading space Whisper gives them.
``spread_words``    words covering ``[start, end]`` evenly, each ending where
                    the next begins.
``segment``         a :class:`~radiomon.transcript.Segment`; without ``end``
                    it ends with its last word (or 5 s after ``start``).
``spoken``          a segment of ``text`` with its words timed by ``words``,
                    or with ``spread=True`` by ``spread_words``.
``on_air``          a recording of a station added to an archive with its
                    segments stored; returns its id.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

from radiomon.archive import Archive
from radiomon.transcript import Segment, Word

START = datetime(2026, 11, 25, 20, 0, tzinfo=timezone.utc)  # 14:00 in Moroleón


def words(text: str, start: float = 0.0, step: float = 0.5, *, length: float | None = None, probability: float = 0.9,
          space: str = " ") -> tuple[Word, ...]:
    """A word every ``step`` seconds from ``start``, each ``length`` long (``0.8 * step``), ``space`` before each."""
    if length is None:
        length = step * 0.8
    return tuple(Word(f"{space}{token}", start + step * i, start + step * i + length, probability)
                 for i, token in enumerate(text.split()))


def spread_words(text: str, start: float, end: float, *, probability: float = 0.9,
                 space: str = "") -> tuple[Word, ...]:
    """The tokens of ``text`` sharing ``[start, end]`` equally, back to back."""
    tokens = text.split()
    step = (end - start) / len(tokens)
    return tuple(Word(f"{space}{token}", start + i * step, start + (i + 1) * step, probability)
                 for i, token in enumerate(tokens))


def segment(text: str, start: float, end: float | None = None, *, words: Iterable[Word] = (), **fields) -> Segment:
    """``fields``: the rest of Segment's (avg_logprob, no_speech_prob, compression_ratio)."""
    words = tuple(words)
    if end is None:
        end = words[-1].end if words else start + 5
    return Segment(start, end, text, words=words, **fields)


def on_air(archive: Archive, segments: Iterable[Segment], start: datetime = START, station: str = "radio-uno", *,
           duration: float | None = None, folder: str = "") -> int:
    """A recording of ``station`` from ``start`` (file ``<folder><station>-<start>.mp3``) with ``segments`` stored."""
    recording_id, _ = archive.add_recording(
        station=station, start=start, duration=duration, path=f"{folder}{station}-{start:%Y%m%d%H%M%S}.mp3"
    )
    archive.replace_segments(recording_id, list(segments))
    return recording_id


def spoken(text: str, start: float = 0.0, end: float | None = None, *, step: float = 0.5, length: float | None = None,
           probability: float = 0.9, space: str = " ", spread: bool = False, **fields) -> Segment:
    """:func:`segment` with word timestamps: a word every ``step`` seconds, or spread over ``[start, end]``."""
    if spread:
        timed = spread_words(text, start, end, probability=probability, space=space)
    else:
        timed = words(text, start, step, length=length, probability=probability, space=space)
    return segment(text, start, end, words=timed, **fields)
