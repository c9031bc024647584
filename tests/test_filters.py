"""Filters from what a person types, and the one WHERE builder that turns them into SQL."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from radiomon.archive.where import Where
from radiomon.errors import ConfigError, QueryError
from radiomon.filters import Filters


def test_dates_are_local_days_and_until_includes_its_day(config):
    f = Filters.parse(config, stations=["radio-uno"], since="2026-11-25", until="2026-11-25", groups=["municipio"],
                      limit=5)
    # Mexico City is UTC-6: the local day 2026-11-25 is 06:00Z to 06:00Z the next day.
    assert f == Filters(stations=("radio-uno",), since=datetime(2026, 11, 25, 6, tzinfo=timezone.utc),
                        until=datetime(2026, 11, 26, 6, tzinfo=timezone.utc), groups=("municipio",), limit=5)
    assert Filters.parse(config, since="2026-11-25 14:00").since == datetime(2026, 11, 25, 20, tzinfo=timezone.utc)


def test_nothing_typed_is_everything(config):
    assert Filters.parse(config) == Filters()


@pytest.mark.parametrize("kwargs, error, message", [
    ({"stations": ["radio-dos"]}, ConfigError, "unknown station 'radio-dos'"),
    ({"since": "2026-13-45"}, QueryError, "'2026-13-45' is not a date or time"),
    ({"since": "2026-11-26", "until": "2026-11-25"}, QueryError, "--since must be before --until"),
])
def test_what_cannot_be_understood_says_so(config, kwargs, error, message):
    with pytest.raises(error) as err:
        Filters.parse(config, **kwargs)
    assert message in str(err.value)


def test_the_where_builder_speaks_one_language_for_every_table():
    since, until = datetime(2026, 11, 25, 6, tzinfo=timezone.utc), datetime(2026, 11, 26, 6, tzinfo=timezone.utc)
    f = Filters(stations=("a", "b"), since=since, until=until, groups=("crisis",))
    where = Where.of(f, at="at_utc", station="station", group="group_id")
    assert where.sql() == " WHERE station IN (?, ?) AND group_id IN (?) AND at_utc >= ? AND at_utc < ?"
    assert where.params == ["a", "b", "crisis", "2026-11-25T06:00:00.000Z", "2026-11-26T06:00:00.000Z"]
    # Epoch milliseconds where a table stores those; columns a table lacks are left out.
    epoch = Where.of(f, at="s.epoch_ms", epoch_ms=True)
    assert epoch.sql() == " WHERE s.epoch_ms >= ? AND s.epoch_ms < ?" and epoch.params == [1795586400000, 1795672800000]
    # A stretch (a gap) overlaps the range, an open one overlaps everything after its start.
    stretch = Where().overlapping("start_utc", "end_utc", since, until)
    assert stretch.sql() == " WHERE (end_utc IS NULL OR end_utc >= ?) AND start_utc < ?"
    assert Where.of(Filters(), at="at_utc", station="station").sql() == ""
