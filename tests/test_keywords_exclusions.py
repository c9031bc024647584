"""A term's ``exclude`` is a property of the words, wherever a window's edges fall.

The near-miss search (rescoring's and ``keywords suggest``'s) lets a window
start or end on a stopword ("O las públicas"); an exclusion must keep out
the same words with a stopword beside them: "Morelos y" is Morelos, "En
León se" is León. Mentions (the matcher as configured) never start or end
on a stopword their spelling lacks, so they are unchanged.
"""

from __future__ import annotations

import pytest

from radiomon.keywords import Group, KeywordSet, Matcher, Term, words_from_text
from radiomon.keywords.near_misses import RESCORE_NEAR_MISSES, SUGGEST_NEAR_MISSES, suggest_near_misses
from radiomon.pipeline.match.near_misses import near_misses_in
from radiomon.pipeline.transcribe.rescore import Rescorer
from radiomon.transcript import Word


def keywords(*, exclude: bool = True) -> KeywordSet:
    """Moroleón as the bundled keywords.yml has it (Nemoreón, a mishearing, is close to "en León")."""
    return KeywordSet(groups=(
        Group("municipio", terms=(Term("Moroleón", aliases=("Moro León", "Nemoreón"), threshold=80,
                                       exclude=("León", "Morelos") if exclude else ()),)),
        Group("colonias", terms=(Term("Juárez", threshold=90, exclude=("Benito Juárez",) if exclude else ()),)),
    ))


EXCLUDED = keywords()
PLAIN = keywords(exclude=False)


def near(matcher: Matcher, text: str) -> list[tuple[str, str]]:
    return [(m.keyword, m.matched) for m in matcher.find_mentions(words_from_text(text, 0, 10))]


def timed(text: str) -> tuple[Word, ...]:
    return tuple(Word(f" {w}", 10 + 0.5 * i, 10.4 + 0.5 * i, 0.5) for i, w in enumerate(text.split()))


def segment(text: str) -> dict:
    """A segment as the archive gives it (Archive.segments_by_id)."""
    return {"id": 1, "recording_id": 1, "station": "radio-uno", "epoch0_ms": 0, "text": text,
            "start": 0.0, "end": 10.0, "words": None}


def suggested(text: str, kw: KeywordSet) -> list[tuple[str, str]]:
    strict, loose = Matcher(kw), Matcher(kw, near_miss=SUGGEST_NEAR_MISSES)
    return [(s.keyword, s.heard) for s in near_misses_in(strict, loose, [segment(text)])]


# -- the matcher's near misses -------------------------------------------------------
@pytest.mark.parametrize("options", [RESCORE_NEAR_MISSES, suggest_near_misses(20)], ids=["rescore", "suggest"])
@pytest.mark.parametrize("text", ["Morelos y", "En León se", "Llueve en Morelos y en León."])
def test_an_excluded_look_alike_with_a_stopword_beside_it_is_no_near_miss(options, text):
    assert near(Matcher(PLAIN, near_miss=options), text) != []  # without the exclusions they are near misses
    assert near(Matcher(EXCLUDED, near_miss=options), text) == []


@pytest.mark.parametrize("before", ["", "en", "y la", "de"])
@pytest.mark.parametrize("after", ["", "y", "se", "a la"])
@pytest.mark.parametrize("look_alike", ["León", "Morelos"])
def test_an_excluded_look_alike_is_no_near_miss_whatever_stopwords_stand_beside_it(before, look_alike, after):
    # Every window here is the look-alike, with or without stopwords at its edges.
    assert near(Matcher(EXCLUDED, near_miss=RESCORE_NEAR_MISSES), f"{before} {look_alike} {after}") == []


def test_a_longer_exclusion_covers_a_near_miss_ending_on_a_stopword():
    # "Juárez y" is 92 alike to Juárez: a near miss, unless "Benito Juárez" is what was said.
    loose = Matcher(EXCLUDED, near_miss=RESCORE_NEAR_MISSES)
    assert near(loose, "la calle Benito Juárez y la plaza") == []
    assert near(Matcher(PLAIN, near_miss=RESCORE_NEAR_MISSES), "la calle Benito Juárez y la plaza") != []


def test_text_score_applies_the_exclusion_to_the_words_too():
    def moro_leon(kw: KeywordSet) -> float:
        loose = Matcher(kw, near_miss=RESCORE_NEAR_MISSES)
        [spelling] = [s for s in loose.spellings if s.pattern.text == "Moro León"]
        return loose.text_score(spelling, "Morelos y")

    assert moro_leon(PLAIN) > 0
    assert moro_leon(EXCLUDED) == 0


def test_near_misses_that_are_no_exclusion_are_still_found():
    # The words alone are Moroleón more than they are Morelos (Morreón) or
    # Morena (Moreón, 86 alike to Moroleón, 83 to Morena).
    moreon = Matcher(KeywordSet(groups=(Group("municipio", terms=(
        Term("Moroleón", threshold=95, exclude=("León", "Morena")),)),)), near_miss=RESCORE_NEAR_MISSES)
    assert near(moreon, "el camino de Moreón a Uriangato") == [("Moroleón", "Moreón")]
    assert near(Matcher(EXCLUDED, near_miss=RESCORE_NEAR_MISSES), "llegó a Morreón y se fue") == [
        ("Moroleón", "Morreón")]


# -- mentions are unchanged -------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("hoy en Moro León y en Moroleón", [("Moroleón", "Moro León"), ("Moroleón", "Moroleón")]),
    ("Llueve en Morelos y en León.", []),
    ("la calle Benito Juárez y la colonia Juárez", [("Juárez", "Juárez")]),
    ("en Nemoreón se", [("Moroleón", "Nemoreón")]),
])
def test_mentions_are_what_they_were(text, expected):
    assert near(Matcher(EXCLUDED), text) == expected


# -- rescoring and suggest --------------------------------------------------------------
@pytest.mark.parametrize("text", ["Llueve en Morelos y en León.", "Dijo que en León se vive bien.",
                                  "En León se jugará la final."])
def test_rescoring_never_proposes_an_excluded_look_alike(text):
    assert Rescorer.for_keywords(PLAIN).proposals(timed(text)) != []  # a near miss without the exclusions
    assert Rescorer.for_keywords(EXCLUDED).proposals(timed(text)) == []


def test_rescoring_never_proposes_a_longer_exclusion_either():
    # Without the exclusion "Juárez" counts (nothing to ask); with it, "Juárez y" must not be asked about.
    assert Rescorer.for_keywords(EXCLUDED).proposals(timed("Vive en la calle Benito Juárez y la plaza.")) == []


@pytest.mark.parametrize("text", ["Llueve en Morelos y en León.", "Vive en la calle Benito Juárez y la plaza.",
                                  "Dijo que en Morelos se vive bien."])
def test_suggest_never_lists_an_excluded_look_alike(text):
    assert suggested(text, EXCLUDED) == []


def test_suggest_lists_the_look_alike_until_it_is_excluded():
    assert suggested("Dijo que en Morelos se vive bien.", PLAIN) != []
    assert suggested("Dijo que en Morelos se vive bien.", EXCLUDED) == []
