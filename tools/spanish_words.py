"""Rebuild radiomon/data/spanish-words.txt: frequent Spanish words, most frequent first.

The matcher derives a term's threshold from how close it comes to the
Spanish words Whisper writes (radiomon/keywords/derive.py). Whisper writes
frequent words, so the list is ranked by frequency and cut where words
stop being everyday ones. The frequencies come from wordfreq (not a
dependency of radiomon: run this where it is installed):

    pip install wordfreq==3.1.1 && python tools/spanish_words.py

Words are stored folded as the matcher reads them (no accents, lowercase);
forms that fold alike keep the rank of the most frequent. Digits,
one-letter words and words with other characters are left out.
"""

from __future__ import annotations

import sys
from importlib.metadata import version
from pathlib import Path

import wordfreq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from radiomon.keywords.normalize import normalize_word  # noqa: E402

TARGET = ROOT / "radiomon" / "data" / "spanish-words.txt"
# The 50,000th word of wordfreq's Spanish list has a Zipf frequency of 2.7
# (about one in two million words); below it are rare inflections, names
# and foreign words, which a threshold need not keep out.
COUNT = 50_000

HEADER = f"""\
# Frequent Spanish words, most frequent first, folded (no accents, lowercase).
# Built by tools/spanish_words.py from wordfreq {version('wordfreq')} by Robyn Speer
# (https://github.com/rspeer/wordfreq), whose data is licensed CC BY-SA 4.0;
# this list is a derivative of it under the same licence.
"""


def main() -> None:
    seen: dict[str, None] = {}
    for word in wordfreq.top_n_list("es", COUNT * 2):
        folded = normalize_word(word)
        if len(folded) >= 2 and folded.isalpha() and folded.isascii():
            seen.setdefault(folded)
        if len(seen) >= COUNT:
            break
    TARGET.write_text(HEADER + "\n".join(seen) + "\n", encoding="utf-8")
    print(f"{TARGET}: {len(seen)} words")


if __name__ == "__main__":
    main()
