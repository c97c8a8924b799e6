"""Plain, frozen views of stored rows: what the repositories return to the rest of the app."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime


@dataclass(frozen=True)
class NewRecording:
    """What a caller says about a recording it starts; the rest (state, owner, times) the
    repository sets. Its source is found by `source_url` (else `url`) and created when new,
    named `source_name` (else the title)."""

    url: str
    mode: str
    title: str | None = None
    platform: str | None = None
    channel: str | None = None
    is_live: bool = False
    model: str | None = None
    started_at: datetime | None = None
    import_key: str | None = None
    schedule_id: str | None = None
    scheduled_at: datetime | None = None
    late_s: float | None = None
    task_id: str | None = None  # the Celery task running it (app/distributed)
    worker: str | None = None
    source_name: str | None = None
    source_url: str | None = None
    source_region: str | None = None

    SOURCE_FIELDS = ("source_name", "source_url", "source_region")

    def recording_columns(self) -> dict:
        """The values that go into the recording's own row (all but the source's)."""
        return {
            f.name: getattr(self, f.name) for f in fields(self) if f.name not in self.SOURCE_FIELDS
        }


@dataclass(frozen=True)
class RecordingRecord:
    id: int
    url: str
    title: str | None
    platform: str | None
    channel: str | None
    is_live: bool
    mode: str
    model: str | None
    started_at: datetime
    ended_at: datetime | None
    duration_s: float
    status: str
    error: str | None
    archive_dir: str | None
    source_id: int | None = None
    language: str | None = None
    segment_count: int = 0
    chat_count: int = 0
    flagged_count: int = 0
    import_key: str | None = None
    schedule_id: str | None = None
    scheduled_at: datetime | None = None
    late_s: float | None = None
    lag_s: float | None = None  # how far transcription was behind, at the last heartbeat
    host: str | None = None  # the machine running it (while it runs)
    pid: int | None = None  # the process running it, on `host`
    heartbeat_at: datetime | None = None  # when that process last said it was alive
    task_id: str | None = None  # the Celery task that runs it, for one run by a worker
    worker: str | None = None  # that worker's name
    stop_requested_at: datetime | None = None  # someone asked its worker to stop it


@dataclass(frozen=True)
class SegmentRecord:
    id: int
    recording_id: int
    start_s: float
    end_s: float
    text: str
    words: list = field(default_factory=list)
    confidence: float | None = None
    speaker: str | None = None
    final: bool = True
    raw_text: str | None = None  # the text before punctuation was restored


@dataclass(frozen=True)
class ArchiveFileRecord:
    id: int
    recording_id: int
    seq: int
    uri: str
    start_s: float
    duration_s: float | None


@dataclass(frozen=True)
class SearchHit:
    recording_id: int
    recording_title: str | None
    segment_id: int
    start_s: float
    end_s: float
    text: str
    snippet: str
    source: str = "transcript"  # or "chat"; `segment_id` is then the chat message's id
    speaker: str | None = None  # who said it, where known (a chat message: its author)


@dataclass(frozen=True)
class SourceRecord:
    id: int
    url: str
    name: str | None
    platform: str | None
    channel: str | None
    is_live: bool | None
    favourite: bool
    region: str | None
    created_at: datetime
    recording_count: int = 0


@dataclass(frozen=True)
class ScheduleRunRecord:
    id: int
    schedule_id: str
    schedule_name: str | None
    url: str
    scheduled_at: datetime
    started_at: datetime | None
    status: str
    recording_id: int | None
    detail: str | None


@dataclass(frozen=True, slots=True)
class ChatMessageRecord:
    """One stored chat message or event. Slotted, with tuples: a long recording's view holds
    50,000 of them, and each object the garbage collector must visit lengthens its full
    passes on the GUI thread (an instance, its __dict__ and two lists were four; now one)."""

    id: int
    recording_id: int
    at: datetime
    offset_s: float
    kind: str
    platform: str | None
    message_id: str | None
    author: str
    display_name: str
    text: str
    badges: tuple[str, ...] = ()
    emotes: tuple[str, ...] = ()
    bits: int = 0
    first_message: bool = False
    target_user: str | None = None
    target_message_id: str | None = None
    duration_s: float | None = None
    deleted: bool = False
    violation: bool | None = None
    score: float | None = None
    category: str | None = None
    target: str | None = None


@dataclass(frozen=True)
class ChatWindowRecord:
    start_s: float
    end_s: float
    messages: int
    chatters: int
    first_timers: int
    emotes: int
    flagged: int
    moderation_actions: int
    spike_score: float | None
    is_spike: bool


@dataclass(frozen=True)
class SummaryRecord:
    kind: str  # clip or recording
    start_s: float
    end_s: float
    sentences: list  # (start_s, end_s, text) tuples


@dataclass(frozen=True)
class KeywordRecord:
    scope: str  # recording or window
    start_s: float
    end_s: float
    term: str
    score: float
    count: int


@dataclass(frozen=True)
class EntityRecord:
    scope: str  # recording or window
    start_s: float
    end_s: float
    name: str
    kind: str
    mentions: int
    first_s: float


@dataclass(frozen=True)
class VoiceProfileRecord:
    id: int
    source_id: int | None
    number: int
    name: str | None
    centroid: bytes  # float32 unit vector
    weight_s: float
    recordings: int = 0  # how many recordings the voice was found in

    @property
    def display(self) -> str:
        return self.name or f"Speaker {self.number}"


@dataclass(frozen=True)
class RecordingSpeakerRecord:
    recording_id: int
    label: str  # "Speaker 3": shown when the profile has no name
    profile_id: int | None
    name: str | None  # the profile's name, when the user gave one
    speech_s: float
    similarity: float | None  # to the profile it matched; None for a voice new here
    centroid: bytes
    segments: int = 0

    @property
    def display(self) -> str:
        return self.name or self.label
