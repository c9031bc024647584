"""Keyword rescoring: ask Whisper whether a near miss was the keyword.

Whisper base writes what it finds most likely, and on a voice it hears
badly a name it was never trained on loses by a hair: "un tráiler volcó
cerca de acámbalo", "Muyangato", "O las públicas" (Obras Públicas). The
matcher cannot forgive those spellings without also taking in real Spanish
words ("acabar" for Acámbaro), so the model that heard the audio decides:

1. Near misses: the heard words that come within :data:`REACH` points of a
   term's threshold without reaching it (the matcher with lowered
   thresholds, its exclusions included, and windows allowed to start or end
   on a stopword and to hold two words more than the name: Whisper splits a
   name it does not know at syllables that are words, "a cámbalo", "cuite
   o", "Se muñe a publicar"), within one sentence, at most
   :data:`MAX_PROPOSALS` a sentence. An acronym inside a longer term may be
   one letter off ("DEF Moroleón"), and such a term may take in a mention
   it contains. Spellings of :data:`~radiomon.keywords.patterns.SHORT_LENGTH`
   letters or fewer are left out ("NIF" is not a near miss of DIF, it is
   another word), and so are words Whisper wrote with a probability of
   :data:`CONFIDENT` or more, and a name of several words whose near miss
   ends on a word Whisper was sure of that looks nothing like the name's
   last word (:data:`SURE`: "servicios médicos" is an everyday phrase, not
   Servicios Municipales). Each near miss is also proposed with up to
   :data:`EDGE_BEFORE` / :data:`EDGE_AFTER` stopwords next to it taken in,
   and the model chooses. A near miss only a farther word anchors
   (:data:`ANCHOR_REACH`: "la cama lo" for Acámbaro) is *far*, and so is
   a name of several words that Whisper glued into one word, which only
   the name glued anchors ("Oraspúricas" for Obras Públicas, "Neyfemoreón"
   for DIF Moroleón read out; the matcher's ``glued``). Near misses of
   different terms over the same words are all asked about ("Neyfé
   municipal" may be DIF municipal or Tesorería Municipal). Four more ways
   Whisper loses a name, each asked about as one more spelling:
   an acronym read out letter by letter ("de i efe Moroleón", written "NEF
   Moroleón" or "Neyépe Moroleón"), compared by the sound of its letter
   names; an acronym cut short ("SAP" for SAPAP, :data:`SHORTENED_MIN`),
   far; a common noun's other forms ("Aregimos a" is closest to
   "regidores" by letters, and was "regidora"), within :data:`ALIAS_SLACK`
   points; and a "de" glued to the name ("necuite o" for "de Cuitzeo").
2. The model that heard the audio is asked about each, and decides
   (:mod:`~radiomon.pipeline.transcribe.decide`: told the name, is the
   rewrite about as likely as what it wrote?); the accepted rewrites are
   written into the segment (:mod:`~radiomon.pipeline.transcribe.rewrites`).

This is n-best rescoring with contextual biasing, a usual way of steering
speech recognition towards known names; the transcript then reads the
name, so search and every later re-match see it too.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from rapidfuzz import fuzz

from radiomon.keywords.common_words import STOPWORDS
from radiomon.keywords.derive import packaged_lexicon
from radiomon.keywords.matcher import Matcher, Mention
from radiomon.keywords.near_misses import RESCORE_NEAR_MISSES as NEAR_MISSES
from radiomon.keywords.normalize import Token, normalize_word, tokenize_words
from radiomon.keywords.patterns import compile_pattern, similarity, window_pattern
from radiomon.keywords.phonetic import word_key
from radiomon.pipeline.transcribe.decide import FAR_GAIN, MARGIN, Scorer, choose, settle
from radiomon.pipeline.transcribe.rewrites import (
    Rewrite,
    apply,
    bare,
    rewritten,
    sentences,
    spells,
    text_of,
    trailing_punctuation,
    words_of,
)
from radiomon.pipeline.transcribe.vocabulary import ORDINARY_RANK
from radiomon.transcript import Segment, Word

# Names other modules import from here.
__all__ = ["FAR_GAIN", "MARGIN", "NEAR_MISSES", "Rescorer", "Rewrite", "Scorer", "apply", "choose",
           "rewritten"]

log = logging.getLogger(__name__)

# Near misses asked about per sentence at most (each with its stopword
# variants), best matcher scores first: a sentence full of them is bad audio,
# not many keywords. Per sentence, not per segment: a batched segment is a
# 30-s window of five or six sentences, and a cap of 6 for all of them left
# true near misses (70-76 alike) unasked behind junk ones.
MAX_PROPOSALS = 3
# Words Whisper wrote with at least this probability are what it heard: on
# the evaluation every near miss that was the term had a word below 0.8,
# while real words close to a term came back at 0.92–1.00 ("mejores" for
# regidores, "registra" for regidora); asking about them only costs time.
CONFIDENT = 0.9

# A near miss that ends on a word Whisper was this sure of, less than
# LAST_WORD_ALIKE alike to the last word of a name of several words, is an
# everyday phrase that shares the name's other words, and is not asked
# about: "servicios médicos" (0.73-0.91 sure; "médicos" 44 alike to
# "municipales") and "desarrollo sostenible" (0.81-0.86; 62) were taken,
# told the name, as Servicios Municipales and Desarrollo Social (-1.8 to
# +3.1 nats) on the evaluation, while the misheard names ended on words
# 75-100 alike ("pulicas", "mullicas") or unsure ones ("Orascullica" 0.30).
SURE = 0.7
LAST_WORD_ALIKE = 70.0

# Points below the near miss's own score at which another spelling of the
# same term is asked about too: its aliases are one term, and the model
# chooses between them ("Aregimos a": regidores 70.6, regidora 62.5; told the
# name, the model found "regidora" 8.3 nats more likely than its own text,
# "regidores" 2.0 less).
ALIAS_SLACK = 10.0
# Letters a word must have beyond a name it holds for a longer term to be
# asked about in it: "Neyfemoreón" counts as Moroleón, and may be DIF
# Moroleón glued into one word.
GLUED_MORE = 3
# The word said before a name that Whisper most often glues to it: "de
# Cuitzeo" heard "necuite o" (+5.3 nats as "de Cuitzeo", -3.5 as "Cuitzeo").
PARTICLES = ("de", "del")

# Stopwords before and after a near miss that a rewrite may take in too:
# Whisper splits a name it does not know at a syllable that is a word ("O
# las públicas", "a cámbalo", "me cuite o"), and the matcher's windows never
# start or end on such a word. Not one Whisper wrote with CONFIDENT
# probability or more: that one was said ("El" at 0.98 in "El Camilo"), and
# each such variant cost a scoring pass to lose by 3 to 12 nats.
EDGE_BEFORE = 2
EDGE_AFTER = 1

# Letters at least of a word in capitals that Whisper wrote for the start of
# a longer acronym it does not know: "El SAP informa" for SAPAP, with "SAP"
# at 0.01 probability. The matcher compares a word this short only exactly
# (SHORT_LENGTH), so it is no near miss there; it is asked about here, as a
# far one (the model must prefer the acronym).
SHORTENED_MIN = 3


@dataclass(frozen=True)
class Rescorer:
    """The keyword set compiled twice: as the matcher reports it, and with
    its thresholds lowered by :data:`REACH` to find near misses; and the
    vocabulary prompt the transcription was decoded with."""

    strict: Matcher
    loose: Matcher
    prompt: str | None = None

    @classmethod
    def for_keywords(cls, keywords, prompt: str | None = None) -> "Rescorer":
        return cls(Matcher(keywords), Matcher(keywords, near_miss=NEAR_MISSES), prompt)

    def proposals(self, words: Sequence[Word]) -> list[Rewrite]:
        """Near misses in a segment's words that the matcher does not report,
        each also with the stopwords at its edges taken in (pure)."""
        found = self.strict.find_mentions(words)
        sentence = sentences(words)
        near = [
            m for m in self.loose.find_mentions(words)
            if not compile_pattern(m.spelling).short
            # A name is said within a sentence ("foro! En" is not Moro León).
            and sentence[m.first_word_index] == sentence[m.last_word_index]
            # Words that already count stay as heard, unless the near miss
            # is a longer term around them ("DEF Moroleón" for DIF Moroleón).
            and not any(_overlap(m, f) and not _around(m, f, words) for f in found)
            and not all((w.probability or 0.0) >= CONFIDENT for w in words[m.first_word_index:m.last_word_index + 1])
            and not _everyday_word(words[m.first_word_index:m.last_word_index + 1])
        ]
        near.sort(key=lambda m: -m.score)
        per_sentence: Counter[int] = Counter()
        asked = []
        for m in near:
            per_sentence[sentence[m.first_word_index]] += 1
            if per_sentence[sentence[m.first_word_index]] <= MAX_PROPOSALS:
                said = words[m.first_word_index:m.last_word_index + 1]
                tokens = tokenize_words([w.text for w in said])
                far = not self._anchored(m, tokens) or self._spelled_only(m, said)
                spellings = [s for s in self._spellings(m, tokens) if not _ends_otherwise(s, tokens, said)]
                asked.append((m, far, spellings))
        taken = {i for f in found for i in range(f.first_word_index, f.last_word_index + 1)}
        return [
            Rewrite(first, last, spelling, m.keyword, m.group_id, m.score, far=far, particle=particle)
            for m, far, spellings in asked
            for spelling in spellings
            for first in _edges(words, m.first_word_index, -1, EDGE_BEFORE, taken)
            for last in _edges(words, m.last_word_index, +1, EDGE_AFTER, taken)
            for particle in _particles(words, first, spelling)
        ] + self._shortened(words, taken)

    def _shortened(self, words: Sequence[Word], taken: set[int]) -> list[Rewrite]:
        """Words in capitals that are the start of a longer acronym of
        keywords.yml, Whisper unsure of them (:data:`SHORTENED_MIN`): "SAP"
        for SAPAP. Pure."""
        out = []
        for i, word in enumerate(words):
            heard = bare(word.text)
            if (i in taken or len(heard) < SHORTENED_MIN or not heard.isalpha() or not heard.isupper()
                    or (word.probability or 0.0) >= CONFIDENT):
                continue
            for s in self.strict.spellings:
                acronym = s.pattern.text
                if acronym.isalpha() and acronym.isupper() and len(acronym) > len(heard) + 1 \
                        and acronym.startswith(heard):
                    out.append(Rewrite(i, i, acronym, s.keyword, s.group_id, fuzz.ratio(heard, acronym), far=True))
        return out

    def _spellings(self, near: Mention, tokens: Sequence[Token]) -> list[str]:
        """The near miss's spelling and, for a term in lowercase, its other
        lowercase spellings within :data:`ALIAS_SLACK` points of it for the
        same words (``tokens``, the near miss's words normalized): "Aregimos
        a" is closest to "regidores" by letters, but it was "regidora".

        Only lowercase: those are a common noun's forms (gender, number), and
        the model chooses between them. A capitalized alias is another way to
        write a name, or a mishearing kept so the matcher forgives it
        ("Nemoreón", "Moroleon"): asked about, the model finds the mishearing
        about as likely as what it heard ("En León" as Nemoreón, -5 nats),
        which is no evidence for the name."""
        if near.spelling != near.spelling.lower():
            return [near.spelling]
        heard = window_pattern([t.text for t in tokens])
        others = [
            s.pattern.text for s in self.strict.spellings
            if s.keyword == near.keyword and s.group_id == near.group_id and s.pattern.text != near.spelling
            and s.pattern.text == s.pattern.text.lower() and not s.pattern.short
            and similarity(heard, s.pattern) >= near.score - ALIAS_SLACK
        ]
        return [near.spelling, *dict.fromkeys(others)]

    def _anchored(self, near: Mention, tokens: Sequence[Token]) -> bool:
        """Whether one of the near miss's words (``tokens``, normalized)
        anchors its spelling at the matcher's own anchor score."""
        return any(
            self.strict.spellings[i].pattern.text == near.spelling and self.strict.spellings[i].keyword == near.keyword
            for token in tokens for i in self.strict.anchors(token.text)
        )

    def _spelled_only(self, near: Mention, said: Sequence[Word]) -> bool:
        """Whether the near miss (its words ``said``) comes close only as its
        acronym read letter by letter. Such a near miss is far: "Desnemos Moroleón" (desde
        Moroleón) is as close to "de i efe Moroleón" as "Neyé Femoreón" is,
        and told the name the model allowed both (-0.7 and +10.7 nats) but
        preferred only the one that was DIF Moroleón."""
        text = " ".join(w.text for w in said)
        return not any(
            s.pattern.text == near.spelling and s.keyword == near.keyword and not s.spelled
            and self.loose.text_score(s, text) > 0
            for s in self.loose.spellings
        )

    def rescore(self, segments: Sequence[Segment], score: Scorer, recheck: Scorer | None = None) -> list[Segment]:
        """``segments`` with the rewrites the engine's ``score`` accepts applied;
        an answer close to the line asked again of ``recheck`` (see
        :func:`~radiomon.pipeline.transcribe.decide.settle`)."""
        out = []
        for segment in segments:
            spelled = spells(segment)  # else the words are the text split, all at the segment's times
            words = words_of(segment, spelled)
            rewrites = self.proposals(words)
            if not rewrites:
                out.append(segment)
                continue
            gains = settle(segment, words, spelled, rewrites, score, self.prompt, recheck)
            accepted = choose(rewrites, gains)
            for r, gain in zip(rewrites, gains):
                heard = words[r.first:r.last + 1]
                log.debug("rescore %r [%s] as %r (%s, %.1f%s) at %.1f s: %+.2f nats%s", text_of(heard),
                          " ".join("-" if w.probability is None else f"{w.probability:.2f}" for w in heard),
                          r.spelling, r.group_id, r.score, ", far" if r.far else "", segment.start, gain,
                          ", kept" if r in accepted else "")
            out.append(rewritten(segment, words, accepted, spelled) if accepted else segment)
        return out


def _edges(words: Sequence[Word], at: int, step: int, most: int, taken: set[int]) -> list[int]:
    """``at`` and the indices of up to ``most`` stopwords next to it in
    direction ``step``, within the phrase (no punctuation between) and
    outside the words that already count."""
    out = [at]
    for _ in range(most):
        inner, outer = out[-1], out[-1] + step
        if not 0 <= outer < len(words) or outer in taken:
            break
        if trailing_punctuation(words[min(inner, outer)].text.strip()):
            break
        if normalize_word(words[outer].text.strip()) not in STOPWORDS:
            break
        if (words[outer].probability or 0.0) >= CONFIDENT:
            break
        out.append(outer)
    return out


def _particles(words: Sequence[Word], first: int, spelling: str) -> list[str]:
    """The words to try before the spelling (pure): none, and "de" where
    Whisper may have glued one to the name's first word. That is, the heard
    word starts with the d or n that "de" sounds like to it and the name
    starts with neither ("necuite o" for "de Cuitzeo", "Nemoreón" for "de
    Moroleón"; the n of "Neyéfemoreón" is DIF's own d), and the word before
    is not "de" already."""
    heard = normalize_word(words[first].text.strip())
    name = normalize_word(spelling)
    before = normalize_word(words[first - 1].text.strip()) if first else ""
    if (not heard or not name or heard[0] not in "dn" or name[0] in "dn" or heard in STOPWORDS
            or name.split()[0] in PARTICLES or before in PARTICLES):
        return [""]
    return ["", PARTICLES[0]]


def _overlap(a: Mention, b: Mention) -> bool:
    return a.first_word_index <= b.last_word_index and b.first_word_index <= a.last_word_index


def _around(outer: Mention, inner: Mention, words: Sequence[Word]) -> bool:
    """Whether ``outer`` takes in ``inner``'s words and more, for a longer
    term, and the more is not only stopwords ("de Moroleón" is no near miss
    of DIF Moroleón: nothing was heard for "DIF"); or both are one word with
    :data:`GLUED_MORE` letters or more beyond ``inner``'s name."""
    if len(outer.spelling) <= len(inner.spelling):
        return False
    if outer.first_word_index == inner.first_word_index == outer.last_word_index == inner.last_word_index:
        # One word glued from both: "Neyfemoreón" is Moroleón to the matcher,
        # and its first letters may be DIF read out.
        heard = normalize_word(words[outer.first_word_index].text.strip())
        return len(heard) >= len(normalize_word(inner.spelling).replace(" ", "")) + GLUED_MORE
    more = [normalize_word(w.text.strip()) for i, w in enumerate(words)
            if outer.first_word_index <= i <= outer.last_word_index
            and not inner.first_word_index <= i <= inner.last_word_index]
    return (outer.first_word_index <= inner.first_word_index and inner.last_word_index <= outer.last_word_index
            and any(w and w not in STOPWORDS for w in more))


def _ends_otherwise(spelling: str, tokens: Sequence[Token], said: Sequence[Word]) -> bool:
    """Whether a near miss (its words ``said``, normalized as ``tokens``)
    ends on a word Whisper was sure of (:data:`SURE`) that is less than
    :data:`LAST_WORD_ALIKE` alike to the spelling's last word, both of
    several words: "servicios médicos" is no Servicios Municipales, and
    "desarrollo sostenible" no Desarrollo Social. Pure."""
    name = [t.text for t in tokenize_words(spelling.split()) if t.text not in STOPWORDS]
    heard = [t for t in tokens if t.text not in STOPWORDS]
    if len(name) < 2 or len(heard) < 2:
        return False  # one heard word may hold the whole name ("Oraspúricas")
    last = heard[-1]
    sure = all((w.probability or 0.0) >= SURE for w in said[last.first:last.last + 1])
    alike = max(fuzz.ratio(last.text, name[-1]), fuzz.ratio(word_key(last.text), word_key(name[-1])))
    return sure and alike < LAST_WORD_ALIKE


def _everyday_word(said: Sequence[Word]) -> bool:
    """Whether a near miss (its words ``said``) is one frequent Spanish word
    (among the packaged list's ORDINARY_RANK most frequent) that Whisper
    wrote with :data:`SURE` probability or more: then it is that word.
    "la universidad tecnológica" (0.81 to 0.83 sure) was taken, told the
    name, as "la universidad Ecología" (+10 and +11 nats), while the
    one-word names rescoring did recover on the evaluation were made-up
    words or unsure ones ("Camilo" for cabildo at 0.24 to 0.63). One word
    alone: a name split into pieces may hold everyday ones ("la cama lo"
    for Acámbaro). Pure."""
    if len(said) != 1 or (said[0].probability or 0.0) < SURE:
        return False
    return packaged_lexicon().rank(normalize_word(said[0].text.strip())) < ORDINARY_RANK
