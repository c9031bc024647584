"""Each reader's síntesis: the approved document filtered to what concerns them (pure).

A recipient of radiomon.yml with neither ``groups`` nor ``terms`` gets the
whole edition. One with either gets the items whose mentions were of one of
their groups or of one of their terms (an item carries every group and term
of its mentions, so a story on Obras Públicas heard in a "municipio"
sentence still reaches the Obras Públicas head). A free note that staff
placed in no group reaches only those who get everything. When nothing is
left the reader gets nothing at all, unless ``send_empty`` asks for the
empty document ("Sin notas que reportar").
"""

from __future__ import annotations

import dataclasses
import unicodedata

from radiomon.config import SintesisRecipient
from radiomon.sintesis.model import TONES, DocItem, SintesisDocument


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def concerns(item: DocItem, recipient: SintesisRecipient) -> bool:
    """Whether ``item`` goes to ``recipient`` (see the module's doc)."""
    if not recipient.groups and not recipient.terms:
        return True
    if set(item.groups) & set(recipient.groups):
        return True
    wanted = {_folded(t) for t in recipient.terms}
    return any(_folded(t) in wanted for t in item.terms)


def for_recipient(doc: SintesisDocument, recipient: SintesisRecipient) -> SintesisDocument | None:
    """``doc`` as ``recipient`` gets it, or None when nothing in it concerns them (and not ``send_empty``)."""
    sections = []
    for section in doc.sections:
        items = tuple(i for i in section.items if concerns(i, recipient))
        if items:
            sections.append(dataclasses.replace(section, items=items))
    if not sections and not recipient.send_empty:
        return None
    featured = tuple(i for i in doc.featured if concerns(i, recipient))
    kept = [i for s in sections for i in s.items]
    tones = {t: sum(1 for i in kept if i.tone == t) for t in TONES}
    return dataclasses.replace(doc, sections=tuple(sections), featured=featured, tones=tones,
                               recipient=recipient.name)
