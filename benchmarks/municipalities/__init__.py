"""The municipalities the mentions evaluation can put on air.

Each has its sentences (text and the mentions it holds) and a keywords file
written plainly, the way a new office would: terms, look-alikes to exclude
and the other ways a name is really written, the default threshold only.
Moroleón also has the bundled radiomon/data/keywords.yml, tuned on this
evaluation's misses and false mentions.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from municipalities import moroleon, penjamo

HERE = Path(__file__).resolve().parent
BUNDLED_KEYWORDS = Path(str(resources.files("radiomon") / "data" / "keywords.yml"))

# (text, one (group, keyword's first word) per mention the text holds)
Sentence = tuple[str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Municipality:
    key: str  # what --municipality takes
    name: str
    sentences: list[Sentence]
    plain: Path  # keywords written plainly
    tuned: Path | None = None  # keywords tuned on this evaluation, where there are any


MUNICIPALITIES = {
    "moroleon": Municipality("moroleon", "Moroleón", moroleon.SENTENCES, HERE / "keywords-moroleon-plain.yml",
                             tuned=BUNDLED_KEYWORDS),
    "penjamo": Municipality("penjamo", "Pénjamo", penjamo.SENTENCES, HERE / "keywords-penjamo.yml"),
}
