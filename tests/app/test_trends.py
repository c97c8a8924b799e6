"""Trends rank names, not common words, and a station's own recurring names are not news:
a station counts once per period, whatever it recorded."""

from __future__ import annotations

from datetime import datetime

from app.keywords import recording_names, store_recording_terms, trends
from tests.app.helpers import open_library

CALL_IN = (
    "Caroline Sunshine is back with your calls. Remove the tree before the storm, a "
    "listener said. I assume the formula is the same. "
)
STORY = "Hurricane Debby made landfall near Tampa Bay overnight. "
LOCAL = [  # each recording's own local news, so that no two look like one rebroadcast
    "The county fair opened with a parade of tractors and a pie contest.",
    "The library extended its summer hours for students before exams.",
    "Road crews repaved the stretch of Main Street beside the old school.",
    "The zoo welcomed a giraffe calf born during the spring storms.",
    "Farmers at the market sold early peaches and sweet corn.",
    "The city pool closed for repairs to its cracked diving board.",
    "A bakery on Elm Avenue won the regional bread award.",
    "Volunteers planted oak saplings along the river trail.",
    "The high school band raised money for new uniforms at a car wash.",
    "Firefighters rescued a kitten from a storm drain on Oak Lane.",
    "The museum opened an exhibit of railroad lanterns and maps.",
    "The hospital added a night shift at its urgent care clinic.",
    "A chess club for seniors meets Tuesdays at the community center.",
    "The water utility replaced lead pipes under Cedar Street.",
    "The minor league ballpark sold out for fireworks night.",
    "A food pantry drive collected four tons of canned goods.",
]


def _local(n: int) -> str:
    return " ".join(LOCAL[(n + i) % len(LOCAL)] for i in range(3)) + " "


def _record(library, station: str, day: int, text: str) -> int:
    rid = library.recordings.create(
        url=f"http://{station}/{day}",
        source_url=f"http://{station}",
        source_name=station,
        mode="import",
        title=f"{station} day {day}",
        started_at=datetime(2024, 8, day, 8),
    ).id
    for i in range(3):
        library.segments.save(rid, start_s=i * 60.0, end_s=i * 60 + 50, text=text)
    return rid


def _library(workdir):
    library = open_library(workdir)
    for day in range(1, 9):  # the call-in station, every day; the host says the same things
        _record(library, "KCAL", day, CALL_IN + (STORY if day >= 5 else ""))
    for n, station in enumerate(["WAAA", "WBBB", "WCCC", "WDDD"]):
        _record(library, station, 1 + n, _local(4 * n + 2))  # before: local news only
        _record(library, station, 5 + n, STORY + _local(4 * n))  # then the hurricane
    return library


def test_trends_rank_names_and_count_a_station_once(workdir):
    library = _library(workdir)
    found = [t.burst for t in trends(library, datetime(2024, 8, 5))]
    terms = [b.term for b in found]
    assert "hurricane debby" in terms, terms
    assert found[terms.index("hurricane debby")].recent == 5  # five stations, not 8 recordings
    assert not {"caroline sunshine", "tree", "remove", "assume", "formula", "listener"} & set(
        terms
    ), terms


def test_names_are_computed_once_at_analysis(workdir, monkeypatch):
    import app.keywords as keywords

    library = _library(workdir)
    for recording in library.recordings.list():
        store_recording_terms(library, recording.id)  # what import and analysis do
    computed = []
    monkeypatch.setattr(keywords, "_names_of", lambda *a: computed.append(a) or set())
    names = recording_names(library)
    newest = max(library.recordings.list(), key=lambda r: r.started_at)
    assert computed == [] and "hurricane debby" in names[newest.id]
