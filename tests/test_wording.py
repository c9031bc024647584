"""One word for one review state: the web UI, the documents and the manual say the same."""

from __future__ import annotations

import re
from pathlib import Path

from radiomon import wording
from radiomon.reports import spanish

ROOT = Path(__file__).resolve().parent.parent
# Every way the review states were ever labelled, capitalized as a label is.
LABELS = re.compile(r"Falso positivo|Falsos positivos|Descartad[ao]s?\b|Confirmadas?\b|Sin revisar")


def test_the_documents_and_the_web_label_a_wrong_match_alike():
    # The documents said "Descartada" where the review button and the web said "Falso positivo".
    assert spanish.review_label("rejected") == wording.review_label("rejected") == "Falso positivo"
    assert [spanish.review_label(r) for r in ("confirmed", None)] == ["Confirmada", "Sin revisar"]
    assert wording.review_label("rejected") == wording.REVIEW_ACTIONS["rejected"]


def test_review_labels_are_written_only_in_the_wording_module():
    written = [f"{path.relative_to(ROOT)}: {found}"
               for path in sorted((ROOT / "radiomon").rglob("*")) if path.suffix in (".py", ".html", ".txt")
               and path.name != "wording.py" and "data" not in path.parts
               for found in LABELS.findall(path.read_text(encoding="utf-8"))]
    assert written == []


def test_old_review_words_in_links_mean_the_same_state():
    assert wording.review_word("descartadas") == wording.review_word("falsos-positivos") == "rejected"
    assert wording.canonical_review_word("descartadas") == "falsos-positivos"
    assert wording.canonical_review_word("") == "" and wording.review_word("todas") is None
    assert list(wording.REVIEW_WORDS) == list(wording.REVIEW_FILTER_LABELS) == list(wording.SEARCH_FILTER_LABELS)


def test_the_manual_never_calls_a_review_state_by_another_word():
    manual = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs" / "manual").glob("*.md")))
    assert not re.search(r"[Dd]escartad", manual)
    for label in (*wording.REVIEW_LABELS.values(), *wording.REVIEW_FILTER_LABELS.values()):
        assert f"**{label}**" in manual
