"""Keyword rescoring (radiomon/pipeline/transcribe/: rescore.py, rewrites.py, decide.py): near misses,
rewrites, the decision.

The engine's scorer is faked here (texts → log probabilities chosen by the
test); tests/test_transcribe.py runs it with the real model.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import factories
import pytest

from radiomon.keywords import Group, KeywordSet, Term
from radiomon.keywords.matcher import Matcher, NearMissOptions
from radiomon.keywords.words import spell
from radiomon.pipeline.transcribe.decide import FAR_GAIN, MARGIN, choose
from radiomon.pipeline.transcribe.rescore import Rescorer
from radiomon.pipeline.transcribe.rewrites import Rewrite, apply
from radiomon.pipeline.transcribe.rewrites import text_of as _text
from radiomon.pipeline.transcribe.types import Clip
from radiomon.pipeline.transcribe.vocabulary import naming
from radiomon.transcript import Segment, Word

KEYWORDS = KeywordSet(groups=(
    Group("municipio", priority="high", terms=(
        Term("Moroleón", threshold=80, exclude=("León", "Morelia", "Morena")),)),
    Group("dependencias", terms=(Term("DIF Moroleón", aliases=("DIF",)), Term("Obras Públicas"))),
    Group("vecinos", terms=(Term("Acámbaro"), Term("Uriangato"))),
    Group("presidencia", terms=(Term("regidor", aliases=("regidora",)), Term("presidenta municipal"))),
    Group("tesoreria", terms=(Term("Tesorería Municipal"),)),
    Group("colonias", terms=(Term("El Salitre"),)),
))


#: Whisper's probability for every word heard here: under 0.9, above which rescoring leaves a word alone.
HEARD = 0.8
words = partial(factories.words, start=10.0, probability=HEARD)
segment = partial(factories.spoken, start=10.0, probability=HEARD)


@pytest.fixture(scope="module")
def rescorer() -> Rescorer:
    return Rescorer.for_keywords(KEYWORDS)


# -- near misses ------------------------------------------------------------------
def test_a_near_miss_is_proposed_with_its_spelling_and_the_stopwords_next_to_it(rescorer):
    rewrites = rescorer.proposals(words("Un tráiler volcó cerca de acámbalo sin dejar heridos."))
    rewrite = rewrites[0]
    assert (rewrite.first, rewrite.last, rewrite.spelling, rewrite.group_id) == (5, 5, "Acámbaro", "vecinos")
    assert rewrite.score < 88  # the matcher alone does not report it
    # "de" and "sin" may be pieces of the name too ("a cámbalo"); "cerca" and "dejar" are not stopwords.
    assert {(r.first, r.last) for r in rewrites} == {(5, 5), (4, 5), (5, 6), (4, 6)}
    assert {r.spelling for r in rewrites} == {"Acámbaro"}


def test_a_name_split_at_a_stopword_is_a_near_miss(rescorer):
    # Whisper split "Obras" at a syllable that is a word: the window starts on one.
    [rewrite, *_] = rescorer.proposals(words("O las pulicas trabajan en el camino."))
    assert (rewrite.first, rewrite.last, rewrite.spelling) == (0, 2, "Obras Públicas")


def test_stopwords_are_not_taken_in_across_punctuation_or_from_a_mention(rescorer):
    spans = {(r.first, r.last) for r in rescorer.proposals(words("Dijo que sí, acámbalo, a Moroleón."))}
    assert spans == {(3, 3)}  # not "sí, acámbalo" nor "acámbalo, a"
    spans = {(r.first, r.last) for r in rescorer.proposals(words("Vecinos de acámbalo el Salitre."))}
    assert spans == {(2, 2), (1, 2)}  # "el" is part of the mention "el Salitre"


def test_a_near_miss_stays_within_a_sentence_and_each_sentence_gets_its_own_questions(rescorer):
    assert {(p.first, p.last) for p in rescorer.proposals(words("Llegó de Muyan gato ayer."))} >= {(2, 3)}
    assert rescorer.proposals(words("Llegó de Muyan. Gato lo vio.")) == []
    # At most MAX_PROPOSALS near misses a sentence, the closest first (Uriangato, 78, is the fourth) …
    one = {p.keyword for p in rescorer.proposals(words("Acámbalo, Muyangato, Ogras Mulicas, regidoga y el Salitre."))}
    assert one == {"Acámbaro", "Obras Públicas", "regidor"}
    # … but a 30-s segment holds several sentences, and each is asked about.
    two = {p.keyword for p in rescorer.proposals(words("Acámbalo y Muyangato. Ogras Mulicas, regidoga y el Salitre."))}
    assert two == {"Acámbaro", "Uriangato", "Obras Públicas", "regidor"}


def test_an_alias_near_miss_proposes_the_alias(rescorer):
    rewrite = rescorer.proposals(words("Una regidoga propuso ampliar el horario."))[0]
    assert (rewrite.first, rewrite.last, rewrite.spelling, rewrite.keyword) == (1, 1, "regidora", "regidor")


def test_a_near_miss_is_also_asked_as_the_terms_other_spellings_that_come_close(rescorer):
    # "aregimos" is closest to "regidores" by letters, yet it was "regidora":
    # the model chooses between a term's own spellings.
    council = Rescorer.for_keywords(KeywordSet(groups=(
        Group("presidencia", terms=(Term("regidor", aliases=("regidora", "regidores", "concejal")),)),)))
    asked = {p.spelling for p in council.proposals(words("Aregimos a propuso ampliar el horario."))}
    # … but not "concejal": far from the words heard.
    assert asked == {"regidores", "regidor", "regidora"}
    # A name's other spellings are not asked about: an alias in capitals may
    # be a mishearing kept for the matcher, and the model likes those.
    town = Rescorer.for_keywords(KeywordSet(groups=(
        Group("municipio", terms=(Term("Moroleón", aliases=("Moro León", "Nemoreón"), threshold=80),)),)))
    assert {p.spelling for p in town.proposals(words("Vecinos de Morolanes informan."))} == {"Moroleón"}


def test_a_de_that_whisper_glued_to_the_name_is_asked_about_too(rescorer):
    # "necuite o" for "de Cuitzeo": the heard word starts with the d/n of "de".
    lake = Rescorer.for_keywords(KeywordSet(groups=(Group("vecinos", terms=(Term("Cuitzeo"),)),)))
    asked = {(p.first, p.last, p.particle) for p in lake.proposals(words("El lado necuite o registra niveles bajos."))}
    assert asked == {(2, 3, ""), (2, 3, "de")}
    [glued] = [p for p in lake.proposals(words("El lado necuite o registra.")) if p.particle]
    assert _text(apply(words("El lado necuite o registra."), [glued])) == "El lado de Cuitzeo registra."
    # Not after a "de", and not where the name starts with a d or n of its own.
    assert all(not p.particle for p in lake.proposals(words("El lago de necuite o registra.")))
    assert all(not p.particle for p in rescorer.proposals(words("El Neyéfemoreón invita a la jornada.")))
    assert all(not p.particle for p in rescorer.proposals(words("Vecinos de Muyangato reportan.")))
    assert all(not p.particle for p in rescorer.proposals(words("Un tráiler volcó cerca de acámbalo.")))


@pytest.mark.parametrize("text", [
    "El partido Morena presentó a sus candidatos.",  # an exclusion of the term
    "En León se jugará la final.",  # excluded, and too short to be a near miss of anything
    "Para su trámite necesita el NIF.",  # short spellings (DIF) are never near misses
    "Hoy es un buen día para salir.",  # nothing close
])
def test_look_alikes_and_everyday_words_are_not_near_misses(rescorer, text):
    assert rescorer.proposals(words(text)) == []


def test_a_word_farther_from_the_name_proposes_a_far_near_miss(rescorer):
    # "cama" (67 alike) anchors Acámbaro only with ANCHOR_REACH; "acámbalo" (88) anchors it anyway.
    far = rescorer.proposals(words("Un tráiler volcó cerca de la cama lo sin dejar heridos."))
    assert {(p.spelling, p.far) for p in far} >= {("Acámbaro", True)}
    assert {(p.spelling, p.far) for p in rescorer.proposals(words("Cerca de acámbalo."))} == {("Acámbaro", False)}
    # An everyday word gets as close; heard with confidence it is not asked about at all.
    assert {(p.spelling, p.far) for p in rescorer.proposals(words("Salió a caminar."))} == {("Acámbaro", True)}
    sure = tuple(w._replace(probability=0.97) for w in words("Salió a caminar."))
    assert rescorer.proposals(sure) == []


def test_words_the_matcher_already_reports_are_not_proposed_again(rescorer):
    # "Moroleón" and "Opras Pulicas" (88.9) are mentions; "Ogras Mulicas" (81.5) is a near miss.
    assert rescorer.proposals(words("Moroleón informa que Opras Pulicas avanza.")) == []
    proposals = rescorer.proposals(words("Moroleón informa que Ogras Mulicas avanza."))
    assert {(p.first, p.last, p.spelling) for p in proposals} == {(3, 4, "Obras Públicas"), (2, 4, "Obras Públicas")}


def test_a_longer_term_around_a_mention_is_proposed_with_its_acronym_one_letter_off(rescorer):
    # "Moroleón" counts already; "DEF Moroleón" may still be DIF Moroleón.
    proposals = rescorer.proposals(words("El DEF Moroleón invita a la jornada."))
    assert {(p.first, p.last, p.spelling) for p in proposals} == {(1, 2, "DIF Moroleón"), (0, 2, "DIF Moroleón")}
    # A stopword is not a misheard acronym: nothing was heard for "DIF".
    assert rescorer.proposals(words("Comerciantes de Moroleón reportan ventas.")) == []
    # The matcher itself still wants the acronym as written.
    heard = words("El DEF Moroleón invita.")
    assert [m.keyword for m in rescorer.strict.find_mentions(heard)] == ["Moroleón"]


def test_an_acronym_is_one_letter_off_only_in_a_word_of_its_length():
    edits = Matcher(KEYWORDS, near_miss=NearMissOptions(reach=20, acronym_edits=1))
    for text, found in (("El DEF Moroleón invita.", True), ("El DEFE Moroleón invita.", False),
                        ("El NEYF Moroleón invita.", False), ("El NEF Moroleón invita.", False)):
        heard = words(text)
        assert ("DIF Moroleón" in {m.keyword for m in edits.find_mentions(heard)}) == found, text


def test_an_acronym_read_letter_by_letter_is_a_near_miss(rescorer):
    # "DIF" read out as "de i efe": Whisper wrote these on the evaluation's voices.
    for text, heard in (
        ("El NEF Moroleón invita.", "NEF Moroleón"),
        ("El Neyépe Moroleón invita.", "Neyépe Moroleón"),
        ("El Neyé Femoreón invita.", "Neyé Femoreón"),
        ("El Meyé de Moroleón invita.", "Meyé de Moroleón"),
    ):
        proposals = rescorer.proposals(words(text))
        assert heard in {_said(words(text), p) for p in proposals if p.spelling == "DIF Moroleón"}, text
        # Far: "desde Moroleón" comes as close, so the model must prefer the name.
        assert all(p.far for p in proposals if p.spelling == "DIF Moroleón"), text
    assert not any(p.far for p in rescorer.proposals(words("El DEF Moroleón invita.")))
    # Only as a near miss: the matcher does not report it.
    plain = words("El NEF Moroleón invita.")
    assert [m.keyword for m in rescorer.strict.find_mentions(plain)] == ["Moroleón"]
    assert "DIF Moroleón" not in {
        m.keyword for m in Matcher(KEYWORDS, near_miss=NearMissOptions(reach=20)).find_mentions(plain)
    }


def test_a_name_whisper_glued_into_one_word_is_a_far_near_miss(rescorer):
    # Two words heard as one: no word of the term is close to it, the term glued is.
    for text, at, spelling in (("Orascullica trabaja en el camino.", 0, "Obras Públicas"),
                               ("El Neyéfemoreón invita a la jornada.", 1, "DIF Moroleón")):
        proposals = [p for p in rescorer.proposals(words(text)) if p.spelling == spelling]
        assert (at, at) in {(p.first, p.last) for p in proposals}, text
        assert all(p.far for p in proposals), text
    # Only as a near miss, and only for a long word: the matcher's own anchors are unchanged.
    heard = words("Orascullica trabaja en el camino.")
    assert rescorer.strict.find_mentions(heard) == []
    assert not Matcher(KEYWORDS, near_miss=NearMissOptions(reach=20, anchor_reach=10)).find_mentions(heard)
    assert not any(p.spelling == "Obras Públicas" for p in rescorer.proposals(words("Olas trabaja en el camino.")))


def test_a_name_split_into_more_words_than_it_has_plus_one_is_a_near_miss(rescorer):
    # Two words, heard as four: "pésora de la municipal".
    text = "La pésora de la municipal amplió el horario."
    assert (1, 4) in {(p.first, p.last) for p in rescorer.proposals(words(text)) if p.keyword == "Tesorería Municipal"}
    heard = words(text)
    # One word more at most, it was "de la municipal" alone, without the name's first word.
    assert [
        (m.first_word_index, m.last_word_index)
        for m in Matcher(KEYWORDS, near_miss=NearMissOptions(reach=20, stopword_edges=True)).find_mentions(heard)
        if m.keyword == "Tesorería Municipal"
    ] == [(2, 4)]


def test_a_word_glued_from_an_acronym_and_a_mention_is_asked_about_as_the_longer_term(rescorer):
    # "Neyfemoreón" is Moroleón to the matcher; its first letters may be DIF read out.
    proposals = rescorer.proposals(words("El Neyfemoreón invita a la jornada."))
    assert {(p.first, p.last) for p in proposals if p.spelling == "DIF Moroleón"} >= {(1, 1)}
    # A word no longer than the name: nothing was heard for DIF.
    assert not any(p.spelling == "DIF Moroleón" for p in rescorer.proposals(words("El Moreón invita a la jornada.")))


def test_near_misses_of_terms_over_the_same_words_are_all_asked(rescorer):
    # Of one group, the matcher reports the longest term; of near misses the
    # model chooses: "Neyfé municipal" is DIF municipal read out (84 alike),
    # which the longer "Tesorería Municipal" (71) would hide.
    keywords = KeywordSet(groups=(Group("dependencias", terms=(
        Term("DIF Pénjamo", aliases=("DIF municipal",)), Term("Tesorería Municipal"))),))
    proposals = Rescorer.for_keywords(keywords).proposals(words("El Neyfé municipal llevó despensas."))
    assert {p.spelling for p in proposals if (p.first, p.last) == (1, 2)} == {"DIF municipal", "Tesorería Municipal"}
    # The matcher's own rule, for mentions, is unchanged.
    loose = Matcher(keywords, near_miss=NearMissOptions(reach=20, spelled_acronyms=True))
    assert [m.spelling for m in loose.find_mentions(words("El Neyfé municipal llevó despensas."))] \
        == ["Tesorería Municipal"]


def test_an_acronym_whisper_shortened_is_asked_about_as_a_far_near_miss():
    keywords = KeywordSet(groups=(Group("dependencias", terms=(Term("SAPAP"),)),))
    heard = tuple(w._replace(probability=0.01) if w.text.strip() == "SAP" else w
                  for w in words("El SAP informa que el pozo tres estará en mantenimiento."))
    rescorer = Rescorer.for_keywords(keywords)
    assert rescorer.strict.find_mentions(heard) == []  # too short for the matcher to compare
    [proposal] = rescorer.proposals(heard)
    assert (proposal.first, proposal.last, proposal.spelling, proposal.far) == (1, 1, "SAPAP", True)
    # Not a word Whisper was sure of, a word in lowercase, one letter short
    # (a near miss the matcher finds itself), or two letters.
    for text, probability in (("El SAP informa.", 0.95), ("El sap informa.", 0.01), ("El SAPA informa.", 0.01),
                              ("El SA informa.", 0.01)):
        heard = tuple(w._replace(probability=probability) for w in words(text))
        assert [p for p in rescorer.proposals(heard) if p.far] == [], text


def test_a_frequent_word_whisper_was_fairly_sure_of_is_not_a_near_miss():
    keywords = KeywordSet(groups=(Group("dependencias", terms=(Term("Ecología"), Term("cabildo"))),))
    rescorer = Rescorer.for_keywords(keywords)

    def asked(text: str, probability: float) -> set[str]:
        return {p.spelling for p in rescorer.proposals(tuple(w._replace(probability=probability) for w in words(text)))}

    # "tecnológica" is a frequent word: said, not Ecología misheard.
    assert asked("Firmó un convenio con la universidad tecnológica.", 0.83) == set()
    assert asked("Firmó un convenio con la universidad tecnológica.", 0.5) == {"Ecología"}
    # A made-up word is asked about however sure Whisper was of it.
    assert asked("El personal de negrología plantó árboles.", 0.83) == {"Ecología"}


def test_a_stopword_whisper_was_sure_of_is_not_taken_into_a_near_miss(rescorer):
    heard = words("Vecinos de acámbalo sin agua.")
    sure = heard[:1] + (heard[1]._replace(probability=0.98),) + heard[2:]
    assert {(r.first, r.last) for r in rescorer.proposals(heard)} == {(2, 2), (1, 2), (2, 3), (1, 3)}
    assert {(r.first, r.last) for r in rescorer.proposals(sure)} == {(2, 2), (2, 3)}


def _said(heard: tuple[Word, ...], rewrite: Rewrite) -> str:
    return " ".join(w.text.strip(" .,") for w in heard[rewrite.first:rewrite.last + 1])


def test_words_whisper_was_sure_of_are_not_proposed(rescorer):
    sure = tuple(w._replace(probability=0.95) for w in words("Un tráiler volcó cerca de acámbalo."))
    assert rescorer.proposals(sure) == []
    unsure = sure[:5] + (sure[5]._replace(probability=0.6),)
    assert {p.spelling for p in rescorer.proposals(unsure)} == {"Acámbaro"}
    untimed = tuple(w._replace(probability=None) for w in sure)  # no probabilities: asked
    assert {p.spelling for p in rescorer.proposals(untimed)} == {"Acámbaro"}


def test_an_everyday_phrase_ending_on_a_word_whisper_was_sure_of_is_not_a_near_miss():
    services = Rescorer.for_keywords(KeywordSet(groups=(
        Group("dependencias", terms=(Term("Servicios Municipales"), Term("Obras Públicas"))),)))

    def heard(text: str, *probabilities: float) -> tuple[Word, ...]:
        return tuple(w._replace(probability=p) for w, p in zip(words(text), probabilities))

    # "médicos" was heard surely, and is 44 alike to "municipales": said as heard.
    assert services.proposals(heard("Los servicios médicos atienden.", 0.9, 0.37, 0.78, 0.9)) == []
    # Unsure, it may be the name misheard; and so may a sure last word that is alike.
    assert services.proposals(heard("Los servicios médicos atienden.", 0.9, 0.37, 0.5, 0.9))
    assert services.proposals(heard("Los se micios municipales atienden.", 0.9, 0.3, 0.4, 0.95, 0.9))
    assert services.proposals(heard("Olas Púlica trabaja.", 0.31, 0.84, 0.9))
    # One word may hold the whole name, whatever it ends like.
    assert services.proposals(heard("Orascullica trabaja.", 0.8, 0.9))


def test_words_that_count_for_another_group_are_not_proposed_either(rescorer):
    # "Tesoría Municipal" is Tesorería Municipal (94) and also a near miss of
    # "presidenta municipal" (72): rewriting it would lose a true mention.
    assert rescorer.proposals(words("La tesoría municipal amplió el horario.")) == []


# -- the rewrite -------------------------------------------------------------------
def test_a_rewrite_keeps_punctuation_capital_and_time():
    ws = words("¿Muyangato, dijo?")
    [new, said] = apply(ws, [Rewrite(0, 0, "Uriangato", "Uriangato", "vecinos", 78)])
    assert new.text == " ¿Uriangato," and (new.start, new.end) == (ws[0].start, ws[0].end)
    assert new.probability is None and said == ws[1]


def test_a_rewrite_of_several_words_shares_their_time_by_letters():
    ws = words("la cama lo sin heridos")
    new = apply(ws, [Rewrite(1, 2, "Acámbaro", "Acámbaro", "vecinos", 75)])
    assert [w.text.strip() for w in new] == ["la", "Acámbaro", "sin", "heridos"]
    assert (new[1].start, new[1].end) == (ws[1].start, ws[2].end)
    two = apply(ws, [Rewrite(1, 1, "Obras Públicas", "Obras Públicas", "dependencias", 70)])
    assert [w.text.strip() for w in two] == ["la", "Obras", "Públicas", "lo", "sin", "heridos"]
    assert two[1].start == ws[1].start and two[2].end == pytest.approx(ws[1].end)
    assert two[1].end == pytest.approx(two[2].start) and two[1].end - two[1].start < two[2].end - two[2].start


def test_a_rewrite_word_for_word_keeps_each_words_punctuation_and_time():
    ws = words("El DEF, Moroleón, invita.")
    new = apply(ws, [Rewrite(1, 2, "DIF Moroleón", "DIF Moroleón", "dependencias", 92)])
    assert _text(new) == "El DIF, Moroleón, invita."
    assert [(w.start, w.end) for w in new] == [(w.start, w.end) for w in ws]
    assert new[1].probability is None and new[2].probability is None


# -- the decision ------------------------------------------------------------------
def test_rewrites_within_the_margin_are_kept_the_most_likely_first():
    a = Rewrite(2, 2, "Acámbaro", "Acámbaro", "vecinos", 80)
    b = Rewrite(2, 3, "Uriangato", "Uriangato", "vecinos", 75)  # overlaps a
    c = Rewrite(6, 6, "regidora", "regidor", "presidencia", 70)
    assert choose([a, b, c], [-1.0, -0.5, -MARGIN - 0.1]) == [b]
    assert choose([a, b, c], [-1.0, -2.0, -MARGIN]) == [a, c]
    assert choose([a], [+3.0]) == [a]  # the beam search missed a more likely text
    assert choose([a, c], [-9.0, -12.0]) == []


def test_a_far_near_miss_must_be_more_likely_than_the_decoded_text():
    far = Rewrite(2, 2, "Acámbaro", "Acámbaro", "vecinos", 71, far=True)
    near = Rewrite(6, 6, "regidora", "regidor", "presidencia", 80)
    assert choose([far, near], [FAR_GAIN - 0.1, -MARGIN + 0.1]) == [near]
    assert choose([far, near], [FAR_GAIN, -MARGIN - 0.1]) == [far]


def test_rescore_asks_the_scorer_only_about_segments_with_near_misses(rescorer):
    asked = []

    def scorer(clip: Clip, texts, prompt):
        asked.append((clip, list(texts), prompt))
        # The near miss alone is 1.5 nats less likely (kept), the others far less.
        return [[-10.0, -10.0], [-10.0, -11.5]] + [[-30.0]] * (len(texts) - 2)

    segments = [segment("Hoy hace buen tiempo.", start=0.0), segment("Un tráiler volcó cerca de acámbalo.", start=10.0)]
    out = replace(rescorer, prompt="Noticias locales: Moroleón.").rescore(segments, scorer)
    assert out[0] is segments[0]
    assert out[1].text == "Un tráiler volcó cerca de Acámbaro."
    assert [w.text for w in out[1].words][-1] == " Acámbaro." and out[1].words[:5] == segments[1].words[:5]
    [(clip, texts, prompt)] = asked  # one question per term
    assert texts == ["Un tráiler volcó cerca de acámbalo.", "Un tráiler volcó cerca de Acámbaro.",
                     "Un tráiler volcó cerca Acámbaro."]
    assert prompt == "Noticias locales: Moroleón, Acámbaro."  # the term is named in the prompt
    assert (clip.start, clip.end) == (segments[1].start, segments[1].end)


def test_a_window_of_several_sentences_is_asked_about_one_sentence_at_a_time(rescorer):
    asked = []

    def scorer(clip, texts, prompt):
        asked.append(((clip.start, clip.end), texts[0]))
        return [[-10.0]] * len(texts)

    window = segment("Hoy hace frío. Un tráiler volcó cerca de acámbalo. Sin heridos.", start=0.0)
    out = rescorer.rescore([window], scorer)
    sentence = window.words[3:9]  # "Un … acámbalo." : its own words and audio, not the window's
    assert asked == [((sentence[0].start, sentence[-1].end), "Un tráiler volcó cerca de acámbalo.")]
    assert out[0].text == "Hoy hace frío. Un tráiler volcó cerca de Acámbaro. Sin heridos."
    assert out[0].words[9:] == window.words[9:]


def test_each_term_is_asked_about_with_its_own_name_in_the_prompt(rescorer):
    prompts = []

    def scorer(clip, texts, prompt):
        prompts.append(prompt)
        return [[-10.0]] * len(texts)

    rescorer.rescore([segment("Productores de Muyangato y de Acámbalo.")], scorer)
    assert sorted(prompts) == [naming(None, "Acámbaro"), naming(None, "Uriangato")]


def test_rescore_leaves_the_segment_when_the_model_disagrees(rescorer):
    segments = [segment("Un tráiler volcó cerca de acámbalo.")]
    assert rescorer.rescore(segments, lambda clip, texts, prompt: [[-20.0]] + [[-30.0]] * (len(texts) - 1)) == segments


def test_rescore_without_word_times_rewrites_the_text(rescorer):
    segments = [factories.segment("Productores de Muyangato y de Acámbalo.", 10.0)]
    out = rescorer.rescore(segments, lambda clip, texts, prompt: [[-20.0]] + [[-21.0]] * (len(texts) - 1))
    assert out[0].text == "Productores de Uriangato y de Acámbaro." and out[0].words == ()


def test_words_that_split_a_dotted_acronym_still_spell_the_text_and_are_rewritten(rescorer):
    # Whisper wrote "D.C." as the words " D" and ".C.": folded one by one they
    # are "d c", the text folds "dc". Glued as Whisper glues them, they spell it.
    ws = (Word(" La", 0.0, 0.3, 0.9), Word(" D", 0.4, 0.6, 0.5), Word(".C.", 0.6, 0.8, 0.5),
          Word(" cerca", 1.0, 1.3, 0.9), Word(" de", 1.4, 1.5, 0.9), Word(" acámbalo.", 1.6, 2.2, 0.4))
    odd = Segment(0.0, 2.2, "La D.C. cerca de acámbalo.", words=ws)
    assert spell([w.text for w in ws], odd.text)
    assert not spell([" La", " D", ".C."], "La D.C. cerca")  # a word missing still counts
    [out] = rescorer.rescore([odd], lambda clip, texts, prompt: [[-5.0]] + [[-5.5]] * (len(texts) - 1))
    assert out.words[-1].text == " Acámbaro." and out.text.endswith("cerca de Acámbaro.")


def test_rescore_keeps_word_times_that_do_not_spell_the_text(rescorer):
    # The matcher reads such a segment's text alone, so only the text changes.
    odd = Segment(0.0, 3.0, "cerca de acámbalo", words=words("cerca de"))
    [out] = rescorer.rescore([odd], lambda clip, texts, prompt: [[-5.0]] + [[-5.5]] * (len(texts) - 1))
    assert out.text == "cerca de Acámbaro" and out.words == odd.words
