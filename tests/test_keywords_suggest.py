"""`radiomon keywords suggest`, `keywords add-alias` and `keywords add-exclude`: tuning keywords.yml from the archive.

Near misses come from Whisper-style transcripts imported with their known
misspellings ("Morreón", "Morolión") and look-alikes ("Morelos", "León"),
and from speech generated with espeak-ng and transcribed by the real
bundled Whisper model; rewrites from segments written by keyword
rescoring's own ``apply``. keywords.yml edits are checked on the file's
text, byte for byte.
"""

from __future__ import annotations

import json
import shlex
import tempfile
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from radiomon.archive import Archive
from radiomon.errors import ConfigError
from radiomon.keywords import Matcher, load_keywords, normalize, parse_keywords
from radiomon.keywords.edit import add_spelling
from radiomon.keywords.near_misses import SUGGEST_NEAR_MISSES
from radiomon.keywords.suggest import Sighting, rank
from radiomon.pipeline.match.near_misses import find_near_misses, near_misses_in
from radiomon.pipeline.transcribe.rescore import Rewrite, rewritten
from radiomon.transcript import Segment, Word

try:
    import audio_factory as af
except ImportError:  # tests/ is a package in some layouts
    from tests import audio_factory as af

# conftest's keywords.yml with every term at the default threshold, 88
# (derivation off: derived, Moroleón's would be 80), so that "Morreón"
# (85.7) and "Morolión" (87.5) are near misses; commented as offices
# comment theirs.
KEYWORDS = """\
# Lo que cuenta como mención del municipio.
defaults: {threshold: 88, derive_thresholds: false}
groups:
  municipio:
    label: Municipio de Moroleón
    priority: high
    terms:
      # Look-alikes that must not count.
      - {term: Moroleón, aliases: [Moro León], exclude: [León, Morelia, Morelos]}  # the name
"""


# The transcripts below were said in November 2026; `keywords suggest` reads
# the last 30 days unless told.
SINCE = ("--since", "2026-11-01")


def sighting(heard: str, *, keyword: str = "Moroleón", score: float = 85.7, at: str = "2026-11-25T20:00:00.000Z",
             segment_id: int = 1, kind: str = "near_miss", group: str = "municipio") -> Sighting:
    return Sighting(kind, group, keyword, heard, score, "radio-uno", at, 1, segment_id, 0.0, f"… {heard} …")


# -- ranking (pure) --------------------------------------------------------------------------
def test_rank_groups_by_the_spelling_heard_and_counts_it():
    found = [
        sighting("Morolión", score=87.5, segment_id=1),
        sighting("Morreón", score=85.7, at="2026-11-25T20:00:00.000Z", segment_id=2),
        sighting("morreón,", score=85.7, at="2026-11-26T09:00:00.000Z", segment_id=3),
        sighting("Morreón", score=80.0, at="2026-11-27T09:00:00.000Z", segment_id=4),
    ]
    ranked = rank(found)
    # The most frequent first, whatever its score; heard as written most often.
    assert [(s.heard, s.normalized, s.count, s.best_score) for s in ranked] == [
        ("Morreón", "morreon", 3, 85.7), ("Morolión", "morolion", 1, 87.5)]
    # The sample is the best-scoring sighting, the newest of those.
    assert ranked[0].sample == found[2]


def test_rank_follows_the_files_term_order_and_limits_each_term():
    found = [sighting(w, segment_id=i) for i, w in enumerate(["Morreón", "Morreón", "Moreón", "Morolión", "Morión"])]
    found += [sighting("Uriangatos", keyword="Uriangato", group="vecinos"),
              sighting("Moroleón", kind="rewritten", score=100.0)]
    terms = [("vecinos", "Uriangato"), ("municipio", "Moroleón")]
    assert [(s.keyword, s.kind, s.heard, s.count) for s in rank(found, limit=2, terms=terms)] == [
        ("Uriangato", "near_miss", "Uriangatos", 1),
        ("Moroleón", "near_miss", "Morreón", 2),
        ("Moroleón", "near_miss", "Moreón", 1),  # 1 each: the best score, then the spelling, breaks the tie
        ("Moroleón", "rewritten", "Moroleón", 1),  # rewrites after the near misses, limited apart
    ]


# -- the archive pass, on imported transcripts ------------------------------------------------
def transcript(*sentences: str) -> dict:
    """Whisper JSON: one 4-s segment per sentence (no word times: spread over the segment)."""
    return {"segments": [{"start": 4.0 * i, "end": 4.0 * i + 4.0, "text": f" {s}"} for i, s in enumerate(sentences)]}


IMPORTS = (
    ("radio-uno", "2026-11-25 14:00", ("Buenos días, Morreón.", "Hoy en Morreón hay tianguis.",
                                       "Llueve en Morelos y en León.", "Saludos a Moroleón.")),
    ("radio-uno", "2026-11-25 15:00", ("La feria de Morolión empieza el viernes.",)),
    ("fm-oficina", "2026-11-26 09:00", ("Desde Morreón, buenas tardes.",)),
)


@pytest.fixture
def imported(run, deployment, archive) -> Path:
    (deployment / "keywords.yml").write_text(KEYWORDS, encoding="utf-8")
    for n, (station, start, sentences) in enumerate(IMPORTS):
        path = deployment / f"t{n}.json"
        path.write_text(json.dumps(transcript(*sentences), ensure_ascii=False), encoding="utf-8")
        result = run("import", "--transcript", path, "--station", station, "--start", start)
        assert result.exit_code == 0, result.output
    return deployment


def test_suggest_ranks_near_misses_by_count_with_a_sample(run, imported, config_path):
    result = run("keywords", "suggest", *SINCE)

    assert result.exit_code == 0, result.output
    # Morelos and León are excluded, Moroleón counts: none is a near miss.
    command = f"radiomon --config {config_path} keywords"
    assert result.output == textwrap.dedent(f"""\
        read 2026-11-01 00:00 to now (America/Mexico_City): 3 recording(s), 6 segment(s)
        4 near miss(es) of 1 term(s) within 10 points of the threshold; 0 mention(s) written by keyword rescoring

        Moroleón (municipio, threshold 88)
          "Morreón": 3 times, best score 85.7
              fm-oficina 2026-11-26 09:00:01: Desde Morreón, buenas tardes.
              if it was Moroleón: {command} add-alias Moroleón Morreón
              if it is another word: {command} add-exclude Moroleón Morreón
          "Morolión": 1 time, best score 87.5
              radio-uno 2026-11-25 15:00:01: La feria de Morolión empieza el viernes.
              if it was Moroleón: {command} add-alias Moroleón Morolión
              if it is another word: {command} add-exclude Moroleón Morolión
        """)


def test_suggest_as_json_points_at_real_segments(run, imported, archive):
    result = run("keywords", "suggest", *SINCE, "--format", "json")

    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["kind"], r["keyword"], r["heard"], r["count"], r["best_score"], r["threshold"]) for r in rows] == [
        ("near_miss", "Moroleón", "Morreón", 3, 85.7, 88.0), ("near_miss", "Moroleón", "Morolión", 1, 87.5, 88.0)]
    for row in rows:
        sample = row["sample"]
        [segment] = archive.query(
            "SELECT s.text, r.station FROM segments s JOIN recordings r ON r.id = s.recording_id "
            "WHERE s.id = ? AND s.recording_id = ?", (sample["segment_id"], sample["recording_id"]))
        assert row["heard"] in segment["text"] and sample["context"] == segment["text"]
        assert sample["station"] == segment["station"] and sample["mention_id"] is None
    assert rows[0]["add_alias"].endswith("keywords add-alias Moroleón Morreón")
    assert rows[0]["sample"]["at"] == "2026-11-26T15:00:01.000Z"  # 09:00 in Mexico City, 1 s into the segment


def test_a_look_alike_is_suggested_until_it_is_excluded(run, imported):
    # The bundled file's threshold: Morreón and Morolión count, Morelos (66.7
    # alike) is within rescoring's 20 points (not the default 10); León alone
    # is too short to be near.
    path = imported / "keywords.yml"
    path.write_text("defaults: {threshold: 80}\ngroups:\n  municipio:\n    terms:\n      - Moroleón  # el nombre\n",
                    encoding="utf-8")

    assert json.loads(run("keywords", "suggest", *SINCE, "--format", "json").stdout) == []
    rows = json.loads(run("keywords", "suggest", *SINCE, "--reach", "20", "--format", "json").stdout)

    assert [(r["heard"], r["count"], r["best_score"], r["sample"]["context"]) for r in rows] == [
        ("Morelos", 1, 66.7, "Llueve en Morelos y en León.")]
    result = run(*shlex.split(rows[0]["add_exclude"])[3:])
    assert (result.exit_code, result.output) == (0, f'{path}:5: added "Morelos" to the exclusions of Moroleón '
                                                    "(municipio); run `radiomon match --all` to drop what it "
                                                    "matched from the mentions stored\n")
    assert path.read_text(encoding="utf-8") == (
        "defaults: {threshold: 80}\ngroups:\n  municipio:\n    terms:\n"
        "      - {term: Moroleón, exclude: [Morelos]}  # el nombre\n")
    assert run("keywords", "suggest", *SINCE, "--until", "2026-11-30", "--reach", "20").output == (
        "read 2026-11-01 00:00 to 2026-12-01 00:00 (America/Mexico_City): 3 recording(s), 6 segment(s)\n"
        "0 near miss(es) of 0 term(s) within 20 points of the threshold; 0 mention(s) written by keyword rescoring\n")


def test_range_station_and_group(run, imported):
    def heard(*args) -> list[tuple[str, int]]:
        result = run("keywords", "suggest", "--format", "json", *args)
        assert result.exit_code == 0, result.output
        return [(r["heard"], r["count"]) for r in json.loads(result.stdout)]

    assert heard("--since", "2026-11-26") == [("Morreón", 1)]
    assert heard("--since", "2026-11-25", "--until", "2026-11-25 15:00") == [("Morreón", 2)]
    assert heard(*SINCE, "--station", "radio-uno") == [("Morreón", 2), ("Morolión", 1)]
    assert heard(*SINCE, "--group", "municipio", "--limit", "1") == [("Morreón", 3)]
    # 30 days before --until unless --since says otherwise.
    assert heard("--until", "2026-12-24") == [("Morreón", 3), ("Morolión", 1)]  # from 2026-11-25 00:00 on
    assert heard("--until", "2026-12-25") == [("Morreón", 1)]
    assert heard("--until", "2026-12-26") == []

    result = run("keywords", "suggest", "--group", "colonias")
    assert (result.exit_code, result.output) == (
        1, f"Error: --group colonias: no such group in {imported / 'keywords.yml'} (known: municipio)\n")


def test_the_narrowed_pass_finds_what_reading_every_segment_finds(imported, archive):
    keywords = load_keywords(imported / "keywords.yml")
    strict, loose = Matcher(keywords), Matcher(keywords, near_miss=SUGGEST_NEAR_MISSES)
    everything = [s for r in archive.recordings_with_text() for s in near_misses_in(strict, loose,
                                                                                   archive.segments_to_match(r))]
    found = find_near_misses(archive, keywords)
    assert found.near_misses == everything and len(everything) == 4
    assert (found.recordings, found.segments) == (3, 6)


WORDS = ("Moroleón", "Morreón", "Moreón", "Morolión", "Moro", "León", "Morelos", "DIF", "DEF", "de", "la", "Obras",
         "O", "las", "públicas", "Públicas.", "Uriangato", "un", "hangado", "en", "gente", "Orascullica", "dos", "mil")
HYPOTHESIS_KEYWORDS = parse_keywords({"groups": {
    "municipio": {"terms": [{"term": "Moroleón", "aliases": ["Moro León"], "exclude": ["León", "Morelos"]},
                            "H. Ayuntamiento de Moroleón"]},
    "dependencias": {"terms": ["DIF Moroleón", "Obras Públicas"]},
    "vecinos": {"terms": [{"term": "Uriangato", "aliases": ["un hangado"]}]},
}})


@settings(max_examples=40)
@given(st.lists(st.lists(st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join), min_size=1, max_size=4),
                min_size=1, max_size=3))
def test_the_narrowed_pass_is_exact_on_any_words(recordings):
    strict, loose = Matcher(HYPOTHESIS_KEYWORDS), Matcher(HYPOTHESIS_KEYWORDS, near_miss=SUGGEST_NEAR_MISSES)
    with tempfile.TemporaryDirectory() as folder, Archive(Path(folder) / "radiomon.db") as archive:
        archive.ensure_station("radio-uno", "America/Mexico_City")
        start = datetime(2026, 11, 25, 14, tzinfo=timezone.utc)
        for n, texts in enumerate(recordings):
            rid, _ = archive.add_recording(station="radio-uno", start=start + timedelta(hours=n), duration=60.0,
                                           path=f"/r{n}.mp3")
            archive.replace_segments(rid, [Segment(3.0 * i, 3.0 * i + 3, t) for i, t in enumerate(texts) if t])
        everything = [s for r in archive.recordings_with_text()
                      for s in near_misses_in(strict, loose, archive.segments_to_match(r))]
        assert find_near_misses(archive, HYPOTHESIS_KEYWORDS).near_misses == everything


# -- rewrites: what keyword rescoring wrote ------------------------------------------------------
def test_mentions_rescoring_wrote_are_listed_as_rewrites(run, deployment, archive):
    (deployment / "keywords.yml").write_text(textwrap.dedent("""\
        groups:
          municipio: {terms: [Moroleón]}
          dependencias: {terms: [DIF Moroleón]}
          vecinos: {terms: [Acámbaro]}
        """), encoding="utf-8")
    said = [" Un", " tráiler", " volcó", " cerca", " de", " acámbalo.", " El", " DEF", " Moroleón", " informa."]
    words = [Word(w, 0.5 * i, 0.5 * i + 0.5, 0.6) for i, w in enumerate(said)]
    decoded = Segment(0.0, 5.0, "".join(said).strip(), words=tuple(words))
    # What rescoring stores when the model accepts both rewrites.
    segment = rewritten(decoded, words, [Rewrite(5, 5, "Acámbaro", "Acámbaro", "vecinos", 87.5),
                                         Rewrite(7, 8, "DIF Moroleón", "DIF Moroleón", "dependencias", 80.0)], True)
    assert segment.text == "Un tráiler volcó cerca de Acámbaro. El DIF Moroleón informa."
    rid, _ = archive.add_recording(station="radio-uno", start=datetime(2026, 11, 25, 14, tzinfo=timezone.utc),
                                   duration=5.0, path=str(deployment / "a.mp3"))
    archive.replace_segments(rid, [segment], engine="faster-whisper", model="base")
    assert run("match").exit_code == 0
    assert {m.keyword for m in archive.mentions_of(rid)} == {"Acámbaro", "DIF Moroleón", "Moroleón"}

    result = run("keywords", "suggest", *SINCE, "--format", "json")

    rows = json.loads(result.stdout)
    # Moroleón was heard as such: rescoring wrote it again, word for word, as part of DIF Moroleón.
    assert [(r["kind"], r["keyword"], r["heard"], r["count"], r["add_alias"]) for r in rows] == [
        ("rewritten", "DIF Moroleón", "DIF Moroleón", 1, None), ("rewritten", "Acámbaro", "Acámbaro", 1, None)]
    ids = {m.keyword: m.id for m in archive.mentions_of(rid)}
    assert [r["sample"]["mention_id"] for r in rows] == [ids["DIF Moroleón"], ids["Acámbaro"]]
    table = run("keywords", "suggest", *SINCE).output
    assert '  written "Acámbaro" by keyword rescoring: 1 time (what Whisper had written is not kept)\n' in table
    assert f"Un tráiler volcó cerca de Acámbaro. (mention {ids['Acámbaro']})\n" in table


# -- add-alias and add-exclude ----------------------------------------------------------------
def test_add_alias_keeps_the_file_and_match_all_counts_it(run, imported):
    path = imported / "keywords.yml"

    result = run("keywords", "add-alias", "Moroleón", "Morreón")

    assert (result.exit_code, result.output) == (0, f'{path}:9: added "Morreón" to the aliases of Moroleón '
                                                    "(municipio); run `radiomon match --all` to count it in the "
                                                    "mentions stored\n")
    assert path.read_text(encoding="utf-8") == KEYWORDS.replace("[Moro León]", "[Moro León, Morreón]")
    assert load_keywords(path).groups[0].terms[0].aliases == ("Moro León", "Morreón")
    assert run("match", "--all").exit_code == 0
    mentions = json.loads(run("mentions", "--format", "json").stdout)
    assert sorted(m["matched"] for m in mentions) == ["Moroleón", "Morreón", "Morreón", "Morreón"]
    left = json.loads(run("keywords", "suggest", *SINCE, "--format", "json").stdout)
    assert [r["heard"] for r in left] == ["Morolión"]


@pytest.mark.parametrize("args, message", [
    (("add-alias", "Morolión", "x"), "no term 'Morolión'; did you mean 'Moroleón'?"),
    (("add-alias", "Moro León", "x"), "'Moro León' is an alias of Moroleón; name the term itself"),
    (("add-alias", "Moroleón", "moro leon"),
     "'moro leon' is already an alias of Moroleón (municipio); nothing to add"),
    (("add-exclude", "Moroleón", "MORELOS"),
     "'MORELOS' is already an exclusion of Moroleón (municipio); nothing to add"),
    (("add-alias", "Moroleón", "León"), "'León' is already an exclusion of Moroleón (municipio); "
     "remove it from exclude first if it is the term after all"),
    (("add-exclude", "Moroleón", "Moroleon"), "'Moroleon' is already the term of Moroleón (municipio); "
     "an exclusion of its own spelling would never let it count"),
    (("add-alias", "Moroleón", "¡!"), "'¡!' has no letters or digits; give the words as they were heard"),
    (("add-alias", "--group", "vecinos", "Moroleón", "x"),
     "--group vecinos: no such group in {path} (known: municipio)"),
])
def test_an_unknown_term_or_a_spelling_already_there_changes_nothing(run, deployment, args, message):
    path = deployment / "keywords.yml"
    path.write_text(KEYWORDS, encoding="utf-8")

    result = run("keywords", *args)

    prefix = "" if message.startswith(("--group", "'¡!'")) else f"{path}: "
    assert (result.exit_code, result.output) == (1, f"Error: {prefix}{message.format(path=path)}\n")
    assert path.read_text(encoding="utf-8") == KEYWORDS


# Each way keywords.yml writes a term, and what adding a spelling makes of it.
BUNDLED_STYLE = """\
groups:
  municipio:
    terms:
      # Threshold 80: measured mishearings score 86.
      - term: Moroleón
        aliases: [Moro León, Nemoreón]
        threshold: 80
        exclude: [León]   # look-alikes
      - term: SMAPAM
        aliases:
          - Agua Potable de Moroleón   # the long name
        # Read as a word or letter by letter.
      - term: Catastro
        threshold: 90
      - Obras Públicas  # plain
      - {term: alcalde, exclude: [alcaldesa]}  # 87.5 alike
      - {term: cabildo, aliases: []}
  vecinos:
    terms: [Uriangato, "Yuriria"]
"""


@pytest.mark.parametrize("term, spelling, kind, old, new", [
    ("Moroleón", "Morreón", "aliases", "[Moro León, Nemoreón]", "[Moro León, Nemoreón, Morreón]"),
    ("Moroleón", "Morelos", "exclude", "[León]   #", "[León, Morelos]   #"),
    ("SMAPAM", "Esmapam", "aliases", "Moroleón   # the long name\n",
     "Moroleón   # the long name\n          - Esmapam\n"),
    ("SMAPAM", "Smapan", "exclude", "Moroleón   # the long name\n",
     "Moroleón   # the long name\n        exclude: [Smapan]\n"),
    ("Catastro", "Castro", "aliases", "Catastro\n", "Catastro\n        aliases: [Castro]\n"),
    ("Obras Públicas", "Obras Púbicas", "aliases", "- Obras Públicas  #",
     "- {term: Obras Públicas, aliases: [Obras Púbicas]}  #"),
    ("alcalde", "Alcalá", "aliases", "exclude: [alcaldesa]}", "exclude: [alcaldesa], aliases: [Alcalá]}"),
    ("cabildo", "Camilo", "aliases", "aliases: []}", "aliases: [Camilo]}"),
    ("Yuriria", "Yuririas", "exclude", '"Yuriria"]', '{term: "Yuriria", exclude: [Yuririas]}]'),
    ("Uriangato", "un hangado: sí", "aliases", "[Uriangato,", '[{term: Uriangato, aliases: ["un hangado: sí"]},'),
    ("Uriangato", "no", "exclude", "[Uriangato,", '[{term: Uriangato, exclude: ["no"]},'),
])
def test_adding_a_spelling_edits_only_the_terms_entry(term, spelling, kind, old, new):
    assert BUNDLED_STYLE.count(old) == 1
    edit = add_spelling(BUNDLED_STYLE, term, spelling, kind)
    assert edit.text == BUNDLED_STYLE.replace(old, new)
    [(_, found)] = [(g, t) for g, t in parse_keywords(yaml.safe_load(edit.text)).terms if t.term == term]
    assert getattr(found, kind)[-1] == spelling


def test_a_file_with_crlf_line_ends_keeps_them():
    text = "groups:\r\n  g:\r\n    terms:\r\n      - term: Moroleón\r\n        threshold: 80\r\n"
    assert add_spelling(text, "Moroleón", "Morreón", "aliases").text == (
        "groups:\r\n  g:\r\n    terms:\r\n      - term: Moroleón\r\n        aliases: [Morreón]\r\n"
        "        threshold: 80\r\n")


def test_the_term_may_be_named_without_accents_or_capitals():
    edit = add_spelling(BUNDLED_STYLE, "obras publicas", "Obras Púbicas", "aliases")
    assert (edit.term, edit.group_id, edit.line) == ("Obras Públicas", "municipio", 15)


def test_a_term_in_two_groups_needs_the_group():
    text = "groups:\n  a: {terms: [Moroleón]}\n  b: {terms: [Moroleón]}\n"
    with pytest.raises(ConfigError, match=r"'Moroleón' is a term of several groups \(a, b\); say which with --group"):
        add_spelling(text, "Moroleón", "Morreón", "aliases")
    edit = add_spelling(text, "Moroleón", "Morreón", "aliases", group="b")
    assert edit.text == text.replace("b: {terms: [Moroleón]}", "b: {terms: [{term: Moroleón, aliases: [Morreón]}]}")


def test_help_says_what_each_command_is_for(cli):
    suggest = cli("keywords", "suggest", "--help").output
    assert "Near misses heard on air, to accept as aliases or exclusions." in suggest
    alias = " ".join(cli("keywords", "add-alias", "--help").output.split())
    assert "Count SPELLING as TERM: add it to the term's aliases in keywords.yml." in alias
    exclude = " ".join(cli("keywords", "add-exclude", "--help").output.split())
    assert "Never count SPELLING as TERM" in exclude and "rescoring no longer asks Whisper" in exclude


# -- a real transcribed archive ---------------------------------------------------------------
GREETING = "Saludos a toda la gente de Moroleón, Guanajuato."


@pytest.fixture(scope="module")
def greetings(tmp_path_factory) -> list[Path]:
    """The municipality's name in three voices; Whisper base, told nothing of
    it, writes it "Morreón" or "Moreón" (85.7 alike: no mention at 88)."""
    folder = tmp_path_factory.mktemp("audio")
    voices = ((150, 50), (170, 60), (140, 40))
    return [(af.silence(0.5) + af.speech(GREETING, speed=speed, pitch=pitch) + af.silence(1.0)).write(
        folder / f"{k}.mp3") for k, (speed, pitch) in enumerate(voices)]


@pytest.mark.slow
def test_suggestions_from_what_whisper_wrote(run, write_config, deployment, archive, greetings, monkeypatch):
    assert af.missing() is None, af.missing()  # never skip: make test installs espeak-ng
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # No vocabulary prompt and no rescoring: what the model writes of a name it was not told.
    write_config("""\
        timezone: America/Mexico_City
        stations: [{id: radio-uno, name: Radio Uno, url: "http://127.0.0.1:8000/uno.mp3"}]
        transcription: {hotwords: false, rescore: false}
        """)
    (deployment / "keywords.yml").write_text(KEYWORDS, encoding="utf-8")
    for k, path in enumerate(greetings):
        archive.add_recording(station="radio-uno", start=datetime(2026, 11, 25, 14 + k, tzinfo=timezone.utc),
                              duration=None, path=str(path))
    assert run("transcribe").exit_code == 0

    result = run("keywords", "suggest", *SINCE, "--format", "json", "--limit", "100")

    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    texts = {s["id"]: s["text"] for s in archive.query("SELECT id, text FROM segments")}
    assert rows, texts  # on these voices the model misspells the name
    heard = [normalize(m["matched"]) for m in archive.query("SELECT matched FROM mentions")]
    for row in rows:
        assert row["kind"] == "near_miss" and row["keyword"] == "Moroleón" and row["best_score"] < 88
        assert row["heard"] in texts[row["sample"]["segment_id"]]  # the sample is a real utterance
        assert normalize(row["heard"]) not in heard  # and what it heard did not count
    keywords = load_keywords(deployment / "keywords.yml")
    found = find_near_misses(archive, keywords)
    assert sum(r["count"] for r in rows) == len(found.near_misses)  # counts add up to every near miss
    assert sum(f" {normalize(t)} ".count(f" {rows[0]['normalized']} ") for t in texts.values()) >= rows[0]["count"]

    accepted = run(*shlex.split(rows[0]["add_alias"])[3:])  # what the office would paste, less `radiomon --config X`
    assert accepted.exit_code == 0, accepted.output
    assert run("match", "--all").exit_code == 0
    mentions = archive.query("SELECT matched, segment_id FROM mentions")
    assert sum(normalize(m["matched"]) == rows[0]["normalized"] for m in mentions) == rows[0]["count"]
    again = json.loads(run("keywords", "suggest", *SINCE, "--format", "json").stdout)
    assert rows[0]["normalized"] not in [r["normalized"] for r in again]


MISHEARD = "Un tráiler volcó cerca de Acámbaro sin dejar heridos."  # "acámbalo" to base, told nothing


@pytest.mark.slow
def test_what_rescoring_rewrote_while_transcribing_is_listed(run, write_config, deployment, archive, monkeypatch):
    assert af.missing() is None, af.missing()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # As tests/test_transcribe.py: these voices are written "acámbalo", and
    # rescoring, on by default, asks the model whether it was Acámbaro.
    write_config("""\
        timezone: America/Mexico_City
        stations: [{id: radio-uno, name: Radio Uno, url: "http://127.0.0.1:8000/uno.mp3"}]
        transcription: {hotwords: false}
        """)
    (deployment / "keywords.yml").write_text("groups:\n  vecinos:\n    terms: [Acámbaro]\n", encoding="utf-8")
    for k, (speed, pitch) in enumerate(((170, 60), (170, 45), (150, 45))):
        path = (af.silence(0.5) + af.speech(MISHEARD, speed=speed, pitch=pitch) + af.silence(1.0)).write(
            deployment / f"{k}.mp3")
        archive.add_recording(station="radio-uno", start=datetime(2026, 11, 25, 14 + k, tzinfo=timezone.utc),
                              duration=None, path=str(path))
    assert run("transcribe").exit_code == 0

    rows = json.loads(run("keywords", "suggest", *SINCE, "--format", "json").stdout)

    # Whatever the model accepted: a mention is listed as rewritten exactly
    # when the words it was heard at carry no probability.
    unscored = {m["id"] for m in archive.query("SELECT m.id, m.offset, s.words FROM mentions m JOIN segments s "
                                               "ON s.id = m.segment_id")
                for w in json.loads(m["words"]) if w["start"] == m["offset"] and w["probability"] is None}
    rewrites = [r for r in rows if r["kind"] == "rewritten"]
    assert unscored, rows  # rescoring rewrote at least one of the three (tests/test_transcribe.py: all three)
    assert [(r["keyword"], r["heard"], r["count"]) for r in rewrites] == [("Acámbaro", "Acámbaro", len(unscored))]
    assert rewrites[0]["sample"]["mention_id"] in unscored and rewrites[0]["add_alias"] is None
