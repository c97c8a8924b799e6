"""Mentions per day: how often a term is said, or a named entity mentioned, on each day of the
library's span, overall or per state or station.

Trends rank terms by a z-score; an analyst looks at the curve. A `Timeline` is that curve as
plain data, for the Trends tab's chart and the `mentions` command alike.

What a day is: the date a recording started, as stored and as the library list shows it (UTC;
a WavePulse file keeps the day in its name). Every day from the library's first recording to its
last is on the timeline. A day on which something was recorded but the term was not said counts
0, so the line touches zero; a day on which nothing was recorded (by that line's stations) has
no count (`None`), and the chart leaves a gap there: a zero would say "nobody talked about it"
when nobody was listening, and a recording outage would look like interest falling away.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from app.errors import UsageError
from storage import Library
from storage.records import RecordingRecord, SourceRecord

BY_STATE = "state"
BY_STATION = "station"
GROUPINGS = (BY_STATE, BY_STATION)
TOP_GROUPS = 6  # lines a chart can show apart; the rest are added up as OTHER
OTHER = "other"
NO_STATE = "no state"

DayCount = tuple[date, int | None]


@dataclass(frozen=True)
class Timeline:
    """Counts per day, one series per line (a term, or a state or station)."""

    title: str  # what is counted, for a chart's or a table's heading
    days: list[date]  # every day from the library's first recording day to its last
    series: dict[str, list[DayCount]]  # line -> (day, count), count None: nothing recorded
    unrecorded: frozenset[date]  # days with no recording at all in the library

    def total(self, line: str) -> int:
        return sum(count or 0 for _, count in self.series[line])

    def count(self, line: str, day: date) -> int | None:
        return dict(self.series[line]).get(day)


def term_timeline(library: Library, terms: Sequence[str], by: str | None = None) -> Timeline:
    """Times each of `terms` is said per day: one line per term, or with `by` (state or
    station) one line per group for a single term."""
    terms = _cleaned(terms, "Give a term to count.")
    counts = {term: said_per_recording(library, term) for term in terms}
    return _timeline(library, counts, by, "Mentions per day of")


def entity_timeline(library: Library, names: Sequence[str], by: str | None = None) -> Timeline:
    """Mentions per day of named entities (each matched as `entities --find` does): each
    recording's stored mention count, added up by the day it started."""
    names = _cleaned(names, "Give a name to count.")
    counts = {name: library.entities.mention_counts(name) for name in names}
    return _timeline(library, counts, by, "Named-entity mentions per day of")


def said_per_recording(library: Library, term: str) -> dict[int, int]:
    """Times `term` is said in each recording that says it.

    Full-text search finds the segments (as a phrase, with the index's stemming); in each, the
    whole words of the term are counted, case-insensitively. A segment the index matched
    where the words are not found as written ("collapsed" for "collapse") counts once.
    """
    pattern = _word_pattern(term)
    counts: dict[int, int] = defaultdict(int)
    phrase = '"' + term.replace('"', " ") + '"'
    for recording_id, text in library.search.matching_texts(phrase):
        counts[recording_id] += max(1, len(pattern.findall(text)))
    return dict(counts)


def available_groupings(library: Library) -> list[str]:
    """The splits this library has data for: state where some recording's source has a
    region (WavePulse stations do), station where there are at least two."""
    recordings = library.recordings.list()
    sources = _sources(library)
    found = []
    if any(_state(r, sources) != NO_STATE for r in recordings):
        found.append(BY_STATE)
    if len({_station(r, sources) for r in recordings}) > 1:
        found.append(BY_STATION)
    return found


# --- building the series -----------------------------------------------------------------


def _cleaned(lines: Sequence[str], missing: str) -> list[str]:
    cleaned = list(dict.fromkeys(t.strip() for t in lines if t.strip()))
    if not cleaned:
        raise UsageError(missing)
    return cleaned


def _timeline(
    library: Library, counts: dict[str, dict[int, int]], by: str | None, heading: str
) -> Timeline:
    title = f"{heading} " + ", ".join(f"“{line}”" for line in counts)
    if by is None:
        return _per_line(library, counts, title)
    if len(counts) > 1:
        raise UsageError("Split one term at a time by state or station.")
    [per_recording] = counts.values()
    return _per_group(library, per_recording, by, title)


def _per_line(library: Library, counts: dict[str, dict[int, int]], title: str) -> Timeline:
    recordings = library.recordings.list()
    days, unrecorded = _span(recordings)
    series = {
        line: _series(days, recordings, per_recording) for line, per_recording in counts.items()
    }
    return Timeline(title, days, series, unrecorded)


def _per_group(library: Library, counts: dict[int, int], by: str, title: str) -> Timeline:
    if by not in GROUPINGS:
        raise UsageError(f"Split by {' or '.join(GROUPINGS)}, not {by!r}.")
    recordings = library.recordings.list()
    days, unrecorded = _span(recordings)
    sources = _sources(library)
    group_of: Callable[[RecordingRecord], str] = (
        (lambda r: _state(r, sources)) if by == BY_STATE else (lambda r: _station(r, sources))
    )
    members: dict[str, list[RecordingRecord]] = defaultdict(list)
    for r in recordings:
        members[group_of(r)].append(r)
    totals = {g: sum(counts.get(r.id, 0) for r in rs) for g, rs in members.items()}
    ranked = sorted(members, key=lambda g: (-totals[g], g.lower()))
    if len(ranked) > TOP_GROUPS + 1:  # one group left over is shown as itself, not as "other"
        rest = [r for g in ranked[TOP_GROUPS:] for r in members[g]]
        ranked = ranked[:TOP_GROUPS]
        members = {g: members[g] for g in ranked} | {OTHER: rest}
        ranked.append(OTHER)
    series = {g: _series(days, members[g], counts) for g in ranked}
    return Timeline(f"{title} by {by}", days, series, unrecorded)


def _series(
    days: list[date], recordings: Sequence[RecordingRecord], counts: dict[int, int]
) -> list[DayCount]:
    """Per day: the count over `recordings` started that day, None where none started."""
    per_day: dict[date, int] = {}
    for r in recordings:
        day = r.started_at.date()
        per_day[day] = per_day.get(day, 0) + counts.get(r.id, 0)
    return [(day, per_day.get(day)) for day in days]


def _span(recordings: Sequence[RecordingRecord]) -> tuple[list[date], frozenset[date]]:
    recorded = {r.started_at.date() for r in recordings}
    if not recorded:
        return [], frozenset()
    first, last = min(recorded), max(recorded)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return days, frozenset(d for d in days if d not in recorded)


def _sources(library: Library) -> dict[int, SourceRecord]:
    return {s.id: s for s in library.sources.list()}


def _state(recording: RecordingRecord, sources: dict[int, SourceRecord]) -> str:
    source = sources.get(recording.source_id) if recording.source_id is not None else None
    region = (source.region or "").strip().upper() if source is not None else ""
    return region or NO_STATE


def _station(recording: RecordingRecord, sources: dict[int, SourceRecord]) -> str:
    source = sources.get(recording.source_id) if recording.source_id is not None else None
    if source is not None:
        return source.name or source.url
    return recording.title or recording.url


def _word_pattern(term: str) -> re.Pattern[str]:
    """The term's words as whole words, anything but letters and digits between them (as the
    index's tokenizer sees a phrase)."""
    words = re.findall(r"\w+(?:'\w+)?", term)
    body = r"\W+".join(re.escape(w) for w in words) or re.escape(term)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)
