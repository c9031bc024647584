"""What was heard: a :class:`Word` with its times, a :class:`Segment` of them.

One pair of value types for every stage that handles transcribed speech:
the engines produce them, the guards and keyword rescoring rewrite them,
the matcher reads words, the archive stores segments and hands them back.
Times are seconds into the recording (or any clock the caller shares
between the words it passes together).

Every transcribed text enters the archive as a :class:`Segment`, so that is
where text is made clean (:func:`clean_text`), whether an engine wrote it or
an imported JSON file carried it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, NamedTuple

# Characters no transcript means: C0 and C1 controls (and DEL), lone
# surrogates (JSON can escape half an emoji; SQLite cannot store it) and the
# two non-characters XML forbids. An imported JSON transcript once carried
# "\x01" (the re-match's own separator), "\x02"/"\x03" (illegal in the XML
# of a DOCX) and ESC (a terminal escape sequence in `radiomon search`).
_UNCLEAN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = frozenset("\t\n\v\f\r")  # line breaks and tabs still separate words


def _replace(match: re.Match) -> str:
    return " " if match.group() in _SPACES else ""


def clean_text(text: str) -> str:
    """``text`` without control characters (tabs and line breaks become
    spaces), lone surrogates or non-characters, in Unicode NFC (so "ó" typed
    as "o" + combining accent is the same "ó" that search and matching see)."""
    if _UNCLEAN.search(text) is not None:
        text = _UNCLEAN.sub(_replace, text)
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


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

    def __post_init__(self) -> None:
        # Every transcript text becomes a Segment before it is stored: cleaned here, once.
        text = clean_text(self.text)
        if text != self.text:
            object.__setattr__(self, "text", text)
        joined = "".join(w.text for w in self.words)
        if self.words and clean_text(joined) != joined:
            object.__setattr__(self, "words", _clean_words(self.words))


def _clean_words(words: tuple[Word, ...]) -> tuple[Word, ...]:
    """The words with clean text; a word that was nothing but control characters is dropped."""
    cleaned = []
    for word in words:
        text = clean_text(word.text)
        if text == word.text:
            cleaned.append(word)
        elif text.strip():
            cleaned.append(word._replace(text=text))
    return tuple(cleaned)


__all__ = ["Segment", "Word", "clean_text"]
