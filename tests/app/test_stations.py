"""Importing a station list: one use case behind the Sources tab, the Schedules dialog and
the two CLI commands."""

from __future__ import annotations

import json

import pytest

from app.errors import UsageError
from app.stations import import_station_list
from storage import Library

STATIONS = [
    {"url": "http://kgwa.example/stream", "radio_name": "KGWA", "state": "OK",
     "time": [["06:00", "09:00"], ["16:00", "18:00"]]},
    {"url": "http://wacv.example/stream", "radio_name": "WACV", "state": "AL",
     "time": [["12:00", "3:00"]]},
]  # fmt: skip


class Schedules:
    def __init__(self) -> None:
        self.added = []

    def add(self, spec):
        self.added.append(spec)
        return spec


@pytest.fixture
def station_file(tmp_path):
    path = tmp_path / "stations.json"
    path.write_text(json.dumps(STATIONS))
    return path


def test_stations_become_sources_once_and_their_windows_schedules(tmp_path, station_file):
    library = Library(f"sqlite:///{tmp_path / 'lib.db'}")
    schedules = Schedules()
    first = import_station_list(library, station_file, scheduler=schedules, timezone="UTC")
    assert (first.stations, first.added, first.known, first.schedules) == (2, 2, 0, 3)
    assert {(s.name, s.region) for s in library.sources.list()} == {("KGWA", "OK"), ("WACV", "AL")}
    assert sorted(spec.when for spec in schedules.added) == [
        "daily 06:00",
        "daily 12:00",
        "daily 16:00",
    ]
    assert {spec.timezone for spec in schedules.added} == {"UTC"}
    wacv = next(spec for spec in schedules.added if spec.when == "daily 12:00")
    assert wacv.duration_s == 15 * 3600  # noon to 3 a.m.: past midnight
    again = import_station_list(library, station_file)  # sources only, as `sources import`
    assert (again.added, again.known, again.schedules) == (0, 2, 0)
    assert len(library.sources.list()) == 2


def test_a_filter_keeps_only_its_stations_and_an_empty_match_is_an_error(tmp_path, station_file):
    library = Library(f"sqlite:///{tmp_path / 'lib.db'}")
    done = import_station_list(library, station_file, states=["al"])
    assert done.stations == 1 and [s.name for s in library.sources.list()] == ["WACV"]
    with pytest.raises(UsageError, match="No station in the file matches"):
        import_station_list(library, station_file, names=["NOPE"])
