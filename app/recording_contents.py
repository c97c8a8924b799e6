"""Everything a recording's view shows, read from the library in three steps.

Opening six hours of radio with 50,000 chat messages must show the transcript at once, so
the reading is split: `read_recording` (the transcript and the stored analyses, fast),
`read_chat` (the chat and what is counted over it, about a second), `work_out_details`
(station breaks, chat statistics, tutorials: seconds). Each runs off the GUI thread; the
view adds what comes later (`benchmarks/gui_large.py` measures the steps). Search over
transcripts and chat (`search_library`) is the GUI's and the CLI's `search` alike.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.chat_stats import ChatStats
from app.config import Settings
from nlp.station_breaks import station_break_flags
from storage import (
    ChatMessageRecord,
    ChatWindowRecord,
    Library,
    RecordingRecord,
    SearchHit,
    SegmentRecord,
    SummaryRecord,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActivityTimeline:
    """Chat and speech over one recording, counted per bucket of `bucket_s` seconds: what
    the recording view's chart draws."""

    bucket_s: float
    chat: dict[int, int]  # messages per bucket
    speech: dict[int, int]  # words spoken per bucket
    flags: list[float]  # when flagged messages came
    spikes: list[tuple[float, float]]
    end_s: float


def count_activity(
    bucket_s: float,
    chat: Iterable[tuple[float, bool]],
    speech: Iterable[tuple[float, float, int]],
    spikes: list[tuple[float, float]],
    end_s: float,
) -> ActivityTimeline:
    """Messages (offset, flagged) and speech (start, end, words) counted per bucket: about
    50 ms for a busy six-hour chat, so a loader does it off the GUI thread. `chat` and
    `speech` may be generators (a list of 50,000 tuples is enough to set off a collection
    of the whole heap)."""
    counts: dict[int, int] = {}
    flags: list[float] = []
    last = end_s
    for offset, flagged in chat:
        bucket = int(offset // bucket_s) if offset > 0 else 0
        counts[bucket] = counts.get(bucket, 0) + 1
        if flagged:
            flags.append(offset)
        if offset > last:
            last = offset
    words: dict[int, int] = {}
    for start, end, spoken in speech:
        bucket = int(start // bucket_s) if start > 0 else 0
        words[bucket] = words.get(bucket, 0) + spoken
        if end > last:
            last = end
    return ActivityTimeline(bucket_s, counts, words, flags, list(spikes), last)


def bucket_for(duration_s: float) -> float:
    """About a hundred bars across the chart, in round steps."""
    for step in (5, 10, 15, 30, 60, 120, 300, 600):
        if duration_s / step <= 120:
            return float(step)
    return 900.0


@dataclass(frozen=True)
class RecordingOverview:
    """What the view counts over every message and segment (the chart's bars and line, the
    chat's totals): for 50,000 messages about 0.1 s of Python a loader can do off the GUI
    thread, where a full garbage collection it may set off does not freeze the window."""

    timeline: ActivityTimeline
    chat_messages: int
    chat_flagged: int


def overview_of(
    recording: RecordingRecord,
    segments: list[SegmentRecord],
    chat: list[ChatMessageRecord],
    windows: list[ChatWindowRecord],
) -> RecordingOverview:
    """The chart's counts and the chat's totals (`chat` may be empty: speech only)."""
    timeline = count_activity(
        bucket_for(recording.duration_s),
        ((m.offset_s, bool(m.violation)) for m in chat if m.kind == "message"),
        ((s.start_s, s.end_s, len(s.text.split())) for s in segments),
        [(w.start_s, w.end_s) for w in windows if w.is_spike],
        recording.duration_s,
    )
    messages = sum(m.kind == "message" for m in chat)
    return RecordingOverview(timeline, messages, sum(bool(m.violation) for m in chat))


@dataclass(frozen=True)
class RecordingContents:
    """What a recording view shows. `read_recording` leaves out what takes long for a long
    recording (`chat` None, `break_rows` None): `read_chat` and `work_out_details` bring it."""

    recording: RecordingRecord
    segments: list[SegmentRecord]
    chat: list[ChatMessageRecord] | None = field(default_factory=list)  # None: read later
    windows: list[ChatWindowRecord] = field(default_factory=list)
    summaries: list[SummaryRecord] = field(default_factory=list)
    keywords: list = field(default_factory=list)
    entities: list = field(default_factory=list)
    tutorials: list = field(default_factory=list)  # Recommendation
    chat_stats: ChatStats | None = None
    break_rows: list[int] | None = None  # `station_break_rows(segments)`
    overview: RecordingOverview | None = None  # `overview_of(...)`, or worked out by the view


@dataclass(frozen=True)
class RecordingChat:
    """A recording's chat and what is counted over it, read after the view is shown:
    50,000 messages take longer to read than all the rest."""

    messages: list[ChatMessageRecord]
    overview: RecordingOverview


@dataclass(frozen=True)
class RecordingDetails:
    """What takes seconds to work out for a long recording, so it comes after the view is
    shown: for six hours of radio with 50,000 chat messages, finding the station breaks and
    the chat statistics took longer than the rest together."""

    break_rows: list[int]
    chat_stats: ChatStats | None = None
    tutorials: list = field(default_factory=list)  # Recommendation


def station_break_rows(segments: list[SegmentRecord]) -> list[int]:
    """The transcript rows that are station breaks (about 70 µs a segment: worth doing off
    the GUI thread for a long recording)."""
    flags = station_break_flags([(s.start_s, s.end_s, s.text) for s in segments])
    return [row for row, flagged in enumerate(flags) if flagged]


def read_recording(library: Library, recording_id: int) -> RecordingContents:
    """The recording, its transcript and its stored analyses; the chat and the details
    follow (`read_chat`, `work_out_details`). Raises `RecordingNotFound` for an unknown id."""
    recording = library.recordings.get(recording_id)
    segments = library.segments.for_recording(recording_id)
    windows = library.chat.windows(recording_id)
    return RecordingContents(
        recording,
        segments,
        None,
        windows,
        library.summaries.for_recording(recording_id),
        library.keywords.for_recording(recording_id),
        library.entities.for_recording(recording_id),
        overview=overview_of(recording, segments, [], windows),
    )


def read_chat(library: Library, contents: RecordingContents) -> RecordingChat:
    chat = library.chat.for_recording(contents.recording.id)
    return RecordingChat(
        chat, overview_of(contents.recording, contents.segments, chat, contents.windows)
    )


def work_out_details(
    library: Library, settings: Settings, contents: RecordingContents, chat: RecordingChat | None
) -> RecordingDetails:
    """Station breaks, chat statistics (when there is chat: the chat already read, not read
    again) and tutorials for what the recording is about."""
    from app.chat_stats import recording_stats

    stats = None
    if chat is not None and chat.messages:
        stats = recording_stats(
            library, contents.recording.id, events=chat.messages, segments=contents.segments
        )
    return RecordingDetails(
        station_break_rows(contents.segments), stats, tutorials_for(settings, contents.segments)
    )


def tutorials_for(settings: Settings, segments: list[SegmentRecord]) -> list:
    """Tutorials for what the recording is about; none when recommending fails (logged):
    a view without recommendations beats a view that does not open."""
    try:
        from app.tutorial_catalog import active_recommender, recommend_with

        text = " ".join(s.text for s in segments)
        return recommend_with(lambda: active_recommender(settings), text)
    except Exception:
        log.exception("Tutorial recommendations failed")
        return []


def search_library(
    library: Library, query: str, limit: int = 50, chat: bool = True
) -> list[SearchHit]:
    """Transcript hits, then chat hits (unless `chat` is False), for one query syntax."""
    hits = library.search.search(query, limit=limit)
    if chat:
        hits += library.chat.search(query, limit=limit)
    return hits
