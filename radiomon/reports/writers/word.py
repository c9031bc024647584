"""Word (DOCX, python-docx): the documents the office edits and sends as they are.

Built from Word's own styles (Title, Heading 1, Table Grid, List Bullet) so
the office can restyle them in Word or LibreOffice; letter paper, 2 cm
margins, as Mexican municipal documents are printed.
"""

from __future__ import annotations

import dataclasses
import io
import re

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Inches, Pt, RGBColor

from radiomon.wording import ALSO_IN, MEDIUM_LABELS, OUTLETS_HEADING

_ACCENT = RGBColor(0x7A, 0x1F, 0x2B)
_LINK = RGBColor(0x05, 0x63, 0xC1)  # Word's own hyperlink blue

# What XML 1.0 cannot hold (python-docx raises ValueError on it): C0 controls
# but tab and line breaks, lone surrogates, U+FFFE/U+FFFF; C1 controls and DEL
# are legal but mean nothing in a document. Quotes come from the archive,
# which an old import may have filled with "\x02" or ESC: the whole síntesis
# failed for one such quote.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters a DOCX cannot hold."""
    return _NOT_XML.sub("", text)


def _xml_safe(value):
    """A document model (dataclasses, tuples, lists, dicts of them) with every string made :func:`xml_text`."""
    if isinstance(value, str):
        return xml_text(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _xml_safe(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        return type(value)(_xml_safe(v) for v in value)
    if isinstance(value, dict):
        return {k: _xml_safe(v) for k, v in value.items()}
    return value


def _document():
    document = Document()
    for section in document.sections:
        section.page_width, section.page_height = Inches(8.5), Inches(11)
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(2)
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    return document


def _header(document, municipality: str, office: str) -> None:
    first = document.add_paragraph()
    run = first.add_run(municipality)
    run.bold = True
    run.font.size = Pt(14)
    run.font.color.rgb = _ACCENT
    document.add_paragraph(office)


def _table(document, headings, rows) -> None:
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, headings):
        cell.text = ""
        cell.paragraphs[0].add_run(str(heading)).bold = True
    for row in rows:
        cells = table.add_row().cells
        for index, (cell, value) in enumerate(zip(cells, row)):
            cell.text = str(value)
            if index and isinstance(value, int):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _hyperlink(paragraph, text: str, url: str):
    """A run of ``text`` that opens ``url`` (python-docx writes no hyperlinks itself: the run is moved
    into a ``w:hyperlink`` element whose relationship names the URL); returns the run to style."""
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
    run = paragraph.add_run(text)
    run.font.color.rgb = _LINK
    run.font.underline = True
    paragraph._p.append(link)
    link.append(run._r)
    return run


def _small(document, text: str = ""):
    line = document.add_paragraph()
    line.paragraph_format.left_indent = Cm(0.8)
    if text:
        line.add_run(text).font.size = Pt(9)
    return line


def _quote(document, parts) -> None:
    quote = document.add_paragraph()
    quote.paragraph_format.left_indent = Cm(0.8)
    quote.paragraph_format.space_after = Pt(2)
    for part in parts:
        quote.add_run(part.text).bold = part.bold


def _press(document, digest) -> None:
    """The Prensa part: per group, each story once, its headline linked to the outlet's page."""
    document.add_heading(MEDIUM_LABELS["press"], level=1)
    for section in digest.press:
        document.add_heading(f"{section.title} ({len(section.items)})", level=2)
        for item in section.items:
            head = document.add_paragraph()
            head.paragraph_format.space_after = Pt(0)
            head.add_run(f"{item.time} · {item.outlet}").bold = True
            head.add_run(" · ")
            if item.url:
                _hyperlink(head, item.title, item.url).bold = True
            else:
                head.add_run(item.title).bold = True
            head.add_run(" · ")
            head.add_run(item.keyword).italic = True
            _quote(document, item.quote)
            if item.also_in:
                line = _small(document, f"{ALSO_IN}: ")
                for n, other in enumerate(item.also_in):
                    if n:
                        line.add_run(", ").font.size = Pt(9)
                    _hyperlink(line, other.outlet, other.url).font.size = Pt(9)
            if item.link:
                _hyperlink(_small(document), "Ver en radiomon", item.link).font.size = Pt(9)


def _save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def digest_docx(digest) -> bytes:
    digest = _xml_safe(digest)
    document = _document()
    props = document.core_properties
    props.title, props.author = f"{digest.title} — {digest.date_text}", digest.office
    _header(document, digest.municipality, digest.office)
    document.add_heading(digest.title, level=0)
    document.add_paragraph(digest.date_text.capitalize())
    document.add_paragraph(digest.period_text)
    document.add_paragraph(digest.generated_text)

    document.add_heading("Resumen", level=1)
    if digest.summary:
        _table(document, digest.summary_headings, digest.summary_table)
    if digest.not_recorded:
        document.add_paragraph().add_run("Periodos sin grabación:").bold = True
        for note in digest.not_recorded:
            document.add_paragraph(f"{note.station}: de {note.start} a {note.end} ({note.reason})",
                                   style="List Bullet")
    if digest.empty:
        document.add_paragraph(digest.empty_text)

    # With press, radio and press are two parts, each with its groups under it.
    level = 1
    if digest.has_press and digest.sections:
        document.add_heading(MEDIUM_LABELS["radio"], level=1)
        level = 2
    for section in digest.sections:
        document.add_heading(f"{section.title} ({len(section.items)})", level=level)
        for item in section.items:
            head = document.add_paragraph()
            head.paragraph_format.space_after = Pt(0)
            head.add_run(f"{item.time} · {item.station}").bold = True
            if item.program:
                head.add_run(f" — {item.program}")
            head.add_run(" · ")
            head.add_run(", ".join(item.terms or (item.keyword,))).italic = True
            if item.aired_text:
                head.add_run(f" · {item.aired_text}")
            _quote(document, item.quote)
            if len(item.testigos) > 1:
                refs = [f"Testigos: {', '.join(item.testigos)}"]
            else:
                refs = [f"Testigo: {item.testigo}"] if item.testigo else []
            refs += [item.link] if item.link else []
            if refs:
                _small(document, " · ".join(refs))
    if digest.has_press:
        _press(document, digest)
    return _save(document)


def weekly_docx(report) -> bytes:
    from radiomon.reports.writers import chart  # matplotlib: only when a chart is drawn

    report = _xml_safe(report)
    document = _document()
    props = document.core_properties
    props.title, props.author = f"{report.title} — {report.period_text}", report.office
    _header(document, report.municipality, report.office)
    date_line = document.add_paragraph(report.date_text)
    date_line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_heading(report.title, level=0)
    document.add_paragraph(report.period_text)

    document.add_heading("Resumen general", level=1)
    _table(document, ["Concepto", "Semana"], [list(row) for row in report.overview])
    document.add_heading("Resumen por dependencia", level=1)
    _table(document, report.department_headings, report.department_table)
    if report.busiest_stations:
        document.add_heading("Estaciones con más menciones", level=1)
        _table(document, ["Estación", "Menciones"], [[s.station, s.count] for s in report.busiest_stations])
    if report.busiest_outlets:
        document.add_heading(OUTLETS_HEADING, level=1)
        _table(document, ["Medio", "Menciones"], [[o.station, o.count] for o in report.busiest_outlets])
    if report.busiest_programs:
        document.add_heading("Programas con más menciones", level=1)
        _table(document, ["Programa", "Estación", "Menciones"],
               [[p.program, p.station, p.count] for p in report.busiest_programs])

    if report.tone_table:
        document.add_heading("Tono por dependencia", level=1)
        if report.has_tone_chart:
            document.add_picture(io.BytesIO(chart.tone_chart(report)), width=Cm(16))
        _table(document, ["Dependencia", *report.tone_headings, "Total"], report.tone_table)
        document.add_heading("Tono por estación o medio", level=1)
        _table(document, ["Estación o medio", *report.tone_headings, "Total"], report.tone_source_table)

    for dept in report.departments:
        document.add_heading(dept.title, level=1)
        if not dept.total:
            document.add_paragraph("Sin menciones en la semana.")
            continue
        if dept.has_chart:
            document.add_picture(io.BytesIO(chart.department_chart(report, dept)), width=Cm(16))
        if dept.by_station or not dept.by_outlet:
            _table(document, ["Estación", *report.day_headings, "Total"],
                   [[r.station, *r.counts, r.total] for r in dept.by_station])
        if dept.by_outlet:
            _table(document, ["Medio", *report.day_headings, "Total"],
                   [[r.station, *r.counts, r.total] for r in dept.by_outlet])
        document.add_paragraph().add_run("Citas destacadas:").bold = True
        for quote in dept.top_quotes:
            line = document.add_paragraph(style="List Bullet")
            line.add_run(f"{quote.when} · {quote.station} · ")
            line.add_run(quote.keyword).italic = True
            line.add_run(f": “{quote.text}”")

    document.add_paragraph()
    document.add_paragraph("Atentamente,")
    document.add_paragraph()
    document.add_paragraph(report.coordinator or "_______________________")
    document.add_paragraph(report.office)
    return _save(document)
