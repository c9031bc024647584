"""Spanish normalization and the phonetic key, with property tests."""

import string

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from radiomon.keywords.normalize import Token, fold, normalize, tokenize, tokenize_words
from radiomon.keywords.numbers import parse_number
from radiomon.keywords.phonetic import phonetic_key, spelled_out

SPANISH_LETTERS = string.ascii_letters + "áéíóúüñÁÉÍÓÚÜÑ"
spanish_text = st.text(alphabet=SPANISH_LETTERS + "  .,;¡!¿?-0123456789", max_size=40)
spanish_word = st.text(alphabet=string.ascii_lowercase + "áéíóúüñ", min_size=1, max_size=15)


@pytest.mark.parametrize("text, expected", [
    ("¡El H. Ayuntamiento de Moroleón, informa!", "el honorable ayuntamiento de moroleon informa"),
    ("Piñícuaro", "pinicuaro"),  # ñ is n (documented decision)
    ("pingüino", "pinguino"),
    ("D.I.F. Moroleón", "dif moroleon"),
    ("Col. Juárez", "colonia juarez"),
    ("Obras-Públicas", "obras publicas"),
    ("1,500 pesos", "1500 pesos"),
    ("Moro León", "moro leon"),  # joining words is the matcher's job
])
def test_normalize(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize("words, value", [
    ("cero", 0), ("tres", 3), ("quince", 15), ("veintiuno", 21), ("veintidós", 22),
    ("treinta y cuatro", 34), ("cien", 100), ("ciento uno", 101),
    ("doscientos treinta y cuatro", 234), ("novecientos noventa y nueve", 999),
    ("mil", 1000), ("dos mil veinticinco", 2025), ("mil novecientos ochenta y cinco", 1985),
    ("quince mil trescientos", 15300), ("cien mil", 100000), ("un millón doscientos mil", 1200000),
    ("dos millones", 2000000), ("treinta y un", 31),
])
def test_number_words_become_digits(words, value):
    assert normalize(words) == str(value)
    assert normalize(str(value)) == str(value)


def test_articles_are_not_numbers():
    assert normalize("un hangado") == "un hangado"  # how Whisper heard Uriangato
    assert normalize("una casa") == "una casa"
    assert parse_number(["millones", "de"], 0) is None


def test_tokens_keep_source_word_indices():
    assert tokenize_words([" la", " colonia", " Veinte", " de", " noviembre,", " dos", " mil"]) == [
        Token("la", 0, 0), Token("colonia", 1, 1), Token("20", 2, 2), Token("de", 3, 3),
        Token("noviembre", 4, 4), Token("2000", 5, 6),
    ]
    assert tokenize("Obras-Públicas hoy") == [Token("obras", 0, 0), Token("publicas", 0, 0), Token("hoy", 1, 1)]
    assert tokenize_words(["¡", "Moroleón"]) == [Token("moroleon", 1, 1)]


@pytest.mark.parametrize("a, b", [
    ("Vicente", "Bisente"), ("Salitre", "Zalitre"), ("llanito", "yanito"), ("Uriangato", "Huriangato"),
    ("Quiahuyo", "Kiahuyo"), ("Cuitzeo", "Kuitseo"), ("gente", "jente"), ("Morreón", "Moreón"),
    ("ciudad", "ciuda"), ("IMSS", "IMS"), ("acción", "ación"), ("Acámbaro", "Akambaro"),
    ("hoy", "oi"), ("enviar", "embiar"), ("Xóchitl", "sochitl"),
])
def test_sound_alikes_share_a_key(a, b):
    assert phonetic_key(a) == phonetic_key(b)


@pytest.mark.parametrize("a, b", [
    ("DIF", "NIF"), ("guerra", "gerra"), ("Moroleón", "Morelos"), ("casa", "caza ya"), ("pero", "perro x"),
])
def test_different_words_keep_different_keys(a, b):
    assert phonetic_key(a) != phonetic_key(b)


def test_key_examples():
    assert phonetic_key("Quiahuyo Guerrero") == "kiauyo guerero"
    assert phonetic_key("Chucho") == "chucho"


def test_an_acronym_spelled_out_is_its_letter_names_glued():
    assert spelled_out("dif") == "deiefe"
    assert spelled_out("cfe") == "ceefee"
    assert spelled_out("imss") == "iemeeseese"
    assert spelled_out("w3") == "dobleve3"


# -- properties ---------------------------------------------------------------
@given(spanish_text)
def test_normalize_is_idempotent(text):
    assert normalize(normalize(text)) == normalize(text)


@given(spanish_text)
def test_normalized_text_is_plain(text):
    assert set(normalize(text)) <= set(string.ascii_lowercase + string.digits + " ")


@given(spanish_text)
def test_normalize_ignores_accents_and_case(text):
    plain = text.translate(str.maketrans("áéíóúüñÁÉÍÓÚÜÑ", "aeiouunAEIOUUN"))
    assert normalize(text) == normalize(plain) == normalize(text.upper()) == normalize(text.lower())


@given(spanish_text)
@settings(max_examples=300)
def test_phonetic_key_is_idempotent(text):
    key = phonetic_key(text)
    assert phonetic_key(key) == key


@given(spanish_text)
def test_phonetic_key_ignores_accents_and_case(text):
    plain = text.translate(str.maketrans("áéíóúüñÁÉÍÓÚÜÑ", "aeiouunAEIOUUN"))
    assert phonetic_key(text) == phonetic_key(plain) == phonetic_key(text.upper())


@given(spanish_word)
def test_phonetic_key_is_stable_under_b_v(word):
    assert phonetic_key(word.replace("v", "b")) == phonetic_key(word.replace("b", "v"))


@given(spanish_word)
def test_phonetic_key_is_stable_under_s_z(word):
    assert phonetic_key(word.replace("z", "s")) == phonetic_key(word.replace("s", "z"))


@given(spanish_word)
def test_phonetic_key_is_stable_under_ll_y(word):
    with_y = word.replace("ll", "y")
    assert phonetic_key(word) == phonetic_key(with_y)


@given(spanish_word)
def test_phonetic_key_ignores_doubled_r(word):
    assert phonetic_key(word.replace("r", "rr")) == phonetic_key(word)


@given(spanish_word)
def test_phonetic_key_ignores_h_at_the_start(word):
    assert phonetic_key("h" + word) == phonetic_key(word)


@given(st.integers(min_value=0, max_value=999))
def test_numbers_below_a_thousand_round_trip_through_words(value):
    assert normalize(_spell(value)) == str(value)


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=999))
def test_thousands_round_trip_through_words(thousands, rest):
    words = ("mil" if thousands == 1 else _spell(thousands) + " mil") + (" " + _spell(rest) if rest else "")
    assert normalize(words) == str(thousands * 1000 + rest)


@given(spanish_text)
@example("𝕊ALITRE")  # styled letters decompose to capitals, still folded to lowercase
def test_fold_never_raises_and_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


_UNITS = "cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince " \
         "dieciséis diecisiete dieciocho diecinueve veinte veintiuno veintidós veintitrés veinticuatro " \
         "veinticinco veintiséis veintisiete veintiocho veintinueve".split()
_TENS = "_ _ _ treinta cuarenta cincuenta sesenta setenta ochenta noventa".split()
_HUNDREDS = "_ ciento doscientos trescientos cuatrocientos quinientos seiscientos setecientos " \
            "ochocientos novecientos".split()


def _spell(n: int) -> str:
    """Reference spelling of 0–999, written independently of the parser."""
    if n == 100:
        return "cien"
    hundreds, rest = divmod(n, 100)
    parts = [_HUNDREDS[hundreds]] if hundreds else []
    if rest < 30:
        if rest or not parts:
            parts.append(_UNITS[rest])
    else:
        tens, units = divmod(rest, 10)
        parts.append(_TENS[tens] + (f" y {_UNITS[units]}" if units else ""))
    return " ".join(parts)
