"""The ORM rows. Column meanings are documented here once; migrations mirror them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Source(Base):
    """A stream the analyst follows (a channel, a station, a file location)."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String, unique=True, nullable=False)
    name: Mapped[str | None] = mapped_column(String)
    platform: Mapped[str | None] = mapped_column(String)
    channel: Mapped[str | None] = mapped_column(String)
    is_live: Mapped[bool | None] = mapped_column(Boolean)
    favourite: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    region: Mapped[str | None] = mapped_column(String)  # e.g. a US state for radio stations
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)

    recordings: Mapped[list[Recording]] = relationship(back_populates="source")


class Recording(Base):
    """One capture of a source: its audio archive, transcript and state.

    `status` is one of recording, complete, interrupted, failed. `pid`, `host` and
    `heartbeat_at` let any later process tell a live recording from one whose process died.
    """

    __tablename__ = "recordings"
    __table_args__ = (Index("ix_recordings_import_key", "import_key", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    url: Mapped[str] = mapped_column(String, nullable=False)
    title: Mapped[str | None] = mapped_column(String)
    platform: Mapped[str | None] = mapped_column(String)
    channel: Mapped[str | None] = mapped_column(String)
    is_live: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    mode: Mapped[str] = mapped_column(String, nullable=False)
    model: Mapped[str | None] = mapped_column(String)
    language: Mapped[str | None] = mapped_column(String)
    lag_s: Mapped[float | None] = mapped_column(Float)  # transcription behind, at the heartbeat
    started_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    duration_s: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    status: Mapped[str] = mapped_column(String, nullable=False, index=True)
    error: Mapped[str | None] = mapped_column(Text)
    archive_dir: Mapped[str | None] = mapped_column(String)
    pid: Mapped[int | None] = mapped_column(Integer)
    host: Mapped[str | None] = mapped_column(String)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Set for imported items: what makes re-running a batch skip what is already in.
    import_key: Mapped[str | None] = mapped_column(String)
    # Set for scheduled recordings: which schedule, the planned start, how late it began.
    schedule_id: Mapped[str | None] = mapped_column(String)
    scheduled_at: Mapped[datetime | None] = mapped_column(DateTime)
    late_s: Mapped[float | None] = mapped_column(Float)
    # Set for recordings run by a Celery worker: the task (a redelivered job continues the
    # recording of its task), the worker's name, and when someone asked it to stop.
    task_id: Mapped[str | None] = mapped_column(String, index=True)
    worker: Mapped[str | None] = mapped_column(String)
    stop_requested_at: Mapped[datetime | None] = mapped_column(DateTime)

    source: Mapped[Source | None] = relationship(back_populates="recordings")
    segments: Mapped[list[Segment]] = relationship(
        back_populates="recording", cascade="all, delete-orphan", order_by="Segment.start_s"
    )
    archive_files: Mapped[list[ArchiveFile]] = relationship(
        back_populates="recording", cascade="all, delete-orphan", order_by="ArchiveFile.seq"
    )


class Segment(Base):
    """A committed stretch of transcript. Times are seconds on the recording's timeline.

    `words` holds `[start, end, word, probability]` lists; `final` is false while a live
    session is still appending committed words to it.
    """

    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), index=True, nullable=False
    )
    start_s: Mapped[float] = mapped_column(Float, nullable=False)
    end_s: Mapped[float] = mapped_column(Float, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    words: Mapped[list | None] = mapped_column(JSON)
    confidence: Mapped[float | None] = mapped_column(Float)
    speaker: Mapped[str | None] = mapped_column(String)
    final: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    raw_text: Mapped[str | None] = mapped_column(Text)  # before punctuation was restored

    recording: Mapped[Recording] = relationship(back_populates="segments")


class VoiceProfile(Base):
    """A recurring voice of a source: the unit centroid of its speaker embeddings (float32
    bytes), the seconds of speech behind it, and the name the user gave it (`number` names
    it until then: "Speaker 3" is the source's third voice)."""

    __tablename__ = "voice_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str | None] = mapped_column(String)
    centroid: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    weight_s: Mapped[float] = mapped_column(Float, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class RecordingSpeaker(Base):
    """One speaker found in a recording, and the voice profile it matched (`similarity`:
    cosine; None for a voice first heard here). `label` is what the transcript shows when
    the profile has no name (or was deleted)."""

    __tablename__ = "recording_speakers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), index=True, nullable=False
    )
    profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("voice_profiles.id", ondelete="SET NULL"), index=True
    )
    label: Mapped[str] = mapped_column(String, nullable=False)
    speech_s: Mapped[float] = mapped_column(Float, nullable=False)
    similarity: Mapped[float | None] = mapped_column(Float)
    centroid: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class ArchiveFile(Base):
    """One compressed piece of a recording's raw audio, starting at `start_s` on its timeline."""

    __tablename__ = "archive_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), index=True, nullable=False
    )
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    uri: Mapped[str] = mapped_column(String, nullable=False)
    start_s: Mapped[float] = mapped_column(Float, nullable=False)
    duration_s: Mapped[float | None] = mapped_column(Float)

    recording: Mapped[Recording] = relationship(back_populates="archive_files")


class ScheduleRun(Base):
    """What happened at one planned start of a schedule.

    `status`: started, late (began after its planned time, inside the window), missed (the
    window passed while nothing ran), skipped (the source was already being recorded),
    complete, failed.
    """

    __tablename__ = "schedule_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[str] = mapped_column(String, nullable=False, index=True)
    schedule_name: Mapped[str | None] = mapped_column(String)
    url: Mapped[str] = mapped_column(String, nullable=False)
    scheduled_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String, nullable=False)
    recording_id: Mapped[int | None] = mapped_column(
        ForeignKey("recordings.id", ondelete="SET NULL")
    )
    detail: Mapped[str | None] = mapped_column(Text)


class ChatMessage(Base):
    """A chat message or a moderation/community event (`kind`), on the recording's timeline.

    `offset_s` is seconds from the recording's start (the same axis as segments). Verdicts
    (`violation`, `score`, `category`, `target`) come from the moderation model.
    """

    __tablename__ = "chat_messages"
    __table_args__ = (
        Index("ix_chat_recording_offset", "recording_id", "offset_s"),
        Index("ix_chat_recording_message", "recording_id", "message_id", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), nullable=False
    )
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    offset_s: Mapped[float] = mapped_column(Float, nullable=False)
    kind: Mapped[str] = mapped_column(String, nullable=False)
    platform: Mapped[str | None] = mapped_column(String)
    message_id: Mapped[str | None] = mapped_column(String)
    author: Mapped[str | None] = mapped_column(String)
    display_name: Mapped[str | None] = mapped_column(String)
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    badges: Mapped[list | None] = mapped_column(JSON)
    emotes: Mapped[list | None] = mapped_column(JSON)
    bits: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    first_message: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    target_user: Mapped[str | None] = mapped_column(String)
    target_message_id: Mapped[str | None] = mapped_column(String)
    duration_s: Mapped[float | None] = mapped_column(Float)
    deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    violation: Mapped[bool | None] = mapped_column(Boolean)
    score: Mapped[float | None] = mapped_column(Float)
    category: Mapped[str | None] = mapped_column(String)
    target: Mapped[str | None] = mapped_column(String)


class ChatWindow(Base):
    """Chat activity in one time window of a recording (for charts and highlights)."""

    __tablename__ = "chat_windows"
    __table_args__ = (Index("ix_chat_windows_recording", "recording_id", "start_s"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), nullable=False
    )
    start_s: Mapped[float] = mapped_column(Float, nullable=False)
    end_s: Mapped[float] = mapped_column(Float, nullable=False)
    messages: Mapped[int] = mapped_column(Integer, nullable=False)
    chatters: Mapped[int] = mapped_column(Integer, nullable=False)
    first_timers: Mapped[int] = mapped_column(Integer, nullable=False)
    emotes: Mapped[int] = mapped_column(Integer, nullable=False)
    flagged: Mapped[int] = mapped_column(Integer, nullable=False)
    moderation_actions: Mapped[int] = mapped_column(Integer, nullable=False)
    spike_score: Mapped[float | None] = mapped_column(Float)
    is_spike: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Summary(Base):
    """An extractive summary: `kind` clip (one ~5-minute stretch) or recording (the whole).

    `sentences` holds `[start_s, end_s, text]` lists: each is something that was said.
    """

    __tablename__ = "summaries"
    __table_args__ = (Index("ix_summaries_recording", "recording_id", "kind", "start_s"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String, nullable=False)
    start_s: Mapped[float] = mapped_column(Float, nullable=False)
    end_s: Mapped[float] = mapped_column(Float, nullable=False)
    sentences: Mapped[list] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class KeywordRow(Base):
    """A keyword of a recording (`scope` recording) or of one of its windows (`window`)."""

    __tablename__ = "keywords"
    __table_args__ = (
        Index("ix_keywords_recording", "recording_id", "scope", "start_s"),
        Index("ix_keywords_term", "term"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), nullable=False
    )
    scope: Mapped[str] = mapped_column(String, nullable=False)
    start_s: Mapped[float] = mapped_column(Float, nullable=False)
    end_s: Mapped[float] = mapped_column(Float, nullable=False)
    term: Mapped[str] = mapped_column(String, nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False)


class RecordingTermsRow(Base):
    """A recording's candidate terms (`nlp.keywords.candidate_terms`, station breaks left
    out), valid while its transcript's fingerprint (`SegmentRepository.fingerprints`) is
    the one stored with them; and its names and noun phrases (`nlp.naming_terms`, what
    trends rank), None until computed."""

    __tablename__ = "recording_terms"

    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), primary_key=True
    )
    fingerprint: Mapped[str] = mapped_column(String, nullable=False)
    terms: Mapped[list] = mapped_column(JSON, nullable=False)
    names: Mapped[list | None] = mapped_column(JSON)


class EntityRow(Base):
    """A named entity with its mention count in a recording (`scope` recording) or in one of
    its windows (`window`)."""

    __tablename__ = "entities"
    __table_args__ = (
        Index("ix_entities_recording", "recording_id", "scope"),
        Index("ix_entities_name", "name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), nullable=False
    )
    scope: Mapped[str] = mapped_column(String, nullable=False)
    start_s: Mapped[float] = mapped_column(Float, nullable=False)
    end_s: Mapped[float] = mapped_column(Float, nullable=False)
    name: Mapped[str] = mapped_column(String, nullable=False)
    kind: Mapped[str] = mapped_column(String, nullable=False)
    mentions: Mapped[int] = mapped_column(Integer, nullable=False)
    first_s: Mapped[float] = mapped_column(Float, nullable=False)
