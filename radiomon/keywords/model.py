"""The typed form of keywords.yml: groups of terms to look for in transcripts.

These are plain frozen dataclasses: :mod:`radiomon.keywords.load` builds them
from YAML, :mod:`radiomon.keywords.matcher` compiles them, and tests build
them by hand. Field comments are the reference for what each key means.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from radiomon.keywords.derive import Derivation, derive, derive_all

Priority = Literal["normal", "high", "crisis"]
PRIORITIES: tuple[Priority, ...] = ("normal", "high", "crisis")

# Design-doc default: a window of heard words must score at least 88/100 against
# a term (spelling or Spanish phonetic key) to count. A term keywords.yml gives
# no threshold of its own may get a lower one, derived from how close real
# Spanish comes to it (radiomon/keywords/derive.py).
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
    # Terms without a threshold of their own get one derived from the term
    # (``defaults.derive_thresholds``, on in keywords.yml); off, the default applies.
    derive_thresholds: bool = True
    source: str = "keywords.yml"  # where it came from, for messages
    _by_id: dict[str, Group] = field(default=None, init=False, repr=False, compare=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {g.id: g for g in self.groups})

    def group(self, group_id: str) -> Group:
        """The group with this id; KeyError if there is none."""
        return self._by_id[group_id]

    def threshold_for(self, term: Term, spelling: str | None = None) -> float:
        """The threshold that applies to ``spelling`` of ``term`` (default: the
        term itself): the term's own, else the derived one, else the default."""
        if term.threshold is not None:
            return term.threshold
        derivation = self.derivation(term, spelling)
        return self.threshold if derivation is None else derivation.threshold

    def derivation(self, term: Term, spelling: str | None = None) -> Derivation | None:
        """How the threshold of ``spelling`` of ``term`` was derived; None where
        it was not (the term has its own, or derivation is off)."""
        if term.threshold is not None or not self.derive_thresholds:
            return None
        return derive(spelling or term.term, term.spellings, term.exclude, self.threshold)

    def derive_all(self) -> None:
        """Derive the threshold of every spelling that needs one, all at once
        (:meth:`derivation` then only looks them up): one by one, a file of
        10,000 terms took minutes."""
        if self.derive_thresholds:
            derive_all([(spelling, term.spellings, term.exclude, self.threshold)
                        for _, term in self.terms if term.threshold is None for spelling in term.spellings])

    @property
    def terms(self) -> tuple[tuple[Group, Term], ...]:
        """Every (group, term) pair, in file order."""
        return tuple((g, t) for g in self.groups for t in g.terms)
