"""Importing a station list (WavePulse's `[{url, radio_name, time, state}]`): one use case for
the Sources tab, the Schedules dialog, `sources import` and `schedule import`.

Each station becomes a source (name and state kept, nothing duplicated on a second import);
with a scheduler, each of its recording windows also becomes a daily schedule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.errors import UsageError
from app.schedules import (
    ScheduleSpec,
    Station,
    local_timezone,
    read_wavepulse_stations,
    station_schedules,
)
from storage import Library


class AddsSchedules(Protocol):
    def add(self, spec: ScheduleSpec) -> object: ...


@dataclass(frozen=True)
class StationImport:
    stations: int  # read (and chosen) from the file
    added: int  # sources that were new
    schedules: int  # daily schedules added

    @property
    def known(self) -> int:
        return self.stations - self.added


def import_station_list(
    library: Library,
    path: str | Path,
    *,
    scheduler: AddsSchedules | None = None,
    timezone: str | None = None,
    mode: str = "monitor",
    states: Iterable[str] = (),
    names: Iterable[str] = (),
) -> StationImport:
    """Add the file's stations as sources and, given a scheduler, their daily schedules
    (in `timezone`, by default this computer's). `states` / `names` keep only those
    stations; a filter nothing matches is an error rather than an empty import."""
    stations = choose_stations(read_wavepulse_stations(Path(path)), states, names)
    zone = timezone or local_timezone()
    added = schedules = 0
    for station in stations:
        _, new = library.sources.upsert(
            station.url, name=station.name, region=station.region, is_live=True
        )
        added += new
        if scheduler is not None:
            for spec in station_schedules(station, zone, mode):
                scheduler.add(spec)
                schedules += 1
    return StationImport(len(stations), added, schedules)


def choose_stations(
    stations: list[Station], states: Iterable[str] = (), names: Iterable[str] = ()
) -> list[Station]:
    wanted_states = {s.upper() for s in states}
    wanted_names = {n.upper() for n in names}
    chosen = [
        s
        for s in stations
        if (not wanted_states or (s.region or "").upper() in wanted_states)
        and (not wanted_names or s.name.upper() in wanted_names)
    ]
    if not chosen and (wanted_states or wanted_names):
        raise UsageError("No station in the file matches --state/--station.")
    return chosen
