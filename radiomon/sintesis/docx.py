"""The síntesis as Word (DOCX, python-docx): the same document as the PDF, left editable.

Word's own styles (Title, Heading 1/2, List Number) and the house's letter
paper and margins (radiomon/reports/writers/word.py), so the office can
restyle or amend it in Word or LibreOffice before forwarding it. The
letterhead sits in the page header and "Página N de M" in the footer as
Word fields, which Word fills in as it paginates.
"""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from radiomon.reports.writers.word import _ACCENT, _document, _hyperlink, _save, _small, _xml_safe
from radiomon.sintesis.model import SintesisDocument
from radiomon.sintesis.render import EMPTY_TEXT, TONE_MARKS, heading, tone_counts, where_line

TONE_COLORS = {"positiva": RGBColor(0x1D, 0x6B, 0x2F), "negativa": RGBColor(0x9B, 0x1C, 0x1C),
               "neutral": RGBColor(0x55, 0x55, 0x55)}


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) in ``paragraph``; "1" stands in until Word updates it."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", "1"), ("end", None)):
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        elif kind == "text":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)
    run.font.size = Pt(8)


def _letterhead_and_page_numbers(document, doc: SintesisDocument) -> None:
    section = document.sections[0]
    top = section.header.paragraphs[0]
    run = top.add_run(doc.municipality)
    run.bold, run.font.size, run.font.color.rgb = True, Pt(9), _ACCENT
    top.add_run(f" · {doc.office}").font.size = Pt(9)
    foot = section.footer.paragraphs[0]
    foot.alignment = 2  # right
    foot.add_run(f"{doc.title} · {heading(doc)} · Página ").font.size = Pt(8)
    _field(foot, "PAGE")
    foot.add_run(" de ").font.size = Pt(8)
    _field(foot, "NUMPAGES")


def _tone(paragraph, tone: str, label: str) -> None:
    run = paragraph.add_run(f"{TONE_MARKS[tone]} {label}")
    run.bold, run.font.size, run.font.color.rgb = True, Pt(8.5), TONE_COLORS[tone]
    paragraph.add_run("  ")


def document_docx(doc: SintesisDocument) -> bytes:
    """The document as DOCX bytes."""
    doc = _xml_safe(doc)
    document = _document()
    props = document.core_properties
    props.title, props.author = f"{doc.title} — {heading(doc)}", doc.office
    _letterhead_and_page_numbers(document, doc)
    first = document.add_paragraph()
    run = first.add_run(doc.municipality)
    run.bold, run.font.size, run.font.color.rgb = True, Pt(14), _ACCENT
    document.add_paragraph(doc.office)
    document.add_heading(doc.title, level=0)
    document.add_paragraph(heading(doc))
    for line in (f"Versión {doc.version}: corrige la enviada antes." if doc.version > 1 else "",
                 f"Para: {doc.recipient}" if doc.recipient else "", doc.coverage_text, doc.approved_text):
        if line:
            document.add_paragraph(line).runs[0].font.size = Pt(9.5)
    tones = tone_counts(doc)
    if tones:
        line = document.add_paragraph()
        line.add_run("Tono: ").font.size = Pt(9.5)
        for tone, label, count in tones:
            _tone(line, tone, f"{count} {label}")

    if not doc.sections:
        document.add_paragraph(EMPTY_TEXT).runs[0].italic = True
        return _save(document)
    document.add_heading("Contenido", level=1)
    for section in doc.sections:
        document.add_paragraph(f"{section.title} ({len(section.items)})", style="List Number")
    for section in doc.sections:
        document.add_heading(section.title, level=1)
        for item in section.items:
            head = document.add_paragraph()
            head.paragraph_format.space_after = Pt(0)
            head.paragraph_format.keep_with_next = True
            _tone(head, item.tone, item.tone_label)
            head.add_run(item.headline).bold = True
            where = where_line(item)
            if where:
                line = document.add_paragraph()
                line.paragraph_format.space_after = Pt(0)
                line.paragraph_format.keep_with_next = True
                line.add_run(where).font.size = Pt(9)
            if item.summary:
                summary = document.add_paragraph(item.summary)
                summary.paragraph_format.space_after = Pt(2)
            if not (item.url or item.link or item.testigo or item.also_in):
                continue
            refs = _small(document)
            parts = 0
            if item.url:
                _hyperlink(refs, "Nota original", item.url).font.size = Pt(9)
                parts += 1
            if item.link:
                if parts:
                    refs.add_run(" · ").font.size = Pt(9)
                _hyperlink(refs, "Escuchar en radiomon" if item.kind == "radio" else "Ver en radiomon",
                           item.link).font.size = Pt(9)
                parts += 1
            for text in (f"Testigo: {item.testigo}" if item.testigo else "", item.also_in):
                if text:
                    refs.add_run((" · " if parts else "") + text).font.size = Pt(9)
                    parts += 1
    if doc.web_link:
        line = document.add_paragraph()
        line.add_run("En línea: ").font.size = Pt(9)
        _hyperlink(line, doc.web_link, doc.web_link).font.size = Pt(9)
    return _save(document)
