"""The síntesis as a PDF: the preview's HTML (radiomon/sintesis/render.py) printed by WeasyPrint.

WeasyPrint lays out the page itself (Pango for text, no browser): letter
paper, the letterhead repeated at the top of every page after the first,
"Página 3 de 7" at the foot and the index's page numbers (``target-counter``)
come from the template's ``@page`` rules. It needs the Pango libraries of the
system (``libpango-1.0-0``, ``libpangoft2-1.0-0``); the template names no
remote resource, so printing never touches the network.
"""

from __future__ import annotations

import logging

from radiomon.sintesis.model import SintesisDocument
from radiomon.sintesis.render import document_html

log = logging.getLogger(__name__)

# WeasyPrint's loggers report every CSS property it does not know (the browser-only ones of the shared
# template) as a warning; they say nothing about the document.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def _url_fetcher(url: str, *args, **kwargs):
    # Nothing outside the document is fetched: an article's image or a link never delays a PDF.
    raise ValueError(f"radiomon's PDFs load nothing from outside ({url})")


def document_pdf(doc: SintesisDocument) -> bytes:
    """The document as PDF bytes."""
    from weasyprint import HTML  # imported on first use: it loads Pango, and most commands never print

    title = f"{doc.title} — {doc.date_text}"
    pdf = HTML(string=document_html(doc), url_fetcher=_url_fetcher).write_pdf()
    log.debug("printed %s: %d bytes", title, len(pdf))
    return pdf
