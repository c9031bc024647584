"""keywords.yml loading: the typed model, and one clear line per mistake."""

from pathlib import Path

import pytest

from radiomon.errors import ConfigError
from radiomon.keywords import Group, KeywordSet, Term, load_keywords, parse_keywords

DEFAULT_FILE = Path(__file__).parent.parent / "radiomon" / "data" / "keywords.yml"


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "keywords.yml"
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_keywords(path)
    message = str(err.value)
    assert "\n" not in message
    return message.replace(str(path), "keywords.yml")


def test_loads_design_doc_sketch(tmp_path):
    path = write(tmp_path, """\
defaults: {threshold: 88}
groups:
  municipio:
    label: Municipio de Moroleón
    priority: high
    terms:
      - {term: Moroleón, aliases: [Moro León], exclude: [León, Morelia, Morelos]}
      - {term: H. Ayuntamiento de Moroleón, aliases: [ayuntamiento de Moroleón], threshold: 92}
  dependencias:
    label: Dependencias municipales
    terms: [DIF Moroleón, Obras Públicas]
""")
    keywords = load_keywords(path)
    assert keywords == KeywordSet(
        groups=(
            Group("municipio", "Municipio de Moroleón", "high", (
                Term("Moroleón", ("Moro León",), None, ("León", "Morelia", "Morelos")),
                Term("H. Ayuntamiento de Moroleón", ("ayuntamiento de Moroleón",), 92.0),
            )),
            Group("dependencias", "Dependencias municipales", "normal",
                  (Term("DIF Moroleón"), Term("Obras Públicas"))),
        ),
        threshold=88.0,
        source=str(path),
    )
    # No threshold of its own: derived from the term, here lower than the default.
    assert keywords.threshold_for(keywords.group("municipio").terms[0]) == 80.0
    assert keywords.threshold_for(keywords.group("municipio").terms[1]) == 92.0


def test_derived_thresholds_can_be_turned_off(tmp_path):
    path = write(tmp_path, "defaults: {threshold: 88, derive_thresholds: false}\ngroups: {m: {terms: [Moroleón]}}\n")
    keywords = load_keywords(path)
    assert not keywords.derive_thresholds
    assert keywords.threshold_for(keywords.group("m").terms[0]) == 88.0
    assert keywords.derivation(keywords.group("m").terms[0]) is None
    message = load_error(tmp_path, "defaults: {derive_thresholds: sometimes}\ngroups: {m: {terms: [Moroleón]}}\n")
    assert message == "keywords.yml:1: defaults.derive_thresholds: must be true or false, not text"


def test_defaults_are_documented_values():
    keywords = parse_keywords({"groups": {"g": {"terms": ["Moroleón"]}}})
    assert keywords.threshold == 88.0
    group = keywords.group("g")
    assert (group.label, group.priority, group.title) == ("g", "normal", "g")
    assert group.terms[0] == Term("Moroleón", (), None, ())


def test_default_file_loads():
    keywords = load_keywords(DEFAULT_FILE)
    assert keywords.threshold == 88.0
    assert {g.id for g in keywords.groups} >= {"municipio", "presidencia", "dependencias", "colonias",
                                               "vecinos", "crisis"}
    assert keywords.group("crisis").priority == "crisis"


@pytest.mark.parametrize("text, message", [
    ("groups: {dependencias: {terms: [DIF, Obras Públicas, '']}}\n",
     "keywords.yml:1: groups.dependencias.terms[2]: empty term; write the words to look for"),
    ("groups:\n  municipio:\n    priority: urgent\n    terms: [Moroleón]\n",
     "keywords.yml:3: groups.municipio.priority: unknown priority 'urgent'; use one of: normal, high, crisis"),
    ("groups:\n  municipio:\n    terms:\n      - {term: Moroleón, treshold: 80}\n",
     "keywords.yml:4: groups.municipio.terms[0].treshold: unknown key 'treshold'; did you mean 'threshold'?"),
    ("groups:\n  municipio:\n    terms:\n      - {term: Moroleón, threshold: 120}\n",
     "keywords.yml:4: groups.municipio.terms[0].threshold: 120 is out of range; "
     "use a number from 0 to 100 (88 is the default)"),
    ("groups:\n  municipio:\n    terms:\n      - {term: Moroleón, threshold: alto}\n",
     "keywords.yml:4: groups.municipio.terms[0].threshold: must be a number from 0 to 100, not text"),
    ("defaults: {threshold: -1}\ngroups: {g: {terms: [a]}}\n",
     "keywords.yml:1: defaults.threshold: -1 is out of range; use a number from 0 to 100 (88 is the default)"),
    ("groups:\n  municipio:\n    terms: [Moroleón]\n  municipio:\n    terms: [León]\n",
     "keywords.yml:4: groups.municipio: duplicate group id 'municipio'; merge the two or rename one"),
    ("groups:\n  municipio:\n    terms: [Moroleón\n",
     "keywords.yml:4: invalid YAML (expected ',' or ']', but got '<stream end>'); fix the syntax there"),
    ("groups:\n  municipio:\n    terms:\n      - {term: Moroleón, aliases: Moro León}\n",
     "keywords.yml:4: groups.municipio.terms[0].aliases: must be a list, not text; write [Moro León]"),
    ("groups:\n  municipio:\n    terms: Moroleón\n",
     "keywords.yml:3: groups.municipio.terms: must be a list, not text; write terms: [first, second]"),
    ("groups:\n  municipio:\n    label: Municipio\n",
     "keywords.yml:3: groups.municipio.terms: no terms; list the words to look for, e.g. terms: [Obras Públicas]"),
    ("groups:\n  municipio:\n    terms: [911]\n",
     "keywords.yml:3: groups.municipio.terms[0]: 911 is a number; put it in quotes if it is a term: '911'"),
    ("groups:\n  municipio:\n    terms:\n      - {aliases: [Moro León]}\n",
     "keywords.yml:4: groups.municipio.terms[0]: missing 'term'; write {term: Moroleón, aliases: [...]}"),
    ("keywords: [Moroleón]\n",
     "keywords.yml:1: keywords: unknown key 'keywords'; allowed keys: defaults, groups"),
    ("- Moroleón\n",
     "keywords.yml:1: (top level): must be a mapping with 'defaults' and 'groups', not a list"),
    ("",
     "keywords.yml: (top level): the file is empty; write a 'groups:' mapping (see `radiomon init`)"),
    ("defaults: {threshold: 90}\n",
     "keywords.yml:1: groups: missing; add 'groups:' with at least one group of terms"),
    ("groups:\n  'obras públicas!':\n    terms: [Obras]\n",
     "keywords.yml:3: groups.obras públicas!: bad group id 'obras públicas!'; "
     "use letters, digits, '_' or '-', e.g. obras_publicas"),
    ("groups:\n  g:\n    terms: ['¡¿!']\n",
     "keywords.yml:3: groups.g.terms[0]: '¡¿!' has no letters or digits; write the words to look for"),
    # Patterns would lose their symbols to normalization without a word ("Moro.*" looked for as "moro").
    ("groups:\n  g:\n    terms: [Moroleón, DIF, Uriangato, 'Moro.*']\n",
     "keywords.yml:3: groups.g.terms[3]: 'Moro.*' looks like a pattern; terms are plain words "
     "(write each spelling as an alias, and a symbol as it is said)"),
    ("groups:\n  g:\n    terms:\n      - {term: Moroleón, aliases: ['Moro León', 'Moro|León']}\n",
     "keywords.yml:4: groups.g.terms[0].aliases[1]: 'Moro|León' looks like a pattern; terms are plain words "
     "(write each spelling as an alias, and a symbol as it is said)"),
    ("groups:\n  g:\n    terms: ['C++']\n",
     "keywords.yml:3: groups.g.terms[0]: 'C++' looks like a pattern; terms are plain words "
     "(write each spelling as an alias, and a symbol as it is said)"),
    ("groups:\n  g:\n    terms:\n      - {term: Moroleón, exclude: ['[Ll]eón']}\n",
     "keywords.yml:4: groups.g.terms[0].exclude[0]: '[Ll]eón' looks like a pattern; terms are plain words "
     "(write each spelling as an alias, and a symbol as it is said)"),
])
def test_mistakes_give_one_clear_line(tmp_path, text, message):
    assert load_error(tmp_path, text) == message


def test_punctuation_names_carry_is_not_a_pattern(tmp_path):
    path = write(tmp_path, "groups:\n  g:\n    terms: [H. Ayuntamiento, D.I.F., '¿Qué opinas?', "
                           "'Instituto Municipal de la Mujer (IMM)', Obras-Públicas, S.A. de C.V.]\n")
    assert len(load_keywords(path).terms) == 6


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match=r"keywords.yml: file not found"):
        load_keywords(tmp_path / "keywords.yml")


def test_parse_without_document_names_the_source():
    with pytest.raises(ConfigError) as err:
        parse_keywords({"groups": {"g": {"terms": [{"term": "x", "threshold": 101}]}}}, "mis-palabras.yml")
    assert str(err.value) == ("mis-palabras.yml: groups.g.terms[0].threshold: 101 is out of range; "
                              "use a number from 0 to 100 (88 is the default)")


def test_current_keywords_reads_the_file_again_only_when_it_changes(tmp_path) -> None:
    from radiomon.keywords import current_keywords

    path = tmp_path / "keywords.yml"
    assert current_keywords(path) is None  # missing
    path.write_text("groups:\n  municipio:\n    terms: [Moroleón]\n", encoding="utf-8")
    first = current_keywords(path)
    assert [t.term for t in first.groups[0].terms] == ["Moroleón"]
    assert current_keywords(path) is first  # not parsed again
    path.write_text("groups:\n  municipio:\n    terms: [Moroleón, Uriangato]\n", encoding="utf-8")
    assert [t.term for t in current_keywords(path).groups[0].terms] == ["Moroleón", "Uriangato"]
    path.write_text("groups: [no es un mapa]\n", encoding="utf-8")
    assert current_keywords(path) is None  # invalid: the reader goes on without it
