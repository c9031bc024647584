"""Near misses: words that come close to a term without counting.

The matcher finds them with :class:`NearMissOptions`, its own rules
loosened; keyword rescoring (radiomon/pipeline/transcribe/rescore.py) asks
Whisper about them, ``radiomon keywords suggest``
(radiomon/pipeline/match/near_misses.py) lists them for people to tune
keywords.yml.
"""

from __future__ import annotations

from dataclasses import dataclass


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


__all__ = ["NearMissOptions"]
