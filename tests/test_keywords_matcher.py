"""The matcher: mishearings found, look-alikes kept out, one mention per reference."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from radiomon.keywords import Group, KeywordSet, Matcher, Mention, Term, load_keywords, words_from_text
from radiomon.keywords.common_words import STOPWORDS
from radiomon.transcript import Word

DEFAULT_FILE = Path(__file__).parent.parent / "radiomon" / "data" / "keywords.yml"

MOROLEON = Term("Moroleón", aliases=("Moro León",), threshold=80, exclude=("León", "Morelia", "Morelos"))
KEYWORDS = KeywordSet(groups=(
    Group("municipio", terms=(MOROLEON, Term("H. Ayuntamiento de Moroleón", aliases=("Ayuntamiento de Moroleón",)))),
    Group("dependencias", terms=(
        Term("DIF Moroleón", aliases=("DIF",)), Term("IMSS"), Term("Obras Públicas"),
        Term("presidente municipal"), Term("presidenta municipal"), Term("Colonia 20 de Noviembre"),
    )),
))


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(KEYWORDS)


@pytest.fixture(scope="module")
def default_matcher() -> Matcher:
    return Matcher(load_keywords(DEFAULT_FILE))


def found(matcher: Matcher, text: str) -> list[tuple[str, str, str]]:
    return [(m.group_id, m.keyword, m.matched) for m in matcher.find_mentions(words_from_text(text, 0, 10))]


@pytest.mark.parametrize("heard", ["Moroleón", "Moreón", "Morreón", "Moro León", "moroleon", "MOROLEÓN"])
def test_mishearings_of_the_municipality_count(matcher, heard):
    assert found(matcher, f"hoy en {heard} hay fiesta") == [("municipio", "Moroleón", heard)]


@pytest.mark.parametrize("heard", ["León", "Morelia", "Morelos", "Morena", "Moreno", "de León", "Morales"])
def test_look_alikes_stay_out(matcher, heard):
    assert found(matcher, f"hoy en {heard} hay fiesta") == []


def test_exclusions_beat_matches():
    # Even with a threshold so low that "León" would count, the exclude wins.
    loose = Matcher(KeywordSet(groups=(Group("m", terms=(
        Term("Moroleón", aliases=("Moro León",), threshold=10, exclude=("León", "Morelia")),)),)))
    assert found(loose, "en León y en Morelia") == []
    assert found(loose, "en Moro León") == [("m", "Moroleón", "Moro León")]


def test_a_longer_exclude_covering_the_match_wins():
    m = Matcher(KeywordSet(groups=(Group("colonias", terms=(Term("Juárez", exclude=("Benito Juárez",)),)),)))
    assert found(m, "la calle Benito Juárez") == []
    assert found(m, "la colonia Juárez") == [("colonias", "Juárez", "Juárez")]


@pytest.mark.parametrize("text, expected", [
    ("Hubo una fuga de agua potable. En Moroleón hace frío.", ["Moroleón"]),  # not SMAPAM across the period
    ("¿Qué dijo Obras? Públicas, nada.", []),
    ("El H. Ayuntamiento de Moroleón informa.", ["H. Ayuntamiento de Moroleón", "H. Ayuntamiento"]),  # "H." is no end
    ("Noticias de Moro León y la región.", ["Moroleón"]),
])
def test_a_mention_is_never_read_across_a_sentence_end(default_matcher, text, expected):
    assert [keyword for _, keyword, _ in found(default_matcher, text)] == expected


def test_acronyms_need_an_exact_match(matcher):
    assert found(matcher, "el NIF de la empresa") == []
    assert found(matcher, "el DIF informa") == [("dependencias", "DIF Moroleón", "DIF")]
    assert found(matcher, "el D.I.F. informa") == [
        ("dependencias", "DIF Moroleón", "D.I.F")
    ]  # outer punctuation trimmed
    assert found(matcher, "el IMS y el IMSS") == [("dependencias", "IMSS", "IMS"), ("dependencias", "IMSS", "IMSS")]
    # An acronym inside a longer term must be heard too: "NIF Moroleón" is only Moroleón.
    assert found(matcher, "el NIF Moroleón") == [("municipio", "Moroleón", "Moroleón")]


def test_short_terms_never_match_common_words():
    m = Matcher(KeywordSet(groups=(Group("g", terms=(Term("DIF"), Term("Pan", threshold=50))),)))
    assert found(m, "de la el los del pan que dif") == [("g", "Pan", "pan"), ("g", "DIF", "dif")]
    assert found(m, "de la el los del que en un una par pon") == []


def test_longest_match_wins_within_a_group(matcher):
    assert found(matcher, "el DIF Moroleón informa") == [
        ("dependencias", "DIF Moroleón", "DIF Moroleón"),  # not also "DIF"
        ("municipio", "Moroleón", "Moroleón"),  # another group: reported too (documented)
    ]
    assert found(matcher, "el H. Ayuntamiento de Moroleón informa") == [
        ("municipio", "H. Ayuntamiento de Moroleón", "H. Ayuntamiento de Moroleón"),
    ]


def test_longest_match_across_groups_when_asked():
    m = Matcher(KEYWORDS, nested_across_groups=False)
    assert found(m, "el DIF Moroleón informa") == [("dependencias", "DIF Moroleón", "DIF Moroleón")]


def test_best_of_overlapping_similar_terms(matcher):
    assert found(matcher, "la presidenta municipal") == [
        ("dependencias", "presidenta municipal", "presidenta municipal")
    ]
    assert found(matcher, "el presidente municipal") == [
        ("dependencias", "presidente municipal", "presidente municipal")
    ]


def test_multi_word_terms_match_as_windows(matcher):
    assert found(matcher, "trabajos de obras públicas en la colonia veinte de noviembre") == [
        ("dependencias", "Obras Públicas", "obras públicas"),
        ("dependencias", "Colonia 20 de Noviembre", "colonia veinte de noviembre"),
    ]
    assert found(matcher, "trabajos de obraspúblicas") == [("dependencias", "Obras Públicas", "obraspúblicas")]
    assert found(matcher, "trabajos de hobras publikas") == [("dependencias", "Obras Públicas", "hobras publikas")]


def test_matches_do_not_start_or_end_on_stopwords(matcher):
    [mention] = matcher.find_mentions(words_from_text("y la Moroleón de la", 0, 5))
    assert mention.matched == "Moroleón"


def test_exclusions_follow_the_stopword_rule_too():
    # "Moreón a" glued is 92 alike to "Morena", but a window ending on "a"
    # does not count as Morena any more than it counts as a keyword.
    strict = Matcher(KeywordSet(groups=(Group("municipio", terms=(
        Term("Moroleón", threshold=80, exclude=("León", "Morena")),)),)))
    assert found(strict, "el camino de Moreón a Uriangato") == [("municipio", "Moroleón", "Moreón")]
    assert found(strict, "el partido Morena a votar") == []


def test_mention_fields_and_cross_segment_match(matcher):
    words = [
        Word(" hoy", 10.0, 10.3, segment_id=1), Word(" en", 10.3, 10.5, segment_id=1),
        Word(" Moro", 10.5, 10.9, segment_id=1),
        Word(" León,", 11.0, 11.4, segment_id=2), Word(" informa", 11.4, 12.0, segment_id=2),
    ]
    assert matcher.find_mentions(words) == [Mention(
        group_id="municipio", keyword="Moroleón", matched="Moro León", score=100.0,
        start=10.5, end=11.4, first_word_index=2, last_word_index=3, segment_id=1, spelling="Moro León",
    )]


def test_thresholds_are_per_term():
    strict = KeywordSet(groups=(Group("m", terms=(Term("Moroleón"),)),), derive_thresholds=False)  # 88
    assert found(Matcher(strict), "en Moreón") == []
    lenient = KeywordSet(groups=(Group("m", terms=(Term("Moroleón", threshold=80),)),))
    assert found(Matcher(lenient), "en Moreón") == [("m", "Moroleón", "Moreón")]
    exact = KeywordSet(groups=(Group("m", terms=(Term("Moroleón"),)),), threshold=100, derive_thresholds=False)
    assert found(Matcher(exact), "en Moroleon y Moreón") == [("m", "Moroleón", "Moroleon")]


def test_aliases_report_the_canonical_term():
    m = Matcher(KeywordSet(groups=(Group("vecinos", terms=(Term("Uriangato", aliases=("un hangado",)),)),)))
    assert found(m, "rumbo a un hangado") == [("vecinos", "Uriangato", "un hangado")]


def test_segments_without_candidates_are_skipped_quickly(matcher):
    assert matcher.find_mentions([]) == []
    assert found(matcher, "el clima de hoy será soleado por la tarde") == []


def test_candidate_words_select_the_vocabulary_that_can_match(matcher):
    vocabulary = ["Moroleón", "moreon", "morreón", "moro", "león", "dif", "nif", "imss", "obras", "de", "la",
                  "clima", "soleado", "tarde", "veinte", "noviembre", "presidenta", "municipal", "morena"]
    candidates = matcher.candidate_words(vocabulary)
    assert {"Moroleón", "moreon", "morreón", "moro", "león", "dif", "imss", "obras", "veinte",
            "noviembre", "presidenta", "municipal"} <= candidates
    assert not {"de", "la", "nif", "clima", "soleado", "tarde"} & candidates
    by_term = matcher.candidates_by_term(vocabulary)
    assert "moreon" in by_term[("municipio", "Moroleón")]
    assert "imss" not in by_term[("municipio", "Moroleón")]


@given(st.lists(st.sampled_from(
    "hoy en Moroleón Moreón Morreón Moro León de la el DIF NIF obras públicas clima veinte colonia "
    "noviembre Morelia presidente municipal y fiesta".split()), max_size=12))
@settings(max_examples=150, deadline=None)
def test_only_candidate_words_can_yield_mentions(words):
    m = Matcher(KEYWORDS)
    candidates = m.candidate_words(words)
    segment = words_from_text(" ".join(words), 0, 1)
    mentions = m.find_mentions(segment)
    if not candidates:
        assert mentions == []
    for mention in mentions:
        heard = words[mention.first_word_index:mention.last_word_index + 1]
        assert set(heard) & candidates
        assert heard[0].lower() not in STOPWORDS


# -- the default keywords.yml with sentences an office would hear ---------------
@pytest.mark.parametrize(
    "sentence, expected",
    [
        (
            "Buenos días Moreón, hoy en Morreón hay fiesta",
            [("municipio", "Moroleón", "Moreón"), ("municipio", "Moroleón", "Morreón")],
        ),
        ("la gente de Nemoreón", [("municipio", "Moroleón", "Nemoreón")]),
        ("la gente de León, de Morelia y de Morelos", []),
        ("el partido Morena y el señor Moreno", []),
        (
            "el DIF Moroleón y el NIF de hacienda",
            [("dependencias", "DIF Moroleón", "DIF Moroleón"), ("municipio", "Moroleón", "Moroleón")],
        ),
        (
            "la presidenta municipal visitó la colonia Emiliano Zapata",
            [
                ("presidencia", "presidenta municipal", "presidenta municipal"),
                ("colonias", "Colonia Emiliano Zapata", "colonia Emiliano Zapata"),
            ],
        ),
        (
            "de Uriangato a un hangado y Yuriria",
            [
                ("vecinos", "Uriangato", "Uriangato"),
                ("vecinos", "Uriangato", "un hangado"),
                ("vecinos", "Yuriria", "Yuriria"),
            ],
        ),
        (
            "hubo una balacera en la zona centro",
            [("crisis", "balacera", "balacera"), ("colonias", "Zona Centro", "zona centro")],
        ),
        (
            "el Sistema Municipal de Agua Potable y Alcantarillado de Moroleón informa",
            [
                ("dependencias", "SMAPAM", "Sistema Municipal de Agua Potable y Alcantarillado de Moroleón"),
                ("municipio", "Moroleón", "Moroleón"),
            ],
        ),
        (
            "obras publicas y seguridad pública con protección civil",
            [
                ("dependencias", "Obras Públicas", "obras publicas"),
                ("dependencias", "Seguridad Pública", "seguridad pública"),
                ("dependencias", "Protección Civil", "protección civil"),
            ],
        ),
        (
            "vecinos de Pinicuaro y de Quiahuyo",
            [("colonias", "Piñícuaro", "Pinicuaro"), ("colonias", "Quiahuyo", "Quiahuyo")],
        ),
        ("la salud y la educación de los niños", []),
        ("el clima para hoy en el bajío: soleado", []),
        # real Spanish words one letter from a term stay out at the default threshold (88)
        ("la geología y la teología; acabar de indicar", []),
        (
            "el alcalde y la alcaldesa",
            [("presidencia", "alcalde", "alcalde"), ("presidencia", "alcaldesa", "alcaldesa")],
        ),
        ("el discurso incendiario del diputado", []),
    ],
)
def test_default_keywords_on_example_sentences(default_matcher, sentence, expected):
    assert found(default_matcher, sentence) == expected
