"""Near misses: words that come close to a term without counting.

The matcher finds them with :class:`NearMissOptions`, its own rules
loosened. Two presets: :data:`RESCORE_NEAR_MISSES`, what keyword rescoring
(radiomon/pipeline/transcribe/rescore.py) asks Whisper about, and
:func:`suggest_near_misses`, what ``radiomon keywords suggest``
(radiomon/pipeline/match/near_misses.py) lists for people to tune
keywords.yml: the same ways of losing a name, nearer the thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class NearMissOptions:
    """How far past the matcher's own rules to look, to find *near misses*
    rather than mentions: words that come close to a term without counting.
    Transcription's keyword rescoring (radiomon/pipeline/transcribe/rescore.py)
    asks Whisper whether each was the term ("O las públicas" may be Obras
    Públicas, "a cámbalo" Acámbaro, "DEF Moroleón" DIF Moroleón). The
    defaults are the matcher's own rules: nothing more."""

    # Points every term's threshold is lowered by.
    reach: float = 0.0
    # Windows may start or end on a stopword (Whisper splits a name it does
    # not know at a syllable that is a word: "O las públicas").
    stopword_edges: bool = False
    # An acronym inside a longer term may be heard this many letters off, as
    # a word of its length that is not a stopword ("DEF Moroleón").
    acronym_edits: int = 0
    # Points further from a term's words at which a word still anchors it
    # ("zapadecivo", 73 alike, for desaparecido).
    anchor_reach: float = 0.0
    # A term with an acronym is also compared as its acronym read letter by
    # letter ("de i efe Moroleón", heard "NEF Moroleón").
    spelled_acronyms: bool = False
    # One word anchors a term of several words when it is close to them glued
    # together ("Orascullica" for Obras Públicas, "Neyéfemoreón" for DIF
    # Moroleón read letter by letter).
    glued: bool = False
    # A window may hold two words more than the spelling, not one ("Se muñe a
    # publicar" for Seguridad Pública).
    split: bool = False
    # Overlapping near misses of different terms are all kept, each term's
    # best window: the matcher's own rule (the longest term of a group wins)
    # let "Tesorería Municipal" (70.6 alike) hide "DIF municipal" read letter
    # by letter (83.9) over "Neyfé municipal". Whoever asks about them
    # chooses among them.
    every_term: bool = False


# Points below a term's threshold that still make a near miss worth asking
# Whisper about (88 → 68; Moroleón's 80 → 60): the model that heard the
# audio sorts them out.
RESCORE_REACH = 20.0
# Points below the matcher's anchor score (75) at which a heard word still
# anchors a near miss for rescoring: the evaluation's misheard names that the
# model, told the name, preferred to its own text were 66-74 alike word for
# word ("zapadecivo" for desaparecido, "Aguñangato", "cama" in "la cama lo").
ANCHOR_REACH = 10.0
# What rescoring asks about: every way in which Whisper loses a name it was
# not sure of (radiomon/pipeline/transcribe/rescore.py tells them).
RESCORE_NEAR_MISSES = NearMissOptions(
    reach=RESCORE_REACH, stopword_edges=True, acronym_edits=1, anchor_reach=ANCHOR_REACH, spelled_acronyms=True,
    glued=True, split=True, every_term=True)

# Points below each term's threshold at which ``keywords suggest`` lists
# words, unless asked otherwise: a list for people to read must be led by
# real confusions ("colonia" for Ecología, "Morreón" for Moroleón), not by
# the everyday words far from a term that rescoring's reach lets in and the
# model sorts out ("millones" for Moroleón); --reach 20 goes as far as
# rescoring (figures in benchmarks/NOTES.md).
SUGGEST_REACH = 10.0


def suggest_near_misses(reach: float = SUGGEST_REACH) -> NearMissOptions:
    """What ``keywords suggest`` lists: what rescoring looks for within
    ``reach`` points of each threshold, less windows of two words more than
    the name: the narrowing's bounds cover the matcher's windows of n - 1 to
    n + 1 words, and a phrase of two extra words is no alias anyway."""
    return replace(RESCORE_NEAR_MISSES, reach=reach, split=False)


SUGGEST_NEAR_MISSES = suggest_near_misses()


__all__ = ["ANCHOR_REACH", "RESCORE_NEAR_MISSES", "RESCORE_REACH", "SUGGEST_NEAR_MISSES", "SUGGEST_REACH",
           "NearMissOptions", "suggest_near_misses"]
