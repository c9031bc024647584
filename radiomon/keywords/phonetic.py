"""A Spanish (Mexican) phonetic key: words that sound alike get the same key.

Whisper errs by sound, so "Vicente"/"Bisente" or "Salitre"/"Zalitre" should
compare as equal. The key encodes the spelling ambiguities of Mexican Spanish,
where these letters are pronounced the same (seseo, yeísmo):

* b / v → ``b``; n before b/p → ``m`` ("enviar" sounds "embiar")
* s / z / c before e,i / x → ``s`` (x is read as s, ks, j or sh; s is the
  commonest confusion); ``ks`` → ``s`` ("acción" ≈ "ación")
* ll / y → ``y``; a final y is the vowel ``i`` ("hoy" ≈ "oi")
* h is silent (except in ``ch``)
* qu before e,i / k / c before a,o,u and consonants → ``k``
* g before e,i → ``j``; gu before e,i keeps the u (it marks a hard g)
* rr → r; doubled letters collapse
* a final d is dropped in words of 3+ letters ("ciudad" ≈ "ciuda")

Input is any text; it is folded first (see :mod:`radiomon.keywords.normalize`),
and the key of a multi-word text is the keys of its words, space-separated.
The key is idempotent: ``phonetic_key(phonetic_key(x)) == phonetic_key(x)``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from radiomon.keywords.normalize import fold

# Applied in order to one folded word, repeated until nothing changes (a rule
# can create input for an earlier one: "kks" collapses to "ks", then "s"), so
# the key is a fixed point and therefore idempotent.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"(?<!c)h", ""),  # silent h first, so "ghe" is "ge"; "ch" is its own sound
        (r"ll", "y"),
        (r"qu(?=[ei])", "k"),
        (r"q", "k"),
        (r"c(?=[ei])", "s"),
        (r"c(?!h)", "k"),
        (r"g(?=[ei])", "j"),  # "gue"/"gui" are untouched: the u is followed by e/i, not the g
        (r"[zx]", "s"),
        (r"ks", "s"),
        (r"v", "b"),
        (r"w", "u"),
        (r"n(?=[bp])", "m"),
        (r"(.)\1+", r"\1"),  # rr → r, ll already y, ss/ee/oo collapse
    )
)
_FINAL_D = re.compile(r"(?<=..)d$")
_FINAL_Y = re.compile(r"(?<=[aeiou])y$")
# The same, for words one a line (:func:`word_keys`): no rule crosses a line
# ("." and the lookbehinds do not match a newline), and "$" ends each line.
_FINAL_D_LINES = re.compile(r"(?<=..)d$", re.MULTILINE)
_FINAL_Y_LINES = re.compile(r"(?<=[aeiou])y$", re.MULTILINE)


@lru_cache(maxsize=200_000)
def word_key(word: str) -> str:
    """Phonetic key of one folded word (lowercase a-z0-9, no spaces)."""
    return _fixed_point(word, _FINAL_D, _FINAL_Y)


def word_keys(words: Sequence[str]) -> list[str]:
    """:func:`word_key` of many words (the 50,000 of the frequent-word list
    at start): the rules applied to all of them at once, one word a line,
    until no line changes (a line at its fixed point stays there)."""
    if not words:
        return []
    return _fixed_point("\n".join(words), _FINAL_D_LINES, _FINAL_Y_LINES).split("\n")


def _fixed_point(text: str, final_d: re.Pattern, final_y: re.Pattern) -> str:
    """The rules applied to ``text`` until nothing changes (a word's end matched by ``final_d``/``final_y``)."""
    while True:
        before = text
        for pattern, replacement in _RULES:
            text = pattern.sub(replacement, text)
        text = final_d.sub("", text)
        text = final_y.sub("i", text)
        if text == before:
            return text


def phonetic_key(text: str) -> str:
    """Phonetic key of a text: "Bisente Salitre" and "Vicente Zalitre" → "bisente salitre"."""
    keys = (word_key(word) for word in fold(text).split())
    return " ".join(key for key in keys if key)  # a lone "h" has an empty key


# The names of the letters as said in Mexico, for an acronym read out letter
# by letter: "CFE" is "ce efe e", and some announcers (and espeak) say "DIF"
# as "de i efe", which Whisper writes "NEF", "Neyé fe" or "Meyé de".
LETTER_NAMES = {
    "a": "a", "b": "be", "c": "ce", "d": "de", "e": "e", "f": "efe", "g": "ge", "h": "hache", "i": "i",
    "j": "jota", "k": "ka", "l": "ele", "m": "eme", "n": "ene", "o": "o", "p": "pe", "q": "cu", "r": "erre",
    "s": "ese", "t": "te", "u": "u", "v": "ve", "w": "doble ve", "x": "equis", "y": "ye", "z": "zeta",
}


def spelled_out(acronym: str) -> str:
    """A folded acronym read letter by letter, glued into one word: "dif" → "deiefe".

    Glued, because Whisper writes the letters as one or two made-up words, so
    the heard window is compared with the whole sound, not letter by letter.
    Characters that are not letters a-z are kept as they are.
    """
    return "".join(LETTER_NAMES.get(c, c).replace(" ", "") for c in acronym)
