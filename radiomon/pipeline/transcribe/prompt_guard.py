"""The vocabulary prompt written instead of what was said (pure functions, no model).

The prompt (vocabulary.py: "Noticias locales: Moroleón, DIF, … y Obras
Públicas.") teaches Whisper how the office's names are spelled, but a
decoder unsure of a stretch can write the prompt itself, and each name it
writes would count as a mention. Two ways, each caught here and answered
by decoding the clip again (engines/faster_whisper.py, openai_whisper.py):

* **Echo.** The names written back as a list ("La camésa Rosalba,
  Ledesma, DIF, SAPAP, Pacueco, Corralejo, Pénjamo, DIF": eight of eight),
  decoded again without the prompt (:func:`echoes_prompt`).
* **Copy.** The prompt's text continued over real words: with "… Protección
  Civil y Obras Públicas." as the prompt, "Protección Civil atiende la
  emergencia en la colonia centro" came out as "Protección Civil y Obras
  Públicas.", a crisis term lost, a department gained that nobody named
  (:func:`copied_names`). Decoded again without the names the copy wrote, it
  reads "Protección Civil. Tiene la emergencia en la Colonia Centro.";
  without any prompt, "Protección CV la tiende la emergencia…", the name the
  prompt is for lost instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from radiomon.pipeline.transcribe.guards import in_clip, normalize
from radiomon.pipeline.transcribe.types import Clip
from radiomon.pipeline.transcribe.vocabulary import prompt_sentence
from radiomon.transcript import Segment, Word

# An echo: this many of any run of PROMPT_ECHO_RUN words are the prompt's
# names. A news item that lists towns ("los municipios de Moroleón,
# Uriangato, Yuriria y Salvatierra") has four in seven.
PROMPT_ECHO_RUN = 8
PROMPT_ECHO_NAMES = 5

# A copy runs across two or more of the prompt's names in the prompt's
# order, and the decoder doubts the copied words (0.00, 0.00, 0.15 for "y
# Obras Públicas" above); names said in the prompt's order ("Uriangato,
# Yuriria y Salvatierra" in the news) come out confident. Below this mean
# probability, the words of the run after its first name are a copy, when
# there are at least PROMPT_COPY_WORDS of them: one word is not enough,
# since one term's rare words are adjacent names of the prompt ("…,
# Rosalba, Ledesma, …" for the mayor Rosalba Ledesma, whose surname Whisper
# was 0.39-1.0 sure of when she was named; benchmarks/NOTES.md).
PROMPT_COPY_PROBABILITY = 0.3
PROMPT_COPY_WORDS = 2


@dataclass(frozen=True)
class PromptText:
    """A vocabulary prompt's names, as decoded text is read against them."""

    entries: tuple[str, ...]  # the names as the prompt lists them
    names: frozenset[str]  # their normalized capitalized words (for echoes_prompt)
    words: tuple[str, ...]  # every normalized word of the list, in order
    name_of: tuple[int, ...]  # for each of ``words``, which entry it belongs to; -1 for the "y" before the last

    def without(self, entries: set[int]) -> str | None:
        """The prompt with these entries left out; None when none is left."""
        return prompt_sentence([e for n, e in enumerate(self.entries) if n not in entries])


NO_PROMPT = PromptText((), frozenset(), (), ())


def read_prompt(prompt: str | None) -> PromptText:
    """The names of a vocabulary prompt ("Noticias locales: A, B y C.", vocabulary.prompt_sentence)."""
    if not prompt:
        return NO_PROMPT
    listed = prompt.split(":", 1)[-1].strip().rstrip(".")
    head, _, last = listed.rpartition(" y ")
    entries = [*(n for n in head.split(", ") if n), last] if head else listed.split(", ")
    words: list[str] = []
    name_of: list[int] = []
    for n, entry in enumerate(entries):
        if n and n == len(entries) - 1 and head:
            words.append("y")
            name_of.append(-1)
        for word in normalize(entry).split():
            words.append(word)
            name_of.append(n)
    names = frozenset(normalize(w) for entry in entries for w in entry.split() if w != w.lower())
    return PromptText(tuple(entries), names, tuple(words), tuple(name_of))


def echoes_prompt(words: Sequence[Word], names: frozenset[str]) -> bool:
    """Whether the words hold a run of the prompt's names (see :data:`PROMPT_ECHO_NAMES`)."""
    if not names:
        return False
    hits = [normalize(w.text) in names for w in words]
    return any(sum(hits[i:i + PROMPT_ECHO_RUN]) >= PROMPT_ECHO_NAMES for i in range(len(hits)))


class PromptRun(NamedTuple):
    """Words that repeat the prompt's text across two or more of its names."""

    first: int  # index of its first word in the words read
    length: int  # words
    later: int  # of which words after its first name
    doubt: float  # the mean probability of those (1.0 when none is known)
    entries: frozenset[int]  # the prompt's entries those words are from

    @property
    def copied(self) -> bool:
        return self.doubt < PROMPT_COPY_PROBABILITY and self.later >= PROMPT_COPY_WORDS


def prompt_runs(words: Sequence[Word], prompt: PromptText) -> list[PromptRun]:
    """Each longest run of ``words`` that is also a run of the prompt's words, spanning two names or more."""
    keys = [normalize(w.text) for w in words]
    runs = []
    for i, key in enumerate(keys):
        for j in (j for j, word in enumerate(prompt.words) if word == key):
            if i and j and keys[i - 1] == prompt.words[j - 1]:
                continue  # inside a longer run, counted from its start
            length = 0
            while (i + length < len(keys) and j + length < len(prompt.words)
                   and keys[i + length] == prompt.words[j + length]):
                length += 1
            named = prompt.name_of[j:j + length]
            if len({n for n in named if n >= 0}) < 2:
                continue
            later = [(w.probability, n) for w, n in zip(words[i:i + length], named) if n != named[0]]
            known = [p for p, _ in later if p is not None]
            runs.append(PromptRun(i, length, len(later), sum(known) / len(known) if known else 1.0,
                                  frozenset(n for _, n in later if n >= 0)))
    return runs


def copied_names(words: Sequence[Word], prompt: PromptText) -> set[int]:
    """The prompt's entries that ``words`` copied over what was said (see :data:`PROMPT_COPY_PROBABILITY`):
    those after the first name of each doubted run; none when nothing was copied."""
    return {n for run in prompt_runs(words, prompt) if run.copied for n in run.entries}


def prompt_retries(segments: Sequence[Segment], clips: Sequence[Clip], prompt: PromptText) -> dict[Clip, str | None]:
    """The clips the prompt wrote, each with the prompt to decode it again
    with: none where the names were echoed back; where the prompt's text was
    copied over what was said, the prompt less the names the copy wrote."""
    again: dict[Clip, str | None] = {}
    for clip in clips:
        inside = [s for s in segments if in_clip(s, clip)]
        if any(echoes_prompt(s.words, prompt.names) for s in inside):
            again[clip] = None
        elif copied := set().union(*(copied_names(s.words, prompt) for s in inside)):
            again[clip] = prompt.without(copied)
    return again


def decode_again(segments: Sequence[Segment], again: dict[Clip, str | None],
                 decode: Callable[[list[Clip], str | None], list[Segment]]) -> list[Segment]:
    """``segments`` with those of each clip in ``again`` replaced by
    ``decode(clips, prompt)`` with the prompt given there. A clip that
    copies its shorter prompt too is decoded once more without any."""
    if not again:
        return list(segments)
    kept = [s for s in segments if not any(in_clip(s, c) for c in again)]
    by_prompt: dict[str | None, list[Clip]] = {}
    for clip, text in again.items():
        by_prompt.setdefault(text, []).append(clip)
    for text, clips in by_prompt.items():
        out = decode(clips, text)
        if text is not None:
            still = list(prompt_retries(out, clips, read_prompt(text)))
            if still:
                out = [s for s in out if not any(in_clip(s, c) for c in still)] + decode(still, None)
        kept += out
    return sorted(kept, key=lambda s: s.start)
