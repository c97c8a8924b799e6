"""Mentions per day over the library's span: per term, per state or station, per named entity,
and the `mentions` command that prints them."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.errors import UsageError
from app.timelines import (
    OTHER,
    available_groupings,
    entity_timeline,
    said_per_recording,
    term_timeline,
)
from storage import Library
from tests.app.helpers import open_library

JULY = [date(2024, 7, d) for d in range(1, 6)]


def add_flood_days(library: Library) -> dict[str, int]:
    """Five recordings over 1–5 July 2024 (nothing recorded on the 3rd and 4th), from two
    WavePulse stations (WACV in AL, KGWA in OK) and a talk show with no state. "flood" is said
    5 times on the 1st (2 on WACV, 3 on KGWA), never on the 2nd, 3 times on the 5th (2 on
    the talk show, and once on KGWA as "flooding": the index's stemming finds it, the words
    as written do not). Returns the recording ids by name."""
    flood_1 = ["The flood closed the road.", "Flood warnings tonight."]
    talk = ["The FLOOD, the flood.", "A bridge collapse downtown."]
    plan = [
        ("wacv-1", datetime(2024, 7, 1, 12), "WACV", "AL", flood_1),
        ("kgwa-1", datetime(2024, 7, 1, 18), "KGWA", "OK", ["flood, flood and more flood"]),
        ("wacv-2", datetime(2024, 7, 2, 12), "WACV", "AL", ["Sunny skies and no rain at all."]),
        ("talk-5", datetime(2024, 7, 5, 12), "Talk Show", None, talk),
        ("kgwa-5", datetime(2024, 7, 5, 9), "KGWA", "OK", ["The flooding is over."]),
    ]
    ids = {}
    for key, started, station, state, texts in plan:
        ids[key] = library.recordings.create(
            url=f"http://radio/{key}",
            mode="import",
            title=f"{station} {started:%Y-%m-%d %H:%M}",
            started_at=started,
            source_name=station,
            source_url=f"station:{station}",
            source_region=state,
        ).id
        for i, text in enumerate(texts):
            library.segments.save(ids[key], start_s=i * 10.0, end_s=i * 10 + 8, text=text)
    return ids


@pytest.fixture
def library(workdir):
    library = open_library(workdir)
    yield library
    library.close()


def test_a_term_is_counted_per_day_over_the_whole_span(library):
    add_flood_days(library)
    timeline = term_timeline(library, ["flood"])
    assert timeline.days == JULY
    assert timeline.series == {"flood": list(zip(JULY, [5, 0, None, None, 3], strict=True))}
    assert timeline.unrecorded == {date(2024, 7, 3), date(2024, 7, 4)}
    assert timeline.total("flood") == 8 and timeline.count("flood", JULY[1]) == 0


def test_words_are_counted_as_said_and_a_stemmed_match_counts_once(library):
    ids = add_flood_days(library)
    counts = said_per_recording(library, "Flood")
    assert counts == {ids["wacv-1"]: 2, ids["kgwa-1"]: 3, ids["talk-5"]: 2, ids["kgwa-5"]: 1}
    assert said_per_recording(library, "bridge collapse") == {ids["talk-5"]: 1}
    assert said_per_recording(library, "collapse bridge") == {}  # a phrase, in its order


def test_several_terms_are_one_line_each(library):
    add_flood_days(library)
    timeline = term_timeline(library, ["flood", "bridge collapse", "flood"])
    assert list(timeline.series) == ["flood", "bridge collapse"]
    assert [c for _, c in timeline.series["bridge collapse"]] == [0, 0, None, None, 1]


def test_split_by_state_and_by_station(library):
    add_flood_days(library)
    by_state = term_timeline(library, ["flood"], by="state")
    assert by_state.series == {  # most mentions first; a gap where the state recorded nothing
        "OK": list(zip(JULY, [3, None, None, None, 1], strict=True)),
        "AL": list(zip(JULY, [2, 0, None, None, None], strict=True)),
        "no state": list(zip(JULY, [None, None, None, None, 2], strict=True)),
    }
    by_station = term_timeline(library, ["flood"], by="station")
    assert {name: by_station.total(name) for name in by_station.series} == {
        "KGWA": 4,
        "WACV": 2,
        "Talk Show": 2,
    }
    assert list(by_station.series) == ["KGWA", "Talk Show", "WACV"]  # ties by name
    assert by_station.title.endswith("by station")
    assert available_groupings(library) == ["state", "station"]


def test_past_six_groups_the_rest_are_added_up_as_other(library):
    for n in range(1, 10):  # station S1 says it once … S9 nine times, all on 1 July
        rid = library.recordings.create(
            url=f"http://radio/s{n}",
            mode="import",
            started_at=datetime(2024, 7, 1, 8),
            source_name=f"S{n}",
            source_url=f"station:S{n}",
        ).id
        library.segments.save(rid, start_s=0, end_s=5, text=" ".join(["rain"] * n))
    timeline = term_timeline(library, ["rain"], by="station")
    assert list(timeline.series) == ["S9", "S8", "S7", "S6", "S5", "S4", OTHER]
    assert timeline.series[OTHER] == [(date(2024, 7, 1), 1 + 2 + 3)]
    assert available_groupings(library) == ["station"]  # no source has a state


def test_an_entitys_mentions_per_day_add_up_its_recordings(library):
    ids = add_flood_days(library)

    def entity(name: str, mentions: int, scope: str = "recording") -> dict:
        return {
            "scope": scope,
            "start_s": 0.0,
            "end_s": 60.0,
            "name": name,
            "kind": "GPE",
            "mentions": mentions,
            "first_s": 5.0,
        }

    library.entities.replace(
        ids["wacv-1"], [entity("Flagler County", 3), entity("Flagler County", 3, "window")]
    )
    library.entities.replace(ids["kgwa-1"], [entity("flagler county", 1), entity("Tulsa", 4)])
    library.entities.replace(ids["talk-5"], [entity("Flagler County", 2)])
    timeline = entity_timeline(library, ["Flagler"])
    assert [c for _, c in timeline.series["Flagler"]] == [4, 0, None, None, 2]
    by_state = entity_timeline(library, ["flagler"], by="state")
    assert [c for _, c in by_state.series["AL"]] == [3, 0, None, None, None]


def test_an_empty_library_has_no_days_and_bad_requests_say_why(library):
    assert term_timeline(library, ["flood"]).days == []
    with pytest.raises(UsageError, match="one term at a time"):
        term_timeline(library, ["flood", "rain"], by="state")
    with pytest.raises(UsageError, match="Give a term"):
        term_timeline(library, ["  "])
    with pytest.raises(UsageError, match="Split by"):
        term_timeline(library, ["flood"], by="county")


def test_mentions_command_prints_the_day_table(run_cli, workdir):
    library = open_library(workdir)
    add_flood_days(library)
    result = run_cli("mentions", "flood", "bridge collapse")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Mentions per day of “flood”, “bridge collapse” (days as stored, UTC; — nothing recorded):",
        "day         flood  bridge collapse",
        "2024-07-01      5                0",
        "2024-07-02      0                0",
        "(no recordings 2024-07-03 – 2024-07-04)",
        "2024-07-05      3                1",
        "total           8                1",
    ]
    by_state = run_cli("mentions", "flood", "--by", "state")
    assert by_state.returncode == 0, by_state.stderr
    assert by_state.stdout.splitlines()[1:] == [
        "day            OK     AL  no state",
        "2024-07-01      3      2         —",
        "2024-07-02      —      0         —",
        "(no recordings 2024-07-03 – 2024-07-04)",
        "2024-07-05      1      —         2",
        "total           4      2         2",
    ]
    library.entities.replace(
        1,
        [
            {
                "scope": "recording",
                "start_s": 0.0,
                "end_s": 9.0,
                "name": "Flagler County",
                "kind": "GPE",
                "mentions": 3,
                "first_s": 1.0,
            }
        ],
    )
    entity = run_cli("mentions", "--entity", "flagler")
    assert entity.returncode == 0, entity.stderr
    assert "2024-07-01        3" in entity.stdout and "total             3" in entity.stdout
    split_two = run_cli("mentions", "flood", "rain", "--by", "station")
    assert split_two.returncode == 1 and "one term at a time" in split_two.stderr
