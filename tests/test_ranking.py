"""BM25 over candidates and highlighting (pure)."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from radiomon.search.ranking import ScoringTerm, bm25_scores, fold, highlight, idf, tokens


def test_tokens_fold_like_the_index_tokenizer() -> None:
    assert tokens("El Niño de Piñícuaro, ÁGUILA—año 2026_x") == [
        "el", "nino", "de", "pinicuaro", "aguila", "ano", "2026", "x"]
    assert fold("Moroleón") == "moroleon"


@given(st.text())
@example("𝕊")  # a styled letter: NFKD makes it "S", which must still be lowercased
def test_tokens_are_folded_alphanumeric_words(text: str) -> None:
    for token in tokens(text):
        assert token == fold(token) and token.strip() == token and token


def test_more_occurrences_and_rarer_terms_rank_higher() -> None:
    mercado, de = ScoringTerm("mercado"), ScoringTerm("de")
    texts = ["el mercado de la ciudad", "mercado mercado nuevo", "de de de de"]
    scores = bm25_scores(texts, [mercado, de], {mercado: 10, de: 900}, documents=1000)
    assert scores[1] > scores[0] > scores[2] > 0


def test_prefix_terms_count_every_word_they_start() -> None:
    moro = ScoringTerm("moro", prefix=True)
    scores = bm25_scores(["Moroleón y Moro León", "nada"], [moro], {moro: 5}, documents=100)
    assert scores[0] > 0 and scores[1] == 0


def test_idf_of_a_term_in_most_rows_is_small_but_positive() -> None:
    assert idf(1000, 999) == 1e-6
    assert idf(1000, 1) > idf(1000, 100) > 0


def test_highlight_marks_matching_words_and_joins_runs() -> None:
    terms = [ScoringTerm("mercado"), ScoringTerm("nuevo"), ScoringTerm("moro", prefix=True)]
    assert (
        highlight("El Mercado nuevo de Moroleón, dijo.", terms, "[", "]") == "El [Mercado nuevo] de [Moroleón], dijo."
    )
    assert highlight("nada que ver", terms, "[", "]") == "nada que ver"
