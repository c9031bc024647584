"""Vocabulary biasing: the proper nouns of keywords.yml as Whisper's prompt.

Whisper spells a name it has rarely seen by its sound ("Moreón", "un
hangado"); given the names as previous text it spells them right
("Moroleón", "Uriangato"). The same string is given to both engines as the
initial prompt of every clip (faster-whisper and openai-whisper put it after
``<|startofprev|>``, exactly like ``hotwords``), so the engines stay
comparable.

The prompt shares Whisper's 448-token window with the text being decoded,
and a long prompt slows every clip, so it is capped by a token budget;
terms are taken from crisis groups first, then high, then normal, each group
in file order. Only terms with a capital letter are used — proper nouns and
acronyms (Moroleón, DIF, SMAPAM) — and those with a word outside everyday
Spanish (Uriangato, Piñícuaro) go before those made of common words (Obras
Públicas, Casa de la Cultura): Whisper already spells the latter, and
lowercase terms (balacera, alcalde) are left out for the same reason.
Aliases are left out on purpose: they are the misspellings the matcher
forgives, not spellings to teach the model.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Sequence

log = logging.getLogger(__name__)

# Of Whisper's 223 prompt tokens. A long prompt makes clips loop on it (the
# decoder repeats the names) and slows every clip; about 64 tokens of names
# are what the proper nouns gain from, at a tenth more time
# (benchmarks/NOTES.md).
PROMPT_TOKEN_BUDGET = 64
_PRIORITY_ORDER = {"crisis": 0, "high": 1, "normal": 2}
# Words among the this many most frequent of the packaged Spanish list are
# ones Whisper writes without help (Instituto, Mujer, Rural, Becas, Laguna,
# Manuel, Gabriel: the 20,000th is "dogma"); a term's rarer words are what
# the prompt's few tokens are for (Churipitzeo, Cuerámaro, Ledesma).
ORDINARY_RANK = 20_000
# Everyday words of Mexican institution and place names, which Whisper spells
# right on its own (folded). Names outside this list and the keyword
# matcher's common words are what the prompt is for.
_ORDINARY = frozenset("""
    agua ayuntamiento cabildo calle camino casa catastro centro civil colonia comunicacion cultura
    deporte deportes desarrollo direccion economico ecologia educacion fiscalizacion honorable juarez
    movilidad municipal municipales obras ojo presidencia presidenta presidente proteccion publica
    publicas publico publicos salud san santa santiago seguridad servicios social soledad tesoreria
    transito valle zona
""".split())


def approximate_tokens(text: str) -> int:
    """Whisper's BPE spends about one token per 3 characters of Spanish."""
    return len(text) // 3 + 1


def build_prompt(keywords, *, budget: int = PROMPT_TOKEN_BUDGET,
                 count_tokens: Callable[[str], int] = approximate_tokens) -> str | None:
    """The prompt for a :class:`~radiomon.keywords.model.KeywordSet` (pure), or None.

    ``keywords`` only needs ``groups`` with ``priority`` and ``terms`` (each
    with ``term``), so tests pass plain objects.
    """
    groups = sorted(enumerate(keywords.groups), key=lambda ig: (_PRIORITY_ORDER.get(ig[1].priority, 3), ig[0]))
    terms = [" ".join(term.term.split()) for _, group in groups for term in group.terms]
    terms = [t for t in terms if t and t != t.lower()]
    # Names first, whole terms after: a word already taught is not repeated
    # ("DIF Moroleón" adds only "DIF" once "Moroleón" is in).
    candidates = [w for t in terms for w in t.split() if _is_rare(w)] + terms
    chosen: list[str] = []
    taught: set[str] = set()
    for text in candidates:
        words = {w.casefold() for w in text.split() if w != w.lower()}
        if words <= taught:
            continue
        if count_tokens(" " + (prompt_sentence([*chosen, text]) or "")) > budget:
            break
        chosen.append(text)
        taught |= words
    return prompt_sentence(chosen)


def _is_rare(word: str) -> bool:
    """A capitalized word outside everyday Spanish: a name Whisper cannot know
    (Piñícuaro, Churipitzeo), or an acronym (DIF, SMAPAM)."""
    stripped = word.strip(".")
    if word == word.lower() or len(stripped) < 3:
        return False
    if stripped.isupper():
        return True
    try:
        from radiomon.keywords.common_words import COMMON_WORDS
        from radiomon.keywords.derive import packaged_lexicon
        from radiomon.keywords.normalize import strip_accents
    except ImportError:  # pragma: no cover - keep biasing even if the lists move
        return True
    folded = strip_accents(stripped).lower()
    return (folded not in COMMON_WORDS and folded not in _ORDINARY
            and packaged_lexicon().rank(folded) >= ORDINARY_RANK)


def prompt_sentence(terms: Sequence[str]) -> str | None:
    """A sentence, not a bare list: a list of Title Case names invites Whisper
    to continue the list (loops) and to capitalize every word it hears."""
    if not terms:
        return None
    listed = terms[0] if len(terms) == 1 else ", ".join(terms[:-1]) + " y " + terms[-1]
    return f"Noticias locales: {listed}."


def naming(prompt: str | None, term: str) -> str:
    """``prompt`` with ``term`` added at its end (pure): how keyword rescoring
    asks Whisper "was it this term?" (rescore.py), biased as decoding is, by
    previous text, and towards the one term in question."""
    if not prompt:
        return prompt_sentence([term]) or term
    return f"{prompt.rstrip().rstrip('.')}, {term}."


def prompt_from_file(path: Path | None, *, count_tokens: Callable[[str], int] = approximate_tokens,
                     budget: int = PROMPT_TOKEN_BUDGET) -> str | None:
    """The prompt for keywords.yml at ``path``; None (and a log line) when there is none.

    A missing file only means no biasing. A broken one is the user's to fix,
    so its ConfigError propagates.
    """
    if path is None or not Path(path).is_file():
        log.info("no keywords file at %s: transcribing without vocabulary biasing", path)
        return None
    from radiomon.keywords.load import load_keywords

    return prompt_for(load_keywords(path), count_tokens=count_tokens, budget=budget)


def prompt_for(keywords, *, count_tokens: Callable[[str], int] = approximate_tokens,
               budget: int = PROMPT_TOKEN_BUDGET) -> str | None:
    """:func:`build_prompt`, logged (the prompt a batch decodes with is worth knowing)."""
    prompt = build_prompt(keywords, budget=budget, count_tokens=count_tokens)
    log.info("vocabulary prompt (%d tokens): %s", count_tokens(" " + prompt) if prompt else 0, prompt)
    return prompt


def whisper_token_counter(model_dir: Path | None) -> Callable[[str], int]:
    """Exact token counts with the model's own tokenizer.json, else the approximation."""
    if model_dir is None or not (Path(model_dir) / "tokenizer.json").is_file():
        return approximate_tokens
    try:
        import tokenizers

        tokenizer = tokenizers.Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
    except Exception:  # noqa: BLE001 - fall back, counting is only a budget
        return approximate_tokens
    return lambda text: len(tokenizer.encode(text, add_special_tokens=False).ids)
