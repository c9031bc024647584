"""The typed form of keywords.yml: groups of terms to look for in transcripts.

These are plain frozen dataclasses: :mod:`radiomon.keywords.load` builds them
from YAML, :mod:`radiomon.keywords.matcher` compiles them, and tests build
them by hand. Field comments are the reference for what each key means.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Priority = Literal["normal", "high", "crisis"]
PRIORITIES: tuple[Priority, ...] = ("normal", "high", "crisis")

# Design-doc default: a window of heard words must score at least 88/100 against
# a term (spelling or Spanish phonetic key) to count. Terms that Whisper mangles
# more than that (proper nouns) lower it per term in keywords.yml.
DEFAULT_THRESHOLD = 88.0


@dataclass(frozen=True)
class Term:
    """One thing to look for, e.g. ``Moroleón``, and how strictly to match it."""

    term: str  # canonical spelling; reported as the mention's ``keyword``
    aliases: tuple[str, ...] = ()  # other spellings that count as this term (Moro León)
    threshold: float | None = None  # 0–100; None = the file's ``defaults.threshold``
    exclude: tuple[str, ...] = ()  # look-alikes that must not count (León, Morelia)

    @property
    def spellings(self) -> tuple[str, ...]:
        """The term first, then its aliases."""
        return (self.term, *self.aliases)


@dataclass(frozen=True)
class Group:
    """A set of terms reported together, e.g. a department or the crisis topics."""

    id: str  # key under ``groups:``; what ``--group`` and the mentions table use
    label: str = ""  # display name (Spanish); defaults to the id
    priority: Priority = "normal"  # crisis = alert at once; high = top of the digest
    terms: tuple[Term, ...] = ()
    report: bool = False  # a section of the weekly report by department (``dependencias`` always is)

    @property
    def title(self) -> str:
        return self.label or self.id


@dataclass(frozen=True)
class KeywordSet:
    """Everything keywords.yml says, in file order."""

    groups: tuple[Group, ...] = ()
    threshold: float = DEFAULT_THRESHOLD  # ``defaults.threshold``
    source: str = "keywords.yml"  # where it came from, for messages
    _by_id: dict[str, Group] = field(default=None, init=False, repr=False, compare=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {g.id: g for g in self.groups})

    def group(self, group_id: str) -> Group:
        """The group with this id; KeyError if there is none."""
        return self._by_id[group_id]

    def threshold_for(self, term: Term) -> float:
        """The threshold that applies to ``term``: its own, else the default."""
        return self.threshold if term.threshold is None else term.threshold

    @property
    def terms(self) -> tuple[tuple[Group, Term], ...]:
        """Every (group, term) pair, in file order."""
        return tuple((g, t) for g in self.groups for t in g.terms)
