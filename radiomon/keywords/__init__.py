"""Keyword matching: find every reference to the municipality in transcripts.

Pure functions and dataclasses; the only I/O is :func:`load_keywords`.

    keywords = load_keywords("keywords.yml")
    matcher = Matcher(keywords)
    mentions = matcher.find_mentions(words_from_whisper(segment["words"], segment_id=7))

keywords.yml, typed and loaded:

* :mod:`~radiomon.keywords.model` — groups and terms (:class:`KeywordSet`, :class:`Term`)
* :mod:`~radiomon.keywords.load` — keywords.yml read and validated (the only I/O)
* :mod:`~radiomon.keywords.edit` — an alias or an exclusion added to keywords.yml, as it was written
* :mod:`~radiomon.keywords.edit_terms` — terms and groups added, changed and removed in keywords.yml's text
* :mod:`~radiomon.keywords.refusals` — why an edit was refused, in the staff's Spanish
* :mod:`~radiomon.keywords.derive` — thresholds for the terms keywords.yml gives none

Heard words, compared:

* :mod:`~radiomon.keywords.words` — the matcher's input: heard words with their times
* :mod:`~radiomon.keywords.normalize` — Spanish text normalization, keeping track of source words
* :mod:`~radiomon.keywords.numbers` — number words to digits ("dos mil veinticinco" → 2025)
* :mod:`~radiomon.keywords.phonetic` — a Spanish (Mexican) phonetic key
* :mod:`~radiomon.keywords.common_words` — stopwords and frequent words the matcher must not mistake
* :mod:`~radiomon.keywords.patterns` — a spelling compiled for comparison, and the similarity score

The matcher:

* :mod:`~radiomon.keywords.matcher` — :class:`Matcher`: anchors, windows scored, exclusions, the choice
* :mod:`~radiomon.keywords.windows` — windows of heard tokens and where one may start and end
* :mod:`~radiomon.keywords.candidates` — compiled spellings, candidates, the choice among overlapping ones
* :mod:`~radiomon.keywords.mention` — :class:`Mention`, what the matcher reports
* :mod:`~radiomon.keywords.narrowing_hooks` — what the archive-wide re-match asks of a matcher
* :mod:`~radiomon.keywords.bounds` — upper bounds on a window's score from per-word figures (the narrowing)
* :mod:`~radiomon.keywords.near_misses` — :class:`NearMissOptions` and the presets of rescoring and suggest

What to tune:

* :mod:`~radiomon.keywords.explain` — what each keyword looks like to the matcher, and its confusions
* :mod:`~radiomon.keywords.suggest` — near misses and rewrites heard on air, ranked
"""

from radiomon.keywords.explain import Confusion, TermReport, explain
from radiomon.keywords.load import current_keywords, load_keywords, parse_keywords
from radiomon.keywords.matcher import Matcher, Mention, NearMissOptions
from radiomon.keywords.model import DEFAULT_THRESHOLD, Group, KeywordSet, Term
from radiomon.keywords.normalize import Token, normalize, tokenize, tokenize_words
from radiomon.keywords.phonetic import phonetic_key
from radiomon.keywords.words import words_from_text, words_from_whisper

__all__ = [
    "DEFAULT_THRESHOLD", "Confusion", "Group", "KeywordSet", "Matcher", "Mention", "NearMissOptions", "Term",
    "TermReport", "Token", "current_keywords", "explain", "load_keywords", "normalize", "parse_keywords",
    "phonetic_key", "tokenize", "tokenize_words", "words_from_text", "words_from_whisper",
]
