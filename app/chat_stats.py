"""Chat analytics for a recording: activity per window, spikes as candidate highlights.

A window is a spike when its message count stands far above the rolling baseline (the
median of the preceding windows): a Poisson z-score of at least `SPIKE_Z`, at least twice
the baseline and at least `SPIKE_MIN` messages. Each spike comes with what was being said
at that moment, so an analyst can jump to the highlight.
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field

from ingest.chat.types import KIND_BAN, KIND_DELETE, KIND_MESSAGE, KIND_TIMEOUT, MODERATION_KINDS
from storage import ChatMessageRecord, ChatWindowRecord, Library, SegmentRecord

WINDOW_S = 60.0
BASELINE_WINDOWS = 10
SPIKE_Z = 3.0
SPIKE_MIN = 5


@dataclass(frozen=True)
class Spike:
    start_s: float
    end_s: float
    messages: int
    baseline: float
    score: float
    transcript: str  # what was said in the window
    sample: list[str]  # a few chat lines from it


@dataclass
class ChatStats:
    messages: int = 0
    chatters: int = 0
    first_timers: int = 0
    per_minute: float = 0.0
    peak_per_minute: int = 0
    top_chatters: list[tuple[str, int]] = field(default_factory=list)
    top_emotes: list[tuple[str, int]] = field(default_factory=list)
    moderation: dict[str, int] = field(default_factory=dict)  # ban, timeout, delete, clear
    flagged: dict[str, int] = field(default_factory=dict)  # per category
    windows: list[ChatWindowRecord] = field(default_factory=list)
    spikes: list[Spike] = field(default_factory=list)


def compute_windows(
    messages: list[ChatMessageRecord],
    duration_s: float,
    first_seen_before: set[str] | None = None,
    window_s: float = WINDOW_S,
) -> list[dict]:
    """Per-window counts (as stored in `chat_windows`), spikes marked."""
    end = max([duration_s] + [m.offset_s for m in messages] + [0.0])
    count = max(1, math.ceil(end / window_s)) if messages or duration_s else 0
    windows = [
        {
            "start_s": i * window_s,
            "end_s": (i + 1) * window_s,
            "messages": 0,
            "chatters": set(),
            "first_timers": 0,
            "emotes": 0,
            "flagged": 0,
            "moderation_actions": 0,
        }
        for i in range(count)
    ]
    # First-time chatters: Twitch's own first-message flag, plus — when the library has
    # earlier recordings of this source — authors never seen in them.
    seen = set(first_seen_before) if first_seen_before is not None else None
    for m in sorted(messages, key=lambda x: x.offset_s):
        index = min(count - 1, max(0, int(m.offset_s // window_s)))
        window = windows[index]
        if m.kind == KIND_MESSAGE:
            window["messages"] += 1
            window["chatters"].add(m.author)
            window["emotes"] += len(m.emotes)
            window["flagged"] += bool(m.violation)
            if m.first_message or (seen is not None and m.author and m.author not in seen):
                window["first_timers"] += 1
            if seen is not None:
                seen.add(m.author)
        elif m.kind in MODERATION_KINDS:
            window["moderation_actions"] += 1
    counts = [w["messages"] for w in windows]
    for i, window in enumerate(windows):
        window["chatters"] = len(window["chatters"])
        previous = counts[max(0, i - BASELINE_WINDOWS) : i]
        baseline = statistics.median(previous) if previous else None
        if baseline is None:
            window["spike_score"], window["is_spike"] = None, False
            continue
        score = (counts[i] - baseline) / math.sqrt(max(baseline, 1.0))
        window["spike_score"] = round(score, 2)
        window["is_spike"] = bool(
            score >= SPIKE_Z and counts[i] >= 2 * max(baseline, 1.0) and counts[i] >= SPIKE_MIN
        )
    return windows


def refresh_windows(library: Library, recording_id: int) -> list[ChatWindowRecord]:
    """Recompute and store a recording's chat windows (after a session or an import)."""
    recording = library.recordings.get(recording_id)
    messages = library.chat.for_recording(recording_id)
    earlier = set(library.chat.first_seen(recording_id)) or None
    library.chat.replace_windows(
        recording_id, compute_windows(messages, recording.duration_s, earlier)
    )
    return library.chat.windows(recording_id)


def recording_stats(
    library: Library,
    recording_id: int,
    top: int = 10,
    *,
    events: list[ChatMessageRecord] | None = None,
    segments: list[SegmentRecord] | None = None,
) -> ChatStats:
    """Who chatted, how much, what was flagged and moderated, and each spike with what was
    said then. `events` and `segments`, when the caller has read them already (a recording
    view has), are not read again: a six-hour chat is 50,000 records."""
    recording = library.recordings.get(recording_id)
    if events is None:
        events = library.chat.for_recording(recording_id)
    messages = [m for m in events if m.kind == KIND_MESSAGE]
    windows = library.chat.windows(recording_id) or refresh_windows(library, recording_id)
    earlier = set(library.chat.first_seen(recording_id))
    authors = Counter(m.display_name or m.author for m in messages)
    first = {m.author for m in messages if m.first_message} | (
        {m.author for m in messages} - earlier if earlier else set()
    )
    minutes = max(
        1.0, recording.duration_s / 60, max((m.offset_s for m in messages), default=0) / 60
    )
    if segments is None:
        segments = library.segments.for_recording(recording_id)
    stats = ChatStats(
        messages=len(messages),
        chatters=len({m.author for m in messages}),
        first_timers=len(first),
        per_minute=len(messages) / minutes if minutes else 0.0,
        peak_per_minute=max((w.messages for w in windows), default=0),
        top_chatters=authors.most_common(top),
        top_emotes=Counter(e for m in messages for e in m.emotes).most_common(top),
        moderation=dict(
            Counter(m.kind for m in events if m.kind in (KIND_BAN, KIND_TIMEOUT, KIND_DELETE))
        ),
        flagged=dict(Counter(m.category or "violation" for m in messages if m.violation)),
        windows=windows,
    )
    counts = [w.messages for w in windows]
    by_time = sorted(messages, key=lambda m: m.offset_s)
    offsets = [m.offset_s for m in by_time]
    for i, w in enumerate(windows):
        if not w.is_spike:
            continue
        baseline = statistics.median(counts[max(0, i - BASELINE_WINDOWS) : i])
        said = " ".join(s.text for s in segments if s.end_s > w.start_s and s.start_s < w.end_s)
        first = bisect_left(offsets, w.start_s)
        sample = [
            f"{m.display_name or m.author}: {m.text}"
            for m in by_time[first : bisect_left(offsets, w.end_s, lo=first)][:5]
        ]
        stats.spikes.append(
            Spike(
                w.start_s, w.end_s, w.messages, round(baseline, 1), w.spike_score or 0, said, sample
            )
        )
    return stats
