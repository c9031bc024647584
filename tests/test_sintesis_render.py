"""The síntesis as a reader gets it: the PDF (read back with pdftotext), the DOCX (read back with
python-docx), the HTML and e-mail bodies, and each recipient's filtered document."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from docx import Document

from radiomon.config import SintesisRecipient
from radiomon.sintesis import render
from radiomon.sintesis.docx import document_docx
from radiomon.sintesis.model import TONE_LABELS, DocItem, DocSection, SintesisDocument
from radiomon.sintesis.pdf import document_pdf
from radiomon.sintesis.recipients import for_recipient

BASE = "https://radiomon.moroleon.example"


def item(n: int, headline: str, *, section: str = "municipio", title: str = "Municipio de Moroleón",
         tone: str = "neutral", kind: str = "radio", summary: str = "", groups: tuple = (), terms: tuple = (),
         featured: bool = False, **extra) -> DocItem:
    labels = {"radio": "Radio", "press": "Prensa", "note": "Nota"}
    where = {"radio": "Radio Uno Moroleón", "press": "Diario del Sur", "note": ""}[kind]
    return DocItem(id=n, kind=kind, kind_label=labels[kind], headline=headline,
                   summary=summary or f"Resumen del punto {n}.", tone=tone, tone_label=TONE_LABELS[tone],
                   featured=featured, section=section, section_title=title, time="08:01" if kind != "note" else "",
                   where=where, groups=groups or ((section,) if kind != "note" else ()), terms=terms, **extra)


def edition_doc(**changes) -> SintesisDocument:
    """An approved edition as the editor leaves it: a featured item, two groups, a free note; the headlines
    and summaries are a person's words (what the machine heard was different)."""
    featured = item(1, "Presidenta inaugura la pavimentación de la calle Hidalgo", section="destacadas",
                    title="Lo más importante", tone="positiva", featured=True, groups=("municipio",),
                    terms=("Moroleón",), summary="La obra de Obras Públicas terminó dos semanas antes de lo previsto.",
                    link=f"{BASE}/grabacion/7?t=95", testigo="20261125_080100_radio-uno_moroleon.mp3")
    sections = (
        DocSection("destacadas", "Lo más importante", (featured,)),
        DocSection("municipio", "Municipio de Moroleón", (
            item(2, "Vecinos de la colonia Centro se quejan de baches", tone="negativa",
                 groups=("municipio", "dependencias"), terms=("Moroleón", "Obras Públicas"),
                 summary="Piden a Obras Públicas reparar la calle Juárez antes de las lluvias."),
            item(3, "Tianguis del domingo cambia de lugar", terms=("Moroleón",),
                 airings="transmitida 3 veces (08:01, 09:01, 10:01)"),
        )),
        DocSection("dependencias", "Dependencias municipales", (
            item(4, "DIF Moroleón abre campaña de vacunación", section="dependencias",
                 title="Dependencias municipales", tone="positiva", kind="press", terms=("DIF Moroleón",),
                 url="https://diariodelsur.example/2026/11/25/vacunacion", also_in="También en: El Sol del Bajío"),
        )),
        DocSection("notas", "Otras notas", (
            item(5, "Nota del periódico impreso: feria del rebozo", section="notas", title="Otras notas",
                 kind="note", summary="Tomada de la edición impresa de El Sol del Bajío, página 4."),
        )),
    )
    values = dict(municipality="Moroleón, Guanajuato", office="Coordinación de Comunicación Social",
                  title="Síntesis informativa", day="2026-11-25", date_text="miércoles 25 de noviembre de 2026",
                  cut_text="", version=1, state="approved",
                  approved_text="Aprobada por Luz Pérez el 26/11/2026 a las 07:05",
                  coverage_text="3 h 20 min grabadas de 06:00 a 14:00 en 2 estaciones", featured=(featured,),
                  sections=sections, web_link=f"{BASE}/sintesis?dia=2026-11-25",
                  tones={"positiva": 2, "neutral": 2, "negativa": 1})
    values.update(changes)
    return SintesisDocument(**values)


def pdf_text(pdf: bytes, tmp_path: Path, *pages: int) -> str:
    path = tmp_path / "sintesis.pdf"
    path.write_bytes(pdf)
    limits = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    return subprocess.run(["pdftotext", "-layout", *limits, str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def page_count(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


# --- PDF ----------------------------------------------------------------------------------------------
def test_the_pdf_reads_back_as_the_office_document(tmp_path) -> None:
    pdf = document_pdf(edition_doc())
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf, tmp_path)
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    # Letterhead, title, date, what was monitored, who approved.
    assert lines[:4] == ["Moroleón, Guanajuato", "Coordinación de Comunicación Social", "Síntesis informativa",
                         "Miércoles 25 de noviembre de 2026"]
    assert "3 h 20 min grabadas de 06:00 a 14:00 en 2 estaciones" in lines
    assert "Aprobada por Luz Pérez el 26/11/2026 a las 07:05" in lines
    # The index: each section, its count and the page it starts on.
    index = [line for line in lines if line[:2] in ("1.", "2.", "3.", "4.")]
    assert [line.split(" (")[0] for line in index] == ["1. Lo más importante", "2. Municipio de Moroleón",
                                                       "3. Dependencias municipales", "4. Otras notas"]
    assert all(line.endswith(" 1") and "...." in line for line in index)
    # Each item with its tone mark, in the order the editor left them, with the editor's words.
    assert "▲ Positiva Presidenta inaugura la pavimentación de la calle Hidalgo" in lines
    assert "▼ Negativa Vecinos de la colonia Centro se quejan de baches" in lines
    assert "● Neutral Tianguis del domingo cambia de lugar" in lines
    order = [text.index(h) for h in ("Presidenta inaugura", "Vecinos de la colonia", "Tianguis del domingo",
                                     "DIF Moroleón abre", "feria del rebozo")]
    assert order == sorted(order)
    assert "La obra de Obras Públicas terminó dos semanas antes de lo previsto." in text
    assert "Testigo: 20261125_080100_radio-uno_moroleon.mp3" in text
    assert "Radio · Radio Uno Moroleón · 08:01 · transmitida 3 veces (08:01, 09:01, 10:01)" in lines
    assert "Tono: ▲ 2 positivas ● 2 neutrales ▼ 1 negativa" in lines
    assert "Página 1 de 1" in lines
    # No internal words reach the mayor.
    for internal in ("Sin revisar", "Confirmada", "(×", "approved", "draft"):
        assert internal not in text


def test_a_long_edition_numbers_its_pages_and_repeats_the_letterhead(tmp_path) -> None:
    many = tuple(item(100 + n, f"Punto número {n} del día", summary="Una línea de resumen. " * 12)
                 for n in range(40))
    doc = edition_doc(sections=(DocSection("municipio", "Municipio de Moroleón", many[:30]),
                                DocSection("dependencias", "Dependencias municipales", many[30:])))
    pdf = document_pdf(doc)
    pages = page_count(pdf, tmp_path)
    assert pages >= 3
    last = pdf_text(pdf, tmp_path, pages)
    assert f"Página {pages} de {pages}" in last
    assert "Moroleón, Guanajuato" in last and "Miércoles 25 de noviembre de 2026" in last  # running header
    first = [" ".join(line.split()) for line in pdf_text(pdf, tmp_path, 1).splitlines()]
    dependencias = next(line for line in first if line.startswith("2. Dependencias municipales (10)"))
    start = int(dependencias.rsplit(" ", 1)[1])
    assert 1 < start <= pages  # the index names the page the section starts on
    assert "Dependencias municipales" in pdf_text(pdf, tmp_path, start)
    assert "Punto número 30 del día" in pdf_text(pdf, tmp_path, start)  # its first item


def test_an_edition_with_nothing_says_so(tmp_path) -> None:
    text = pdf_text(document_pdf(edition_doc(sections=(), featured=(), tones={})), tmp_path)
    assert render.EMPTY_TEXT in " ".join(text.split())
    assert "Contenido" not in text


def test_the_cut_and_the_version_are_on_the_document(tmp_path) -> None:
    text = " ".join(pdf_text(document_pdf(edition_doc(cut_text="Corte de las 14:00", version=2)), tmp_path).split())
    assert "Miércoles 25 de noviembre de 2026 · Corte de las 14:00" in text
    assert "Versión 2: corrige la enviada antes." in text


# --- DOCX ---------------------------------------------------------------------------------------------
def test_the_docx_reads_back_editable_with_the_same_content() -> None:
    document = Document(io.BytesIO(document_docx(edition_doc(recipient="Obras Públicas"))))
    texts = [p.text for p in document.paragraphs]
    assert texts[:4] == ["Moroleón, Guanajuato", "Coordinación de Comunicación Social", "Síntesis informativa",
                         "Miércoles 25 de noviembre de 2026"]
    assert "Para: Obras Públicas" in texts
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Contenido", "Lo más importante", "Municipio de Moroleón", "Dependencias municipales",
                        "Otras notas"]
    index = [p.text for p in document.paragraphs if p.style.name == "List Number"]
    assert index == ["Lo más importante (1)", "Municipio de Moroleón (2)", "Dependencias municipales (1)",
                     "Otras notas (1)"]
    assert "▼ Negativa  Vecinos de la colonia Centro se quejan de baches" in texts
    assert "Piden a Obras Públicas reparar la calle Juárez antes de las lluvias." in texts
    assert "Prensa · Diario del Sur · 08:01" in texts
    # The letterhead in the page header, "Página N de M" as Word fields in the footer.
    section = document.sections[0]
    assert section.header.paragraphs[0].text == "Moroleón, Guanajuato · Coordinación de Comunicación Social"
    footer = section.footer.paragraphs[0]._p.xml
    assert " PAGE " in footer and " NUMPAGES " in footer
    # The article and the web UI are links.
    targets = {rel.target_ref for rel in document.part.rels.values() if rel.is_external}
    assert {"https://diariodelsur.example/2026/11/25/vacunacion", f"{BASE}/grabacion/7?t=95",
            f"{BASE}/sintesis?dia=2026-11-25"} <= targets


def test_the_docx_survives_characters_xml_cannot_hold() -> None:
    broken = edition_doc(sections=(DocSection("municipio", "Municipio", (item(9, "Titular\x02 con control"),)),))
    document = Document(io.BytesIO(document_docx(broken)))
    assert any("Titular con control" in p.text for p in document.paragraphs)


# --- HTML, e-mail, text -------------------------------------------------------------------------------
def test_the_html_escapes_what_people_and_transcripts_wrote() -> None:
    doc = edition_doc(sections=(DocSection("municipio", "Municipio", (item(9, "<script>alert(1)</script>"),)),))
    page = render.document_html(doc)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    mail = render.email_html(doc, ("pdf", "docx"))
    assert "<script>" not in mail and "<style" not in mail
    assert "Documento completo adjunto (PDF y Word)." in mail


def test_the_email_body_has_headlines_summaries_and_links() -> None:
    mail = render.email_html(edition_doc(), ("pdf",))
    assert "Presidenta inaugura la pavimentación de la calle Hidalgo" in mail
    assert "La obra de Obras Públicas terminó dos semanas antes de lo previsto." in mail
    assert 'href="https://diariodelsur.example/2026/11/25/vacunacion"' in mail
    assert f'href="{BASE}/grabacion/7?t=95"' in mail
    assert f'href="{BASE}/sintesis?dia=2026-11-25"' in mail
    assert render.subject(edition_doc()) == "Síntesis informativa — Miércoles 25 de noviembre de 2026"
    assert render.subject(edition_doc(version=2)).endswith("— versión 2 (corrección)")


def test_the_text_for_a_chat_has_the_items_and_a_link() -> None:
    text = render.email_text(edition_doc())
    assert text.splitlines()[0] == "Síntesis informativa — Miércoles 25 de noviembre de 2026"
    assert "▼ Vecinos de la colonia Centro se quejan de baches (Negativa)" in text
    assert f"Documento completo: {BASE}/sintesis?dia=2026-11-25" in text
    assert "<" not in text


# --- each recipient's part ----------------------------------------------------------------------------
def reader(name: str = "Lector", **kw) -> SintesisRecipient:
    return SintesisRecipient(name=name, url="mailto://127.0.0.1:25?from=r@moroleon.example&to=x@moroleon.example",
                             **kw)


def headlines(doc: SintesisDocument) -> list[str]:
    return [i.headline.split()[0] for i in doc.items]


def test_a_recipient_without_groups_or_terms_gets_everything() -> None:
    doc = for_recipient(edition_doc(), reader("Presidencia"))
    assert headlines(doc) == ["Presidenta", "Vecinos", "Tianguis", "DIF", "Nota"]
    assert doc.recipient == "Presidencia"


def test_a_recipient_gets_the_items_of_their_groups_and_terms_only() -> None:
    obras = for_recipient(edition_doc(), reader("Obras Públicas", terms=("obras publicas",)))
    assert headlines(obras) == ["Vecinos"]  # the term, written without accents, still matches
    assert [s.title for s in obras.sections] == ["Municipio de Moroleón"]
    assert obras.tones == {"positiva": 0, "neutral": 0, "negativa": 1}
    dependencias = for_recipient(edition_doc(), reader("Dependencias", groups=("dependencias",)))
    assert headlines(dependencias) == ["Vecinos", "DIF"]  # an item carries every group of its mentions
    assert dependencias.featured == ()
    both = for_recipient(edition_doc(), reader("DIF", groups=("dependencias",), terms=("Moroleón",)))
    assert headlines(both) == ["Presidenta", "Vecinos", "Tianguis", "DIF"]  # never the unplaced note
    assert [i.headline.split()[0] for i in both.featured] == ["Presidenta"]


@pytest.mark.parametrize("send_empty", [False, True])
def test_nothing_that_concerns_a_recipient_sends_nothing_unless_asked(send_empty) -> None:
    doc = for_recipient(edition_doc(), reader("Seguridad", groups=("seguridad",), send_empty=send_empty))
    if not send_empty:
        assert doc is None
    else:
        assert doc.empty and doc.sections == () and doc.recipient == "Seguridad"
        assert render.EMPTY_TEXT in render.email_html(doc)
