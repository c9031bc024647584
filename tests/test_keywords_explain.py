"""explain(): what `radiomon keywords check` will print about each term."""

from pathlib import Path

from radiomon.keywords import Confusion, Group, KeywordSet, Term, TermReport, explain, load_keywords

DEFAULT_FILE = Path(__file__).parent.parent / "radiomon" / "data" / "keywords.yml"


def test_forms_and_confusions():
    keywords = KeywordSet(groups=(
        Group("municipio", terms=(Term("Moroleón", aliases=("Moro León",), threshold=80, exclude=("León",)),)),
        Group("presidencia", terms=(Term("presidente municipal"), Term("presidenta municipal"), Term("DIF"),
                                    Term("Salud"))),
    ))
    reports = {r.spelling: r for r in explain(keywords, common_words=["salud", "morena", "leon", "de"])}
    assert reports["Moroleón"] == TermReport(
        group_id="municipio", keyword="Moroleón", spelling="Moroleón", normalized="moroleon",
        phonetic="moroleon", threshold=80, exact_only=False, confusions=(), threshold_source="term",
    )
    assert reports["Moro León"].normalized == "moro leon"
    assert reports["presidente municipal"].phonetic == "presidente munisipal"
    assert reports["presidente municipal"].confusions == (
        Confusion("presidenta municipal", "term", 95.0, "presidencia", "presidenta municipal"),
    )
    assert reports["DIF"].exact_only and reports["DIF"].confusions == ()
    assert reports["Salud"].confusions == (Confusion("salud", "common word", 100.0),)


def test_default_file_has_no_surprising_confusions():
    confusing = {
        (r.spelling, c.text)
        for r in explain(load_keywords(DEFAULT_FILE))
        for c in r.confusions
        if c.kind == "common word" or c.group_id != r.group_id
    }
    # Department names that are also everyday words are kept on purpose (the
    # office asked for them); nothing else in the default file is confusable.
    assert confusing <= {("alcalde", "alcalde"), ("Tesorería", "tesoreria"), ("Ecología", "ecologia"),
                         ("Catastro", "catastro"), ("Moroleón", "DIF Moroleón"),
                         ("Moro León", "DIF Moroleón"), ("Moroleon", "DIF Moroleón")}
