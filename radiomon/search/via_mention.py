"""Finding what was said, not only what Whisper wrote (pure).

Whisper writes "Morreón" where the announcer said "Moroleón"; the matcher
still flags it as a mention of Moroleón. A query that names a keyword term
therefore also finds the segments with a mention of that term: each such
segment is read as if Whisper had written the term where the matcher heard
it (:func:`as_heard`), and the query must match that reading, so the rest
of the query (other words, phrases, exclusions) still holds. Plain words
search as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from radiomon.search.ranking import tokens, word_spans


def named_terms(words: Sequence[str], spellings: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """The terms whose spelling appears, as a run of whole words, among the
    folded ``words`` of a query; ``spellings`` are ``(term, spelling)`` pairs
    (a term and each of its aliases). Each term once, in ``spellings`` order."""
    found: dict[str, None] = {}
    typed = tuple(words)
    for term, spelling in spellings:
        wanted = tuple(tokens(spelling))
        if wanted and _contains(typed, wanted):
            found[term] = None
    return tuple(found)


def _contains(words: tuple[str, ...], run: tuple[str, ...]) -> bool:
    n = len(run)
    return any(words[i:i + n] == run for i in range(len(words) - n + 1))


def as_heard(text: str, heard: str, term: str) -> str:
    """``text`` with the words the matcher heard as ``term`` written as ``term``;
    the term is appended when the heard words cannot be found again in the text."""
    wanted = tokens(heard)
    if not wanted:
        return f"{text} {term}"
    spans = word_spans(text)
    folded = [word for word, _, _ in spans]
    for i in range(len(folded) - len(wanted) + 1):
        if folded[i:i + len(wanted)] == wanted:
            start, end = spans[i][1], spans[i + len(wanted) - 1][2]
            return f"{text[:start]}{term}{text[end:]}"
    return f"{text} {term}"


__all__ = ["as_heard", "named_terms"]
