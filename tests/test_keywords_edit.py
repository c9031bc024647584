"""keywords.yml changed as the web page and the API change it: in place (every other byte kept),
refused exactly where `radiomon keywords check` refuses (its explanation, in Spanish too), recorded
with undo byte for byte, and a stale version refused."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from radiomon import keyword_changes
from radiomon.errors import ConfigError
from radiomon.keywords import current_keywords
from radiomon.keywords.edit_terms import TermSpec, put_group, put_term, remove_group, remove_term
from radiomon.keywords.load import keywords_from_text
from radiomon.keywords.refusals import KeywordEditError, StaleVersionError

SHIPPED = (Path(__file__).parents[1] / "radiomon" / "data" / "keywords.yml").read_text(encoding="utf-8")


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def check_refusal(text: str) -> str:
    """What `radiomon keywords check` says of a file holding ``text``."""
    with pytest.raises(ConfigError) as refused:
        keywords_from_text(text)
    return str(refused.value)


def test_a_term_added_to_the_crisis_group_is_one_line_more_and_nothing_else_changes():
    after = put_term(SHIPPED, "crisis", TermSpec("fuga de gas", ("fuga de gas natural",), (), "90"))
    entry = "{term: fuga de gas, aliases: [fuga de gas natural], threshold: 90}"
    assert changed_lines(SHIPPED, after) == [f"+      - {entry}"]
    crisis = keywords_from_text(after).group("crisis")
    assert crisis.terms[-1].term == "fuga de gas" and crisis.terms[-1].threshold == 90
    assert put_term(SHIPPED, "presidencia", TermSpec("cabildo abierto")).count("\n") == SHIPPED.count("\n") + 1


def test_a_term_replaced_removed_and_groups_changed_in_place_keep_the_comments():
    replaced = put_term(SHIPPED, "municipio", TermSpec("Moroleón", ("Moro León",), ("León",), 82), replacing="moroleon")
    assert changed_lines(SHIPPED, replaced)[-1] == "+      - {term: Moroleón, aliases: [Moro León], threshold: 82, " \
                                                  "exclude: [León]}"
    assert "# Threshold 80: \"Moreón\" and \"Morreón\"" in replaced  # the comment above the entry stays
    removed = remove_term(SHIPPED, "dependencias", "SMAPAM")
    assert changed_lines(SHIPPED, removed) == [
        '-      # The water utility. Read as a word ("esmapam") or letter by letter.', "-      - term: SMAPAM",
        "-        aliases:", "-          - Sistema Municipal de Agua Potable y Alcantarillado de Moroleón",
        "-          - Agua Potable de Moroleón"]
    relabeled = put_group(SHIPPED, "crisis", label="Crisis y emergencias", priority="high")
    assert changed_lines(SHIPPED, relabeled) == [
        "-    label: Temas de crisis", "-    priority: crisis   # alert at once",
        "+    label: Crisis y emergencias", "+    priority: high   # alert at once"]
    added = put_group(SHIPPED, "fiestas", label="Fiestas patronales", priority="normal", first_term=TermSpec("feria"))
    assert changed_lines(SHIPPED, added) == [
        "+", "+  fiestas:", "+    label: Fiestas patronales", "+    priority: normal", "+    terms:", "+      - feria"]
    assert remove_group(added, "fiestas") == SHIPPED


@pytest.mark.parametrize(("spec", "spanish"), [
    (TermSpec(""), "Término vacío: escriba las palabras que se buscan (línea 131, groups.crisis.terms[7])."),
    (TermSpec("fuga de gas", threshold=150), "El umbral 150 está fuera de rango: use un número de 0 a 100 (88 es el "
                                             "predeterminado) (línea 131, groups.crisis.terms[7].threshold)."),
])
def test_what_keywords_check_refuses_is_refused_with_its_own_line_and_in_spanish(spec, spanish):
    with pytest.raises(KeywordEditError) as refused:
        put_term(SHIPPED, "crisis", spec)
    # The check's own words: the same entry written into the file by hand is refused so.
    by_hand = SHIPPED.replace("      - emergencia\n", "      - emergencia\n      - " + (
        '""' if not spec.term else "{term: fuga de gas, threshold: 150}") + "\n")
    assert str(refused.value) == check_refusal(by_hand)
    assert refused.value.spanish == spanish


def test_a_duplicate_a_group_left_empty_and_a_taken_group_id_are_refused():
    with pytest.raises(KeywordEditError) as duplicate:
        put_term(SHIPPED, "crisis", TermSpec("Balacera"))
    assert duplicate.value.spanish == ("«Balacera» ya es un término del grupo crisis: edítelo en lugar de agregarlo "
                                       "otra vez.")
    one = "groups:\n  solo:\n    terms: [uno]\n  otro:\n    terms: [dos]\n"
    with pytest.raises(KeywordEditError) as emptied:
        remove_term(one, "solo", "uno")
    assert "no terms" in str(emptied.value) and emptied.value.spanish.startswith("El grupo se quedaría sin términos")
    with pytest.raises(KeywordEditError) as taken:
        put_group(SHIPPED, "crisis", label="Otra", priority="normal", first_term=TermSpec("x"))
    assert "duplicate group id 'crisis'" in str(taken.value) and taken.value.spanish.startswith("Ya existe un grupo")


@pytest.fixture
def office(config_path, archive):
    from radiomon.config import load_config

    config = load_config(config_path)
    path = Path(config.keywords)
    # CRLF and a comment: undo must give back exactly these bytes.
    path.write_bytes(SHIPPED.replace("\n", "\r\n").encode("utf-8"))
    return config, path


def test_a_change_is_recorded_and_undo_restores_the_file_byte_for_byte(office, archive):
    config, path = office
    original = path.read_bytes()
    version = keyword_changes.read_file(config).version
    applied = keyword_changes.add_term(config, archive, "crisis", TermSpec("fuga de gas"), by="luz", version=version)
    assert b"      - fuga de gas\r\n" in path.read_bytes()
    assert path.read_bytes().count(b"\n") == original.count(b"\n") + 1
    [change] = archive.keyword_changes()
    assert (change["by"], change["action"]) == ("luz", "agregó «fuga de gas» al grupo crisis")
    undone = keyword_changes.undo(config, archive, applied.change_id, by="luz", version=applied.version)
    assert path.read_bytes() == original
    assert undone.version == keyword_changes.version_of(original)
    assert archive.keyword_changes()[0]["action"] == "deshizo: agregó «fuga de gas» al grupo crisis"


def test_a_save_against_a_stale_version_and_an_undo_past_a_later_change_are_refused(office, archive):
    config, path = office
    seen = keyword_changes.read_file(config).version
    first = keyword_changes.add_term(config, archive, "crisis", TermSpec("fuga de gas"), by="luz", version=seen)
    after_first = path.read_bytes()
    with pytest.raises(StaleVersionError) as stale:
        keyword_changes.add_term(config, archive, "crisis", TermSpec("derrumbe"), by="ana", version=seen)
    assert stale.value.spanish.startswith("Otra persona cambió las palabras clave")
    assert path.read_bytes() == after_first and len(archive.keyword_changes()) == 1
    keyword_changes.add_term(config, archive, "crisis", TermSpec("derrumbe"), by="ana", version=first.version)
    with pytest.raises(StaleVersionError):
        keyword_changes.undo(config, archive, first.change_id, by="luz")
    refused = keyword_changes.read_file(config).text
    with pytest.raises(KeywordEditError):
        keyword_changes.add_term(config, archive, "crisis", TermSpec("x", threshold=150), by="luz", version=None)
    assert keyword_changes.read_file(config).text == refused


def test_the_web_sees_a_change_at_once_even_with_the_same_size_and_mtime(office, archive):
    config, path = office
    assert current_keywords(path).group("crisis").terms[0].term == "balacera"
    stat = path.stat()
    keyword_changes.apply_change(config, archive, lambda text: text.replace("- balacera", "- balazera"), "prueba",
                                 by="luz", version=None)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # two saves within one clock tick
    assert path.stat().st_size == stat.st_size
    assert current_keywords(path).group("crisis").terms[0].term == "balazera"
