"""Keyword rescoring: ask Whisper whether a near miss was the keyword.

Whisper base writes what it finds most likely, and on a voice it hears
badly a name it was never trained on loses by a hair: "un tráiler volcó
cerca de acámbalo", "Muyangato", "memorión" (Moroleón). The matcher cannot
forgive those spellings without also taking in real Spanish words
("acabar" for Acámbaro), so the model that heard the audio decides instead:

1. Near misses: the heard words that come within :data:`REACH` points of a
   term's threshold without reaching it (the matcher with lowered
   thresholds, its exclusions and exact-acronym rules included; spellings
   of :data:`~radiomon.keywords.patterns.SHORT_LENGTH` letters or fewer are
   left out: "NIF" is not a near miss of DIF, it is another word; so are
   words Whisper wrote with a probability of :data:`CONFIDENT` or more).
2. For each, the segment's text with the near miss replaced by the
   keywords.yml spelling is scored against the segment's audio by the
   engine (teacher-forced log probability, the vocabulary prompt in front,
   as when it was decoded), and so is the text as decoded.
3. A rewrite whose log probability is at most :data:`MARGIN` below the
   decoded text's is kept: the model finds the keyword about as likely as
   what it wrote, and only lost it in the beam search. Overlapping rewrites:
   the more likely wins.

This is n-best rescoring with a bonus for the office's vocabulary, a usual
way of biasing speech recognition towards known names; the transcript then
reads the name, so search and every later re-match see it too. Rewritten
words take the time span of the words they replace.

The margin was measured on the mentions evaluation (benchmarks/mentions.py,
30 minutes, seven espeak voices): near misses that were the term came back
from +4.9 nats ("acámbalo") to -12 ("cámbalo"), most of them above -8
("Mañeme Santiago" -0.4, "el granito" for El Llanito -3.7, "Camilo" for
cabildo -5.9, "región" for regidora -6.2); those that were other words
mostly fell below -15 ("mejores" as regidores -23, "registra" as regidora
-21, "altales" as alcaldesa -15). A margin of 8 took recall from 0.74 to
0.81 at precision 0.97 (4 nats: 0.78). Two kinds of error remain: a real
word close to a term ("incendiario", 1–2 nats below "incendio": keywords.yml
excludes it, and excluded words are never near misses), and a decode so
wrong that the term beats it ("toqueo" for torneo, rescored as "bloqueo":
+9 nats). Names that Whisper split at a syllable that is a word ("O las
públicas", "cuite o" for Cuitzeo) were tried as near misses too (windows
allowed to start or end on a stopword): the model put them 9–18 nats below
what it wrote, so no recall came of it and they are not proposed.

Cost: a teacher-forced pass of the decoder per text (about 0.2 s for a
30-s clip on two cores), and the encoder only where the batched decode's own
encoder output cannot be reused (faster-whisper keeps it, radiomon/transcribe/
faster_whisper.py). On benchmarks/transcribe.py's 30-minute batch (three
stations of news, human ads and music) the default engine took 103.6 and
119.1 s with rescoring against 95.6 and 101.2 s without (two paired runs:
8–18 % more), at the same peak memory (1185 MB) and a slightly lower WER
(0.245 against 0.249); `transcription.rescore: false` gives the time back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Callable, Sequence

import numpy as np

from radiomon.keywords.matcher import Matcher, Mention
from radiomon.keywords.patterns import compile_pattern
from radiomon.keywords.words import Word as Heard, spell
from radiomon.transcribe.engine import SAMPLE_RATE, Clip, Segment, Word

log = logging.getLogger(__name__)

# Points below a term's threshold that still make a near miss worth asking
# about (88 → 68; Moroleón's 80 → 60).
REACH = 20.0
# Nats (natural log of probability) a rewrite may fall below the decoded text.
MARGIN = 8.0  # see the module doc
# Rewrites scored per segment at most, best matcher scores first: a segment
# full of near misses is bad audio, not many keywords.
MAX_PROPOSALS = 6
# Words Whisper wrote with at least this probability are what it heard: on
# the evaluation every near miss that was the term had a word below 0.8,
# while real words close to a term came back at 0.92–1.00 ("mejores" for
# regidores, "registra" for regidora); asking about them only costs time.
CONFIDENT = 0.9
# Audio kept around a segment that an engine encodes again to score it
# (seconds): word times at a segment's edges run a little early or late.
PAD = 0.3

# (a segment's stretch of the audio, texts) → each text's token log probabilities given that audio.
Scorer = Callable[[Clip, Sequence[str]], Sequence[Sequence[float]]]


@dataclass(frozen=True)
class Rewrite:
    """Words ``first..last`` of a segment replaced by a keywords.yml spelling."""

    first: int
    last: int
    spelling: str
    keyword: str
    group_id: str
    score: float  # the matcher's score of the words heard


@dataclass(frozen=True)
class Rescorer:
    """The keyword set compiled twice: as the matcher reports it, and with
    its thresholds lowered by :data:`REACH` to find near misses."""

    strict: Matcher
    loose: Matcher

    @classmethod
    def for_keywords(cls, keywords) -> "Rescorer":
        return cls(Matcher(keywords), Matcher(keywords, reach=REACH))

    def proposals(self, words: Sequence[Word]) -> list[Rewrite]:
        """Near misses in a segment's words that the matcher does not report (pure)."""
        heard = [Heard(w.word, w.start, w.end) for w in words]
        found = self.strict.find_mentions(heard)
        rewrites = [
            Rewrite(m.first_word_index, m.last_word_index, m.spelling, m.keyword, m.group_id, m.score)
            for m in self.loose.find_mentions(heard)
            if not compile_pattern(m.spelling).short
            and not any(_overlap(m, f) for f in found)  # words that already count stay as heard
            and not all((w.probability or 0.0) >= CONFIDENT for w in words[m.first_word_index:m.last_word_index + 1])
        ]
        rewrites.sort(key=lambda r: -r.score)
        return rewrites[:MAX_PROPOSALS]

    def rescore(self, segments: Sequence[Segment], score: Scorer) -> list[Segment]:
        """``segments`` with the rewrites the engine's ``score`` accepts applied."""
        out = []
        for segment in segments:
            words = _words_of(segment)
            rewrites = self.proposals(words)
            if not rewrites:
                out.append(segment)
                continue
            texts = [_text(words)] + [_text(apply(words, [r])) for r in rewrites]
            logprobs = list(score(Clip(segment.start, segment.end), texts))
            gains = [sum(lp) - sum(logprobs[0]) for lp in logprobs[1:]]
            accepted = choose(rewrites, gains)
            for r, gain in zip(rewrites, gains):
                log.debug("rescore %r as %r (%s, %.1f) at %.1f s: %+.2f nats%s", _text(words[r.first:r.last + 1]),
                          r.spelling, r.group_id, r.score, segment.start, gain, ", kept" if r in accepted else "")
            out.append(rewritten(segment, words, accepted) if accepted else segment)
        return out


def around(audio: np.ndarray, clip: Clip) -> np.ndarray:
    """The samples of ``clip`` and :data:`PAD` around it, for an engine that
    encodes a segment's audio again to score it."""
    start = max(0.0, clip.start - PAD)
    return audio[int(start * SAMPLE_RATE):int((clip.end + PAD) * SAMPLE_RATE)]


def choose(rewrites: Sequence[Rewrite], gains: Sequence[float], margin: float = MARGIN) -> list[Rewrite]:
    """The rewrites to apply (pure): those within ``margin`` nats of the
    decoded text, the most likely first, none overlapping another."""
    kept: list[Rewrite] = []
    for gain, r in sorted(zip(gains, rewrites), key=lambda gr: -gr[0]):
        if gain >= -margin and not any(r.first <= k.last and k.first <= r.last for k in kept):
            kept.append(r)
    return sorted(kept, key=lambda r: r.first)


def apply(words: Sequence[Word], rewrites: Sequence[Rewrite]) -> list[Word]:
    """``words`` with each rewrite's words replaced by its spelling (pure).

    The spelling keeps the punctuation around the words it replaces and the
    capital of the first one; its words share out, by letters, the time the
    replaced words took.
    """
    out: list[Word] = []
    at = 0
    for r in sorted(rewrites, key=lambda r: r.first):
        out.extend(words[at:r.first])
        old = words[r.first:r.last + 1]
        lead = _leading_punctuation(old[0].word.strip())
        trail = _trailing_punctuation(old[-1].word.strip())
        new = r.spelling.split()
        if old[0].word.strip().lstrip(lead)[:1].isupper():
            new[0] = new[0][:1].upper() + new[0][1:]
        new[0] = lead + new[0]
        new[-1] = new[-1] + trail
        start, end = old[0].start, old[-1].end
        total = sum(len(w) for w in new)
        t = start
        for w in new:
            step = (end - start) * len(w) / total
            out.append(Word(" " + w, round(t, 3), round(t + step, 3), None))
            t += step
        at = r.last + 1
    out.extend(words[at:])
    return out


def rewritten(segment: Segment, words: Sequence[Word], rewrites: Sequence[Rewrite]) -> Segment:
    """``segment`` with ``rewrites`` of ``words`` (from :func:`_words_of`) applied."""
    new = apply(words, rewrites)
    # Word times are replaced only where they spelled the text; otherwise the
    # matcher reads the text alone, and so the text alone changes.
    return replace(segment, text=_text(new), words=tuple(new) if _spelled(segment) else segment.words)


def _words_of(segment: Segment) -> list[Word]:
    """The segment's words; without word times, its text split at spaces."""
    if _spelled(segment):
        return list(segment.words)
    return [Word(" " + w, segment.start, segment.end, None) for w in segment.text.split()]


def _spelled(segment: Segment) -> bool:
    """Whether the matcher will read the segment's word list (not its text alone)."""
    return bool(segment.words) and spell((w.word for w in segment.words), segment.text)


def _text(words: Sequence[Word]) -> str:
    return " ".join(w.word.strip() for w in words)


def _overlap(a: Mention, b: Mention) -> bool:
    return a.first_word_index <= b.last_word_index and b.first_word_index <= a.last_word_index


def _leading_punctuation(word: str) -> str:
    return word[:len(word) - len(word.lstrip("¿¡\"'«(“"))]


def _trailing_punctuation(word: str) -> str:
    return word[len(word.rstrip(".,;:!?…\"'»)”")):]
