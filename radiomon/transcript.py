"""What was heard: a :class:`Word` with its times, a :class:`Segment` of them.

One pair of value types for every stage that handles transcribed speech:
the engines produce them, the guards and keyword rescoring rewrite them,
the matcher reads words, the archive stores segments and hands them back.
Times are seconds into the recording (or any clock the caller shares
between the words it passes together).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple


class Word(NamedTuple):
    """One word as Whisper wrote it (with its leading space) and when it was said.

    A named tuple rather than a dataclass: the matcher makes one per word it
    reads, and a station-year is tens of millions of words.
    """

    text: str
    start: float  # seconds
    end: float
    probability: float | None = None  # Whisper's confidence; None when not decoded (imported, rewritten)
    segment_id: Any = None  # the archive's segment, when words of several segments are read together


@dataclass(frozen=True)
class Segment:
    """One utterance: its text, its times and how Whisper decoded it."""

    start: float  # seconds
    end: float
    text: str
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    compression_ratio: float | None = None  # for the guards; not stored
    words: tuple[Word, ...] = ()


__all__ = ["Segment", "Word"]
