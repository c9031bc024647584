"""The síntesis document as HTML and text (pure): one template for the web preview and the PDF, a
simplified one with inline styles for the e-mail body, plain text for channels that take no HTML.

Everything staff wrote and everything the archive quotes is escaped (Jinja2 autoescape): a headline
holding ``<script>`` is shown as text. The page carries its own styles and no script, so the same
HTML is what WeasyPrint prints (radiomon/sintesis/pdf.py) and what the web UI previews.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader

from radiomon.sintesis.model import TONE_LABELS, TONES, DocItem, SintesisDocument

# A tone is marked by a sign as well as a colour, so it survives black-and-white printing.
TONE_MARKS = {"positiva": "▲", "negativa": "▼", "neutral": "●"}
_TONE_STYLES = {
    "positiva": "color:#1d6b2f;background:#e3f3e6;padding:0 4px;font-size:12px;",
    "negativa": "color:#9b1c1c;background:#fbe5e5;padding:0 4px;font-size:12px;",
    "neutral": "color:#555555;background:#eeeeee;padding:0 4px;font-size:12px;",
}
_TONE_PLURALS = {"positiva": "positivas", "negativa": "negativas", "neutral": "neutrales"}
EMPTY_TEXT = "Sin notas que reportar en esta edición."
FORMAT_NAMES = {"pdf": "PDF", "docx": "Word"}

_ENV = Environment(loader=PackageLoader("radiomon.sintesis", "templates"), autoescape=True, trim_blocks=True,
                   lstrip_blocks=True)


def heading(doc: SintesisDocument) -> str:
    """The edition's date line: "Miércoles 25 de noviembre de 2026 · Corte de las 14:00"."""
    text = doc.date_text[:1].upper() + doc.date_text[1:]
    return f"{text} · {doc.cut_text}" if doc.cut_text else text


def subject(doc: SintesisDocument) -> str:
    """The e-mail's subject (a channel's title)."""
    parts = [doc.title, heading(doc)]
    if doc.version > 1:
        parts.append(f"versión {doc.version} (corrección)")
    return " — ".join(parts)


def where_line(item: DocItem) -> str:
    """Where and when it was aired or printed: "Radio · Radio Uno — Noticiero · 08:01 · transmitida 3 veces"."""
    place = item.where + (f" — {item.program}" if item.program and item.where else item.program)
    parts = [item.kind_label, place, item.time, item.airings]
    return " · ".join(p for p in parts if p)


def tone_counts(doc: SintesisDocument) -> list[tuple[str, str, int]]:
    """``(tone, label, count)`` of the items shown, the tones that have any, in :data:`TONES` order."""
    counts = {t: 0 for t in TONES}
    for item in doc.items:
        counts[item.tone] = counts.get(item.tone, 0) + 1
    return [(t, _TONE_PLURALS[t] if n != 1 else TONE_LABELS[t].lower(), n) for t, n in counts.items() if n]


def _context(doc: SintesisDocument) -> dict:
    return {"doc": doc, "heading": heading(doc), "marks": TONE_MARKS, "tones": tone_counts(doc),
            "where_line": where_line, "empty_text": EMPTY_TEXT, "tone_styles": _TONE_STYLES}


def document_html(doc: SintesisDocument) -> str:
    """The whole document as one self-contained page: the web preview, and what the PDF is printed from."""
    return _ENV.get_template("sintesis.html").render(_context(doc))


def email_html(doc: SintesisDocument, formats: tuple[str, ...] = ()) -> str:
    """The e-mail body: headlines, summaries and links, inline styles only (mail clients drop <style>)."""
    attachments = " y ".join(FORMAT_NAMES.get(f, f) for f in formats)
    return _ENV.get_template("email.html").render({**_context(doc), "attachments": attachments})


def email_text(doc: SintesisDocument) -> str:
    """Plain text for a channel that takes neither HTML nor attachments (a chat): the items and a link."""
    lines = [f"{doc.title} — {heading(doc)}", f"{doc.office}, {doc.municipality}"]
    if doc.version > 1:
        lines.append(f"Versión {doc.version}: corrige la enviada antes.")
    for section in doc.sections:
        lines += ["", section.title.upper()]
        for item in section.items:
            lines.append(f"{TONE_MARKS[item.tone]} {item.headline} ({item.tone_label})")
            where = where_line(item)
            if where:
                lines.append(f"  {where}")
            if item.summary:
                lines.append(f"  {item.summary}")
            if item.url or item.link:
                lines.append(f"  {item.url or item.link}")
    if not doc.sections:
        lines += ["", EMPTY_TEXT]
    if doc.web_link:
        lines += ["", f"Documento completo: {doc.web_link}"]
    return "\n".join(lines)

