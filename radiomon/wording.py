"""The staff's words for a mention's review, written once for the web UI and the documents.

A wrong match is a *falso positivo*: that is what the office's staff call it
when they review mentions, what the review button says and what the manual
teaches. The documents once said "Descartada" for the same state, so a
reviewer who marked "Falso positivo" read another word elsewhere. Every
label of a review state lives here; the web templates, the web filters and
the documents (radiomon.reports) read it from here.
"""

from __future__ import annotations

# A mention's review state (the archive's mentions.review) as one mention is labelled.
REVIEW_LABELS = {"confirmed": "Confirmada", "rejected": "Falso positivo", None: "Sin revisar"}

# The buttons that set a review state (None undoes the review).
REVIEW_ACTIONS = {"confirmed": "Confirmar", "rejected": "Falso positivo", None: "Deshacer"}

# The review filter in page URLs (?estado= on Menciones, ?revision= on Buscar) and the
# Filters.review each word means, in the order the filter lists them.
REVIEW_WORDS = {"pendientes": "pending", "confirmadas": "confirmed", "falsos-positivos": "rejected"}
# Words of links shared before the review states had one word each; still understood.
OLD_REVIEW_WORDS = {"descartadas": "rejected"}

# The filter's choices: the mentions of a day (Menciones) …
REVIEW_FILTER_LABELS = {"pendientes": "Sin revisar", "confirmadas": "Confirmadas",
                        "falsos-positivos": "Falsos positivos"}
# … and the recordings searched by their mentions (Buscar).
SEARCH_FILTER_LABELS = {"pendientes": "Con mención sin revisar", "confirmadas": "Con mención confirmada",
                        "falsos-positivos": "Con falso positivo"}


def review_label(review: str | None) -> str:
    """``Confirmada``, ``Falso positivo`` or ``Sin revisar`` (an unknown state as it is stored)."""
    return REVIEW_LABELS.get(review, review or REVIEW_LABELS[None])


def review_word(word: str) -> str | None:
    """The Filters.review a URL's review word means (None: not a review word)."""
    return REVIEW_WORDS.get(word) or OLD_REVIEW_WORDS.get(word)


def canonical_review_word(word: str) -> str:
    """The word the filter lists for a URL's review word (an old link's ``descartadas`` → ``falsos-positivos``)."""
    review = review_word(word)
    return next((w for w, r in REVIEW_WORDS.items() if r == review), word)

# A mention's medium (MentionRow.medium, the JSON's ``medium``) as the documents, the alerts and the web UI name it.
MEDIUM_LABELS = {"radio": "Radio", "press": "Prensa"}
# Before the other outlets that printed the same story (a síntesis' press item).
ALSO_IN = "También en"
# The weekly report's table of the outlets with most mentions.
OUTLETS_HEADING = "Medios impresos y digitales con más menciones"


def medium_label(medium: str | None) -> str:
    """``Radio`` or ``Prensa`` (a mention without a medium is radio's, as before the press)."""
    return MEDIUM_LABELS.get(medium or "radio", medium or "")


# Why a stretch was not recorded (the archive's gaps.reason), as staff read it in pages and documents.
GAP_REASON_LABELS = {
    "network": "sin señal",
    "stall": "transmisión detenida",
    "silence": "silencio",
    "off-schedule": "fuera de horario",
    "disk": "disco lleno",
    "error": "falla del grabador",
    "stopped": "grabación detenida",
    "unrecorded": "sin grabación",
}


def gap_reason(reason: str | None) -> str:
    """``sin señal`` for ``network``…; an unknown reason as it is stored."""
    return GAP_REASON_LABELS.get(reason, reason or "")
