"""The re-match's bounds never drop a window the matcher's similarity would keep."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from radiomon.keywords.bounds import SpellingForms, WordTables, feasible_windows
from radiomon.keywords.common_words import STOPWORDS
from radiomon.keywords.patterns import compile_pattern, similarities, similarity, window_pattern

SYLLABLES = ("mo", "ro", "le", "on", "ca", "sa", "de", "la", "cul", "tu", "ra", "ll", "ve", "be", "ci", "si", "que",
             "ke", "gue", "ge", "je", "h", "rr", "d", "an", "zo", "xo", "ya", "i", "u", "n")
word = st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=4).map("".join)


def mutated(tokens: list[str], rng: random.Random) -> list[str]:
    """The spelling as a listener might mishear it: a few letters changed,
    words split or glued, a word added or dropped."""
    letters = list(" ".join(tokens))
    for _ in range(rng.randint(0, 3)):
        i = rng.randrange(len(letters))
        action = rng.choice(("drop", "swap", "insert", "space"))
        if action == "drop" and len(letters) > 1:
            del letters[i]
        elif action == "swap":
            letters[i] = rng.choice("aeioumnrlscbvdzyh")
        elif action == "insert":
            letters.insert(i, rng.choice("aeioumnrlscbvdzyh"))
        else:
            letters[i] = " " if letters[i] != " " else ""
    out = "".join(letters).split()
    if rng.random() < 0.2:
        out.insert(rng.randint(0, len(out)), rng.choice(("de", "la", "el")))
    return out or tokens[:1]


def windows_found(spelling_tokens: list[str], threshold: float, window: list[str]) -> tuple[bool, float]:
    pattern = window_pattern(spelling_tokens)
    tables = WordTables(SpellingForms.of([pattern], [threshold]))
    tables.add(window)
    walls = len(spelling_tokens) + 2
    stream = np.array([0] * walls + [tables.row[w] for w in window] + [0] * walls)
    positions = np.arange(walls, walls + len(window))
    found = feasible_windows(stream, positions, np.zeros(len(window), dtype=np.int64), tables)
    return (walls, len(window), 0) in {tuple(w) for w in found.tolist()}, similarity(window_pattern(window), pattern)


@settings(max_examples=400)
@given(st.lists(word, min_size=1, max_size=4), st.integers(0, 2**32), st.integers(60, 100))
def test_a_window_reaching_the_threshold_always_passes_the_bounds(spelling, seed, threshold):
    window = mutated(spelling, random.Random(seed))
    if not len(spelling) - 1 <= len(window) <= len(spelling) + 1:
        return  # the matcher does not compare such windows
    passed, score = windows_found(spelling, threshold, window)
    if score >= threshold:
        assert passed, (spelling, window, score)


def test_the_bounds_drop_unrelated_windows():
    assert windows_found(["casa", "de", "la", "cultura"], 88, ["casa", "de", "la", "cultura"]) == (True, 100.0)
    assert windows_found(["casa", "de", "la", "cultura"], 88, ["casa", "de", "los", "vecinos"])[0] is False
    assert windows_found(["moroleon"], 80, ["moro", "leon"])[0] is True
    assert windows_found(["moroleon"], 80, ["morelia"])[0] is False


def test_short_spellings_need_equality_of_letters_or_sound():
    pattern = compile_pattern("DIF")
    assert pattern.short
    assert windows_found(["dif"], 100, ["d", "if"])[0] is True
    assert windows_found(["dif"], 100, ["nif"])[0] is False


@settings(max_examples=200)
@given(st.lists(st.tuples(st.lists(word, min_size=1, max_size=4), st.integers(0, 2**32)), min_size=1, max_size=8))
def test_batch_similarities_equal_the_matchers_similarity(cases):
    spellings, windows = [], []
    for tokens, seed in cases:
        spellings.append(window_pattern(tokens))
        windows.append(mutated(tokens, random.Random(seed)))
    expected = [similarity(window_pattern(w), p) for w, p in zip(windows, spellings)]
    assert similarities(windows, spellings).tolist() == expected


@settings(max_examples=150)
@given(st.lists(word, min_size=1, max_size=3).map(" ".join), st.lists(word, min_size=1, max_size=6))
def test_the_piece_prefilter_keeps_every_piece_anchor(term, tokens):
    """Matcher._pieces skips partial_ratio where an LCS rules it out; the
    result must equal partial_ratio over every pair."""
    from rapidfuzz import fuzz

    from radiomon.keywords import Group, KeywordSet, Matcher, Term
    from radiomon.keywords.matcher import ANCHOR_PIECE_LENGTH, ANCHOR_PIECE_SCORE

    matcher = Matcher(KeywordSet(groups=(Group("g", terms=(Term(term),)),)))
    joined = matcher.spellings[0].pattern.joined
    tokens = tokens + [joined[1:], joined + "es"]
    if len(joined) >= 12:  # a piece heard with one letter wrong: partial ratio 91.7
        tokens.append(joined[:5] + ("x" if joined[5] != "x" else "y") + joined[6:12])
    got = matcher._pieces(tokens)
    for row, token in enumerate(tokens):
        expected = [i for i, s in enumerate(matcher.spellings)
                    if not s.pattern.short and len(token) >= ANCHOR_PIECE_LENGTH and token not in STOPWORDS
                    and fuzz.partial_ratio(token, s.pattern.joined) >= ANCHOR_PIECE_SCORE]
        assert sorted(got.get(row, [])) == expected, (token, term)
