"""The matcher's input: heard words with their times (:class:`radiomon.transcript.Word`).

The archive stores Whisper's word list per segment (``{"word", "start",
"end", "probability"}``, seconds into the recording); the matcher takes
words of consecutive segments together, each carrying its segment's id, so
a name split across a segment boundary is still found.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from radiomon.keywords.normalize import fold
from radiomon.transcript import Word


def ends_sentence(word: str) -> bool:
    """Whether a word as written ends a sentence (. ? ! …), an abbreviation's
    dot aside ("H.", "Sr.", "Lic."): a name is said within one sentence, so
    the matcher never reads a mention across one ("agua potable. En
    Moroleón" is not Agua Potable de Moroleón)."""
    text = word.strip().rstrip("\"'»)”")
    if text.endswith(("?", "!", "…", "...")):
        return True
    if not text.endswith("."):
        return False
    letters = text[:-1]
    abbreviation = letters.isalpha() and (len(letters) == 1 or (
        len(letters) <= 3 and letters[0].isupper() and letters[1:].islower()))
    return not abbreviation


def words_from_whisper(words: Iterable[Mapping[str, Any]], segment_id: Any = None) -> list[Word]:
    """Words from Whisper's word list (``{"word", "start", "end", ...}``)."""
    return [Word(str(w["word"]), float(w["start"]), float(w["end"]), w.get("probability"), segment_id)
            for w in words]


def spell(words: Iterable[str], text: str) -> bool:
    """Whether Whisper's words (as written) spell ``text`` as the matcher
    reads both: the same folded pieces in the same order. Only then are the
    word times used (radiomon/pipeline/match/core.py's segment_words); transcription's
    keyword rescoring rewrites the word list only then too.

    Words are compared one by one and, failing that, glued as Whisper glues
    them (each carries its own leading space): "D" + ".C." is the text's
    "D.C.", which folds as one acronym. One such word had made a whole 30-s
    window's words count as not spelling it, and the rewrite kept for its
    "acambas lo" (Acámbaro) was lost when captions were cut from the words.
    """
    words = list(words)
    wanted = _pieces(text.split())
    return _pieces(words) == wanted or _pieces("".join(words).split()) == wanted


def _pieces(words: Iterable[str]) -> list[str]:
    return [piece for word in words for piece in fold(word).split()]


def words_from_text(text: str, start: float = 0.0, end: float | None = None, segment_id: Any = None) -> list[Word]:
    """Words of a segment that has no word timestamps (an imported transcript).

    Times are spread evenly over ``start``–``end``: good enough to seek the
    audio to within a few seconds.
    """
    parts = text.split()
    if not parts:
        return []
    end = start if end is None else end
    step = (end - start) / len(parts)
    return [
        Word(part, start + i * step, start + (i + 1) * step, segment_id=segment_id)
        for i, part in enumerate(parts)
    ]
