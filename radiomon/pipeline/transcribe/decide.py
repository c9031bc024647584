"""Keyword rescoring's question to the model, and the decision on its answer.

For each proposed :class:`~radiomon.pipeline.transcribe.rewrites.Rewrite`
(:mod:`~radiomon.pipeline.transcribe.rescore` finds them) the engine scores
the sentence holding it as decoded and as rewritten: teacher-forced log
probabilities given that sentence's audio, after the vocabulary prompt with
the one term in question added (:func:`ask`). The question is asked the way
Whisper is biased, by previous text: scored without the term named, the
misheard texts that were the term and the other near misses overlapped
("O las públicas" as Obras Públicas came back at -12.5 nats without the
name, +10.9 with it). Per sentence, not per 30-s window: the rest of a
window, often decoded badly on the voices that need rescoring, moved the
answer by up to 8 nats ("DEF, Nemoreón" as DIF Moroleón: -8.0 in its
window, -0.2 on its sentence).

A rewrite at most :data:`MARGIN` nats below the decoded text is kept; a far
one must be :data:`FAR_GAIN` nats above it; of overlapping rewrites the more
likely wins (:func:`choose`). An answer within :data:`BAND` of its line is
asked again of a scorer whose answer does not depend on the CPU, where one
is given (:func:`settle`). What the model cannot tell apart is an everyday
phrase one word from a term ("salud visual" scored as Salud Municipal at -3
to +5): keywords.yml's ``exclude`` is for that, and excluded words are
never asked about.

Each term is asked with its own prompt, and each near miss with its stopword
variants, so on broadcast audio rescoring costs most of the decoding time
again (benchmarks/NOTES.md); ``transcription.rescore: false`` gives it back.
"""

from __future__ import annotations

from typing import Callable, Sequence

from radiomon.pipeline.transcribe.rewrites import Rewrite, apply, sentences, shifted, text_of
from radiomon.pipeline.transcribe.types import Clip
from radiomon.pipeline.transcribe.vocabulary import naming
from radiomon.transcript import Segment, Word

# (a segment's stretch of the audio, texts, the prompt before them) → each
# text's token log probabilities given that audio.
Scorer = Callable[[Clip, Sequence[str], str], Sequence[Sequence[float]]]

# Nats (natural log of probability) a rewrite may fall below the decoded
# text: told the name, the model finds it about as likely as what it wrote.
# Of the rewrites kept between -6 and -4.5 on the mentions evaluation's four
# seeds 11 were false ("altares" as alcaldesa, "servicios médicos" as
# Servicios Municipales, "la vía pública" as Seguridad Pública) and 2 true
# ("Camilo" as cabildo); between -4.5 and -3.5, 3 of 4 were true.
MARGIN = 4.5
# Nats by which a far near miss must be *more* likely than the decoded text:
# the model must prefer the name. The everyday words far near misses are
# made of come close: asking -2 let in "Desde Moroleón, Guanajuato" as DIF
# Moroleón and "obliga a las" as La Piedad.
FAR_GAIN = 2.0
# Nats either side of -MARGIN and FAR_GAIN within which an answer of the
# int8 model is not trusted to decide: CTranslate2's int8 kernels differ by
# instruction set and BLAS backend (CT2_FORCE_CPU_ISA, CT2_USE_MKL), and one
# question moves by up to 3 nats between them ("Sembaya de Santiago." as
# Valle de Santiago: -4.39 with AVX2, below -4.5 with AVX-512). Within it
# the question is asked again in float32, whose answer is the same on every
# instruction set; about one question in ten (tests/test_rescore_backends.py).
BAND = 1.0


def ask(segment: Segment, words: Sequence[Word], spelled: bool, rewrites: Sequence[Rewrite], score: Scorer,
        prompt: str | None, only: Sequence[int] | None = None) -> dict[int, float]:
    """How many nats more likely each rewrite (by index; those in ``only``,
    default all) is than the decoded text, by ``score``. Each sentence is
    asked about on its own audio (where the words are timed: ``spelled``),
    and each term with that term added to ``prompt``."""
    wanted = range(len(rewrites)) if only is None else only
    gains: dict[int, float] = {}
    sentence = sentences(words) if spelled else [0] * len(words)
    for number in dict.fromkeys(sentence[rewrites[i].first] for i in wanted):
        first = sentence.index(number)
        last = len(sentence) - 1 - sentence[::-1].index(number)
        part = words[first:last + 1]
        clip = Clip(part[0].start, part[-1].end) if spelled else Clip(segment.start, segment.end)
        here = [i for i in wanted if sentence[rewrites[i].first] == number]
        for spelling in dict.fromkeys(rewrites[i].spelling for i in here):
            asked = [i for i in here if rewrites[i].spelling == spelling]
            texts = [text_of(part)] + [text_of(apply(part, [shifted(rewrites[i], -first)])) for i in asked]
            logprobs = list(score(clip, texts, naming(prompt, spelling)))
            for i, lp in zip(asked, logprobs[1:]):
                gains[i] = sum(lp) - sum(logprobs[0])
    return gains


def near_the_line(rewrite: Rewrite, gain: float, margin: float = MARGIN, far_gain: float = FAR_GAIN,
                  band: float = BAND) -> bool:
    """Whether ``gain`` lies within ``band`` of the line ``rewrite`` is held to (pure)."""
    return abs(gain - (far_gain if rewrite.far else -margin)) <= band


def settle(segment: Segment, words: Sequence[Word], spelled: bool, rewrites: Sequence[Rewrite], score: Scorer,
           prompt: str | None, recheck: Scorer | None = None) -> list[float]:
    """Each rewrite's gain by ``score``; those :func:`near_the_line` asked
    again of ``recheck`` (if given) and taken from its answer."""
    gains = ask(segment, words, spelled, rewrites, score, prompt)
    close = [i for i, r in enumerate(rewrites) if near_the_line(r, gains[i])]
    if recheck is not None and close:
        gains.update(ask(segment, words, spelled, rewrites, recheck, prompt, only=close))
    return [gains[i] for i in range(len(rewrites))]


def choose(rewrites: Sequence[Rewrite], gains: Sequence[float], margin: float = MARGIN,
           far_gain: float = FAR_GAIN) -> list[Rewrite]:
    """The rewrites to apply (pure): those within ``margin`` nats of the
    decoded text (far ones: ``far_gain`` above it), the most likely first,
    none overlapping another."""
    kept: list[Rewrite] = []
    for gain, r in sorted(zip(gains, rewrites), key=lambda gr: -gr[0]):
        if gain >= (far_gain if r.far else -margin) and not any(r.first <= k.last and k.first <= r.last for k in kept):
            kept.append(r)
    return sorted(kept, key=lambda r: r.first)
