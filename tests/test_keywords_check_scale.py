"""`radiomon keywords check` and threshold derivation, batched for large files:
the same answers as the one-spelling-at-a-time code they replaced.

tests/data/keywords_check/expected.json is what `keywords check --format json`
printed for tests/data/keywords_check/keywords.yml before the batching (the
bundled file, edge cases and 240 terms of benchmarks/keywords_check.py).
"""

import json
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

from radiomon.keywords import Group, KeywordSet, Matcher, Term, explain
from radiomon.keywords import derive as derive_module
from radiomon.keywords.derive import CANDIDATES, Lexicon, derive, derive_all, packaged_lexicon
from radiomon.keywords.patterns import compile_pattern, similarity, window_pattern
from radiomon.keywords.phonetic import word_key, word_keys

DATA = Path(__file__).parent / "data" / "keywords_check"


def test_check_output_is_what_it_was(cli):
    derive_module.clear_cache()
    result = cli("keywords", "check", DATA / "keywords.yml", "--format", "json")
    assert result.exit_code == 0, result.output
    expected = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
    got = json.loads(result.output)
    assert len(got) == len(expected) > 400
    assert sum(len(r["confusions"]) for r in expected) > 100  # term and common-word confusions both
    for before, now in zip(expected, got):
        assert now == before


def reference_closest(lexicon: Lexicon, token: str, limit: int) -> list[str]:
    """Lexicon.closest as it was: two searches of the whole list per token."""
    found: dict[str, float] = {}
    for query, choices in ((token, lexicon.words), (word_key(token), lexicon.keys)):
        for _, score, index in process.extract(query, choices, scorer=fuzz.ratio, limit=CANDIDATES):
            word = lexicon.words[index]
            found[word] = max(found.get(word, 0.0), score)
    return sorted(found, key=lambda w: -found[w])[:limit]


TOKENS = ["moroleon", "uriangato", "acambaro", "tesoreria", "garcia", "hernandez", "zavala", "2000", "x", "h",
          "anticonstitucionalmente", "zzzzzzzzzzzzzzzzzzzzzzzz", "ecologia", "pinicuaro", "dif", "yuriria"]


def test_nearest_words_are_those_of_searching_the_whole_list():
    lexicon = Lexicon.from_words(packaged_lexicon().words)  # a fresh cache
    words = packaged_lexicon().words
    tokens = TOKENS + list(words[::997]) + [w + "on" for w in words[5::1999]]
    lexicon.prepare(tokens)
    for token in tokens:
        assert lexicon.closest(token, 2 * CANDIDATES) == reference_closest(lexicon, token, 2 * CANDIDATES), token


def test_nearest_words_of_a_small_list_with_ties_and_repeats():
    # Equal scores: the more frequent word first; a repeated word counts once, at its best.
    lexicon = Lexicon.from_words(["casa", "caza", "cosa", "masa", "casa", "", "casas", "a"] * 3)
    for token in ("casa", "kasa", "", "c", "casita"):
        assert lexicon.closest(token, 100) == reference_closest(lexicon, token, 100), token


def reference_derive(spelling, own, exclude, default, lexicon):
    """derive() as it was, one spelling at a time."""
    pattern = compile_pattern(spelling)
    floor = derive_module.length_floor(len(pattern.joined))
    own_tokens = {t for s in own for t in compile_pattern(s).tokens} | set(pattern.tokens)
    own_forms = {derive_module._stem(t) for t in own_tokens}
    own_joined = {compile_pattern(s).joined for s in own}
    scored = [(similarity(compile_pattern(x), pattern), x) for x in exclude]
    for i, token in enumerate(pattern.tokens):
        if token in derive_module.STOPWORDS or (len(pattern.tokens) > 1 and len(token) <= 3):
            continue
        limit = CANDIDATES if len(pattern.tokens) == 1 else derive_module.NEIGHBOURS
        for word in reference_closest(lexicon, token, limit + len(own_forms)):
            variant = (*pattern.tokens[:i], word, *pattern.tokens[i + 1:])
            if derive_module._stem(word) not in own_forms and "".join(variant) not in own_joined:
                scored.append((similarity(window_pattern(variant), pattern), " ".join(variant)))
    nearest_score, nearest = max(scored, default=(0.0, ""))
    wanted = max(floor, nearest_score + derive_module.GAP)
    return derive_module.Derivation(min(wanted, default), floor, nearest if nearest_score else "", nearest_score,
                                    wanted > default)


def test_derivations_in_a_batch_are_those_one_by_one():
    derive_module.clear_cache()
    requests = [
        ("Moroleón", ("Moroleón", "Moro León"), ("León", "Morena"), 88.0),
        ("Moro León", ("Moroleón", "Moro León"), ("León", "Morena"), 88.0),
        ("Desarrollo Social", ("Desarrollo Social",), (), 88.0),
        ("DIF Moroleón", ("DIF Moroleón",), (), 88.0),
        ("regidora García", ("Ana Laura García Zavala", "regidora García"), (), 90.0),
        ("Calle 20 de Noviembre", ("Calle 20 de Noviembre",), (), 88.0),
        ("Acámbaro", ("Acámbaro",), (), 85.0),
        ("IMSS", ("IMSS",), (), 88.0),
        ("de la Cruz", ("de la Cruz",), (), 88.0),
    ]
    batch = derive_all(requests)
    lexicon = packaged_lexicon()
    for request, derivation in zip(requests, batch):
        assert derivation == reference_derive(*request, lexicon), request[0]
        assert derive(*request) == derivation  # one by one: the same (cached) answer
    assert {d.nearest for d in batch} > {""}


@pytest.mark.parametrize("threshold", [None, 0, 40, 100])
def test_confusions_are_every_pair_the_matcher_reports(threshold):
    # Every spelling against every other and every common word, by the matcher
    # itself: what explain() reports, whatever the threshold (0 counts anything).
    keywords = KeywordSet(groups=(
        Group("municipio", terms=(Term("Moroleón", aliases=("Moro León",), exclude=("León",), threshold=threshold),
                                  Term("Morelos"))),
        Group("dependencias", terms=(Term("DIF Moroleón"), Term("DIF"), Term("Salud", threshold=threshold),
                                     Term("presidente municipal", threshold=threshold),
                                     Term("presidenta municipal"))),
    ))
    words = ["salud", "morena", "leon", "de", "dif", "moreno", "tres", "presidente", "s.a.", "¡!"]
    matcher = Matcher(keywords)
    for report, spelling in zip(explain(keywords, common_words=words), matcher.spellings):
        expected = [(other.pattern.text, score) for other in matcher.spellings
                    if (other.group_id, other.keyword) != (spelling.group_id, spelling.keyword)
                    for score in [matcher.text_score(spelling, other.pattern.text)] if score]
        expected += [(w, score) for w in sorted(words) for score in [matcher.text_score(spelling, w)] if score]
        assert [(c.text, c.score) for c in report.confusions] == sorted(expected, key=lambda c: (-c[1], c[0]))


def test_phonetic_keys_of_the_whole_list_at_once_are_each_words_key():
    # The list's keys are made in one pass over all its words, one a line:
    # no rule may reach across a line, and each line stops at its own fixed point.
    words = list(packaged_lexicon().words)
    edges = ["", "h", "d", "dd", "ad", "ciudad", "ay", "y", "hoy", "cc", "kks", "ch", "llave", "guerra", "gente",
             "enviar", "xochimilco", "acción", "qu", "c", "zz"]
    assert word_keys(words + edges) == [word_key(w) for w in words + edges]
    assert word_keys([]) == []
    assert word_keys(["ad", "d", "cid"]) == ["ad", "d", "si"]  # a final d only after two letters, in its own word
