"""Keyword matching: find every reference to the municipality in transcripts.

Pure functions and dataclasses; the only I/O is :func:`load_keywords`.

    keywords = load_keywords("keywords.yml")
    matcher = Matcher(keywords)
    mentions = matcher.find_mentions(words_from_whisper(segment["words"], segment_id=7))
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
