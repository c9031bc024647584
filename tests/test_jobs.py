"""The job layer: what every caller (CLI, web, nightly, daemon) runs, with Filters it builds."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from radiomon import jobs
from radiomon.errors import QueryError
from radiomon.filters import Filters

START = datetime(2026, 11, 25, 14, 0, tzinfo=timezone.utc)


@pytest.fixture
def transcript(deployment):
    path = deployment / "manana.json"
    path.write_text(json.dumps({"segments": [
        {"start": 0.0, "end": 4.0, "text": "Buenos días desde Moroleón."},
        {"start": 4.0, "end": 8.0, "text": "En León llueve."},
    ]}), encoding="utf-8")
    return path


def test_an_imported_transcript_is_matched_at_once_and_only_once(config, archive, transcript):
    done = jobs.import_and_match(config, archive, [transcript], station="radio-uno", start=START, transcript=True)
    assert done.failures == 0 and done.results[0].created and done.matched.added == 1
    again = jobs.import_and_match(config, archive, [transcript], station="radio-uno", start=START, transcript=True)
    assert not again.results[0].created and again.matched is None
    [mention] = jobs.mentions(config, archive, Filters(groups=("municipio",)))
    assert (mention.keyword, mention.matched) == ("Moroleón", "Moroleón")


def test_importing_a_transcript_needs_one_file_and_its_start(config, archive, transcript):
    with pytest.raises(QueryError, match="needs --start"):
        jobs.import_and_match(config, archive, [transcript], station="radio-uno", transcript=True)
    with pytest.raises(QueryError, match="one at a time"):
        jobs.import_and_match(config, archive, [transcript, transcript], station="radio-uno", start=START,
                              transcript=True)


def test_rematch_brings_mentions_up_to_date_after_keywords_change(config, archive, transcript, deployment):
    jobs.import_and_match(config, archive, [transcript], station="radio-uno", start=START, transcript=True)
    assert jobs.rematch(config, archive).recordings == 0  # nothing pending
    (deployment / "keywords.yml").write_text(
        "groups:\n  vecinos:\n    terms: [León]\n", encoding="utf-8")
    result = jobs.rematch(config, archive, everything=True)
    assert (result.added, result.removed) == (1, 1)
    assert [m.keyword for m in jobs.mentions(config, archive)] == ["León"]


def test_an_unknown_group_is_a_typo_not_nothing_found(config, archive, transcript):
    jobs.import_and_match(config, archive, [transcript], station="radio-uno", start=START, transcript=True)
    with pytest.raises(QueryError) as err:
        jobs.search(config, archive, "moroleon", Filters(groups=("munipicio",)))
    assert str(err.value) == "--group munipicio: no such keyword group (known: municipio)"
    [hit] = jobs.search(config, archive, "moroleon", Filters(groups=("municipio",)))
    assert hit.text == "Buenos días desde Moroleón."
