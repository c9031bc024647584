"""Editions of the síntesis: candidates from the archive, staff's edits kept, approval freezes, corrections."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from radiomon.archive import Archive, MentionRow
from radiomon.errors import EditConflict, QueryError
from radiomon.sintesis import editions
from radiomon.sintesis.candidates import headline_of, lede_of
from radiomon.transcript import Segment

MX = ZoneInfo("America/Mexico_City")
DAY = date(2026, 11, 25)
KEYWORDS = """\
groups:
  municipio:
    label: Municipio de Moroleón
    priority: high
    terms: [Moroleón]
  dependencias:
    label: Dependencias municipales
    terms: [Obras Públicas, DIF Moroleón]
"""


def add_mention(archive: Archive, station: str, hour: int, minute: int, group: str, keyword: str, context: str,
                review: str | None = None) -> int:
    when = datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=MX)
    recording_id, _ = archive.add_recording(station=station, start=when, duration=10.0, status="transcribed")
    archive.replace_segments(recording_id, [Segment(0.0, 5.0, context)])
    [segment] = archive.transcript_rows(recording_id)
    at = when.astimezone(timezone.utc)
    [row] = archive.replace_mentions(recording_id, [MentionRow(
        segment["id"], recording_id, station, group, keyword, keyword, 96.0, f"{at:%Y-%m-%dT%H:%M:%S}.000Z", 0.0,
        context)]).added
    if review:
        archive.set_review(row.id, review)
    return row.id


@pytest.fixture
def day(archive, deployment):
    (deployment / "keywords.yml").write_text(KEYWORDS, encoding="utf-8")
    return {
        "feria": add_mention(archive, "radio-uno", 8, 1, "municipio", "Moroleón",
                             "Hoy en Moroleón hay feria del tianguis con más de cuarenta puestos en la plaza."),
        "obras": add_mention(archive, "fm-oficina", 11, 0, "dependencias", "Obras Públicas",
                             "Obras Públicas terminó la pavimentación de la calle Hidalgo."),
        "dif": add_mention(archive, "fm-oficina", 12, 45, "dependencias", "DIF Moroleón",
                           "El DIF Moroleón vacuna a los niños esta semana."),
    }


def test_defaults_are_extracted_never_invented():
    assert headline_of("uno dos tres") == "uno dos tres"
    assert headline_of(" ".join(str(n) for n in range(20)), 5) == "0 1 2 3 4…"
    text = "Primera oración del cuerpo. Segunda oración aquí. Tercera no entra.\n\nOtro párrafo."
    assert lede_of(text) == "Primera oración del cuerpo. Segunda oración aquí."
    # extracted text that opens with the headline again: the lede is the paragraph after it
    assert lede_of("Arranca la campaña del DIF\nEl DIF Moroleón vacuna desde hoy.", title="Arranca la campaña "
                   "del DIF.") == "El DIF Moroleón vacuna desde hoy."


def test_a_day_edition_proposes_every_non_rejected_mention_once(config, archive, day):
    edition = editions.day_edition(config, archive, DAY)
    assert (edition.version, edition.state) == (1, "draft")
    assert sorted(i.mention_ids for i in edition.items) == sorted([(day["feria"],), (day["obras"],), (day["dif"],)])
    feria = next(i for i in edition.items if day["feria"] in i.mention_ids)
    assert feria.kind == "radio" and feria.section == "municipio" and feria.groups == ("municipio",)
    assert feria.headline.startswith("Hoy en Moroleón hay feria") and feria.summary.endswith("en la plaza.")
    assert feria.source["path"].startswith("/grabacion/") and feria.tone == "neutral"
    again = editions.day_edition(config, archive, DAY)  # nothing changed: nothing rebuilt, nothing doubled
    assert [i.id for i in again.items] == [i.id for i in edition.items] and again.rev == edition.rev


def test_edits_survive_new_mentions_and_a_false_positive_leaves(config, archive, day):
    edition = editions.day_edition(config, archive, DAY)
    feria = next(i for i in edition.items if day["feria"] in i.mention_ids)
    edited = archive.update_item(feria.id, {"headline": "Feria del tianguis en la plaza", "tone": "positiva",
                                            "featured": True}, rev=feria.rev, by="ana")
    assert edited.edited and edited.rev == feria.rev + 1 and edited.updated_by == "ana"
    assert archive.query("SELECT tone FROM mentions WHERE id = ?", (day["feria"],)) == [{"tone": "positiva"}]
    new = add_mention(archive, "radio-uno", 18, 0, "municipio", "Moroleón", "Por la tarde en Moroleón llueve.")
    archive.set_review(day["obras"], "rejected")
    rebuilt = editions.day_edition(config, archive, DAY)
    assert sorted(i.mention_ids for i in rebuilt.items) == sorted([(day["feria"],), (day["dif"],), (new,)])
    kept = archive.edition_item(feria.id)
    assert (kept.headline, kept.tone, kept.featured) == ("Feria del tianguis en la plaza", "positiva", True)
    changes = archive.edition_changes(edition.id)
    assert {"headline", "tone", "featured", "removed"} <= {c["field"] for c in changes}


def test_a_second_save_on_an_old_revision_is_refused_with_who_changed_it(config, archive, day):
    item = editions.day_edition(config, archive, DAY).items[0]
    archive.update_item(item.id, {"summary": "Resumen de Ana."}, rev=item.rev, by="ana")
    with pytest.raises(EditConflict) as refused:
        archive.update_item(item.id, {"summary": "Resumen de Luis."}, rev=item.rev, by="luis")
    assert refused.value.by == "ana" and refused.value.current.summary == "Resumen de Ana."
    assert archive.edition_item(item.id).summary == "Resumen de Ana."


def test_reorder_notes_approval_freezes_and_a_correction_is_a_new_version(config, archive, day):
    edition = editions.day_edition(config, archive, DAY)
    obras, dif = (next(i for i in edition.items if day[k] in i.mention_ids) for k in ("obras", "dif"))
    assert obras.position < dif.position
    archive.move_item(dif.id, -1, rev=dif.rev, by="ana")
    note = archive.add_note(edition.id, headline="El Sol de Moroleón (impreso): nuevo mercado",
                            summary="Nota de la edición impresa.", by="ana")
    archive.update_item(obras.id, {"included": False}, rev=obras.rev, by="ana")
    edition = archive.edition(edition.id)
    doc = editions.document(config, edition)
    titles = [s.title for s in doc.sections]
    assert titles == ["Municipio de Moroleón", "Dependencias municipales", "Otras notas"]
    assert [i.headline for i in doc.sections[1].items] == [archive.edition_item(dif.id).headline]
    assert doc.sections[2].items[0].id == note.id and doc.state == "draft"
    with pytest.raises(EditConflict):
        archive.approve_edition(edition.id, rev=edition.rev - 1, by="luz", frozen="{}")
    approved = editions.approve(config, archive, edition, by="luz", rev=edition.rev)
    assert approved.approved and approved.approved_by == "luz"
    assert editions.document(config, approved).approved_text.startswith("Aprobada por luz el ")
    with pytest.raises(QueryError, match="approved and kept as sent"):
        archive.update_item(dif.id, {"headline": "x"}, rev=archive.edition_item(dif.id).rev, by="ana")
    archive.set_review(day["dif"], "rejected")  # a later review does not change what was sent
    again = editions.day_edition(config, archive, DAY)
    assert again.id == approved.id and editions.document(config, again) == editions.document(config, approved)
    second = editions.correct(archive, again, by="luz")
    assert (second.version, second.state) == (2, "draft") and len(second.items) == len(approved.items)
    rebuilt = editions.day_edition(config, archive, DAY)
    assert rebuilt.id == second.id and all(day["dif"] not in i.mention_ids for i in rebuilt.items)


def test_digest_approve_and_editions_from_the_command_line(run, archive, day):
    assert run("digest", "editions", "--format", "json").output.strip() == "[]"
    approved = run("digest", "approve", "--date", DAY.isoformat())
    assert approved.exit_code == 0, approved.output
    assert "approved 2026-11-25 version 1: 3 item(s), by Coordinación" in approved.output
    again = run("digest", "approve", "--date", DAY.isoformat())
    assert again.exit_code == 1 and "already approved" in again.output and "Traceback" not in again.output
    listed = run("digest", "editions", "--format", "json")
    [record] = __import__("json").loads(listed.output)
    assert (record["day"], record["version"], record["state"], record["items"]) == ("2026-11-25", 1, "approved", 3)
    cut = run("digest", "approve", "--date", DAY.isoformat(), "--cut", "25:00")
    assert cut.exit_code == 1 and "--cut 25:00: not a time of day" in cut.output
    old_style = run("digest", "--date", DAY.isoformat())
    assert old_style.exit_code == 2 and "Missing option '-o'" in old_style.output


def test_only_a_coordinator_account_may_approve_from_the_command_line(run, archive, day):
    from radiomon.web import accounts

    accounts.add_user(archive, "ana", "contraseña-segura")
    accounts.add_user(archive, "luz", "contraseña-segura", "coordinador")
    refused = run("digest", "approve", "--date", DAY.isoformat(), "--by", "ana")
    assert refused.exit_code == 1 and "a prensa user cannot approve" in refused.output
    unknown = run("digest", "approve", "--date", DAY.isoformat(), "--by", "nadie")
    assert unknown.exit_code == 1 and "--by nadie: no such user" in unknown.output
    assert run("digest", "approve", "--date", DAY.isoformat(), "--by", "LUZ").exit_code == 0
    assert archive.latest_edition(DAY.isoformat()).approved_by == "luz"


def test_digest_document_writes_the_edition_as_sent_and_a_draft_as_it_stands(run, config, archive, day, tmp_path):
    import subprocess

    edition = editions.day_edition(config, archive, DAY)
    feria = next(i for i in edition.items if day["feria"] in i.mention_ids)
    archive.update_item(feria.id, {"headline": "Feria del tianguis en la plaza"}, rev=feria.rev, by="ana")
    draft = run("digest", "document", "--date", DAY.isoformat(), "-o", tmp_path / "borrador.pdf")
    assert draft.exit_code == 0 and "version 1 (draft), 3 item(s)" in draft.output, draft.output
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "borrador.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Feria del tianguis en la plaza" in text and "Moroleón" in text
    assert run("digest", "approve", "--date", DAY.isoformat()).exit_code == 0
    archive.set_review(day["dif"], "rejected")
    sent = run("digest", "document", "--date", DAY.isoformat(), "--version", "1", "-o", tmp_path / "enviada.docx")
    assert sent.exit_code == 0 and "version 1 (approved), 3 item(s)" in sent.output
    import docx

    words = "\n".join(p.text for p in docx.Document(tmp_path / "enviada.docx").paragraphs)
    assert "Feria del tianguis en la plaza" in words and "vacuna a los niños" in words  # as sent, DIF included
    missing = run("digest", "document", "--date", DAY.isoformat(), "--version", "2", "-o", tmp_path / "x.pdf")
    assert missing.exit_code == 1 and "--version 2:" in missing.output and not (tmp_path / "x.pdf").exists()
    guarded = run("digest", "document", "--date", DAY.isoformat(), "-o", config.archive)
    assert guarded.exit_code != 0 and "Traceback" not in guarded.output
