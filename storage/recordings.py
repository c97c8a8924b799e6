"""Recordings, their sources and their archived audio files."""

from __future__ import annotations

import os
import socket
from dataclasses import fields
from datetime import UTC, datetime, timedelta

import psutil
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import translate_errors
from storage.errors import StorageError
from storage.orm import ArchiveFile, ChatMessage, Recording, Segment, Source
from storage.records import ArchiveFileRecord, NewRecording, RecordingRecord

STATUS_RECORDING = "recording"
STATUS_COMPLETE = "complete"
STATUS_INTERRUPTED = "interrupted"
STATUS_FAILED = "failed"
# A recording whose process is gone, or whose heartbeat is this old, was interrupted.
STALE_HEARTBEAT = timedelta(minutes=2)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class SourceRace(Exception):
    """Another thread created the same source a moment ago."""


class RecordingRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def create(self, **values) -> RecordingRecord:
        """A new recording in state `recording`, owned by this process; `values` are the
        fields of `NewRecording` (an unknown name is a TypeError, as for any call).

        Its source is created when new. Two threads may create the same source at once
        (parallel imports): the loser retries and joins it.
        """
        new = NewRecording(**values)
        try:
            return self._create(new)
        except SourceRace:
            return self._create(new)

    def _create(self, new: NewRecording) -> RecordingRecord:
        with translate_errors("create the recording"), self._sessions.begin() as session:
            key = new.source_url or new.url
            source = session.scalar(select(Source).where(Source.url == key))
            if source is None:
                source = Source(
                    url=key,
                    region=new.source_region,
                    name=new.source_name or new.title,
                    platform=new.platform,
                    channel=new.channel,
                    is_live=new.is_live,
                    created_at=utcnow(),
                )
                session.add(source)
                try:
                    session.flush()
                except IntegrityError:
                    raise SourceRace from None
            now = utcnow()
            row = Recording(
                **new.recording_columns()
                | {
                    "source": source,
                    "started_at": new.started_at or now,
                    "status": STATUS_RECORDING,
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "heartbeat_at": now,
                }
            )
            session.add(row)
            session.flush()
            return _to_record(row)

    def get(self, recording_id: int) -> RecordingRecord:
        with translate_errors("read the recording"), self._sessions() as session:
            row = session.get(Recording, recording_id)
            if row is None:
                raise StorageError(f"There is no recording with id {recording_id}.")
            count = session.scalar(
                select(func.count(Segment.id)).where(Segment.recording_id == recording_id)
            )
            return _to_record(row, count or 0)

    def find_by_import_key(self, import_key: str) -> RecordingRecord | None:
        with translate_errors("read the recording"), self._sessions() as session:
            row = session.scalar(select(Recording).where(Recording.import_key == import_key))
            return None if row is None else _to_record(row)

    def find_by_task_id(self, task_id: str) -> RecordingRecord | None:
        """The recording a worker's task made (its newest, should there be several)."""
        with translate_errors("read the recording"), self._sessions() as session:
            row = session.scalar(
                select(Recording)
                .where(Recording.task_id == task_id)
                .order_by(Recording.id.desc())
                .limit(1)
            )
            return None if row is None else _to_record(row)

    def reopen(self, recording_id: int, **values) -> RecordingRecord:
        """An interrupted recording goes on in this process (a worker took over its job):
        state `recording` again, owned by this process; `values` are columns to set too
        (the worker's name)."""
        now = utcnow()
        with translate_errors("continue the recording"), self._sessions.begin() as session:
            row = session.get(Recording, recording_id)
            if row is None:
                raise StorageError(f"There is no recording with id {recording_id}.")
            row.status = STATUS_RECORDING
            row.ended_at = None
            row.pid = os.getpid()
            row.host = socket.gethostname()
            row.heartbeat_at = now
            row.error = None
            for key, value in values.items():
                setattr(row, key, value)
            session.flush()
            return _to_record(row)

    def running(self) -> list[RecordingRecord]:
        """Recordings in state `recording`, by any process on any host (newest first)."""
        with translate_errors("read recordings"), self._sessions() as session:
            rows = session.scalars(
                select(Recording)
                .where(Recording.status == STATUS_RECORDING)
                .order_by(Recording.started_at.desc(), Recording.id.desc())
            )
            return [_to_record(row) for row in rows]

    def request_stop(self, recording_id: int) -> None:
        """Ask whichever process runs the recording (any host) to stop it; the worker
        polls `stop_requested` and stops cooperatively, as Ctrl-C would."""
        self.update(recording_id, stop_requested_at=utcnow())

    def stop_requested(self, recording_ids: list[int]) -> set[int]:
        """Those of `recording_ids` someone asked to stop."""
        if not recording_ids:
            return set()
        with translate_errors("read recordings"), self._sessions() as session:
            return set(
                session.scalars(
                    select(Recording.id).where(
                        Recording.id.in_(recording_ids), Recording.stop_requested_at.is_not(None)
                    )
                )
            )

    def active_for_url(self, url: str) -> RecordingRecord | None:
        """A recording of `url` still being made by a live process (any on this library)."""
        self.mark_orphans_interrupted()
        with translate_errors("read recordings"), self._sessions() as session:
            row = session.scalar(
                select(Recording).where(Recording.url == url, Recording.status == STATUS_RECORDING)
            )
            return None if row is None else _to_record(row)

    def list(
        self,
        limit: int | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[RecordingRecord]:
        """Newest first; `since`/`until` bound the start time (UTC, `until` exclusive)."""
        counts = (
            select(Segment.recording_id, func.count(Segment.id).label("n"))
            .group_by(Segment.recording_id)
            .subquery()
        )
        chat = (
            select(
                ChatMessage.recording_id,
                func.count(ChatMessage.id).label("n"),
                func.sum(case((ChatMessage.violation.is_(True), 1), else_=0)).label("flagged"),
            )
            .where(ChatMessage.kind == "message")
            .group_by(ChatMessage.recording_id)
            .subquery()
        )
        query = (
            select(
                Recording,
                func.coalesce(counts.c.n, 0),
                func.coalesce(chat.c.n, 0),
                func.coalesce(chat.c.flagged, 0),
            )
            .outerjoin(counts, counts.c.recording_id == Recording.id)
            .outerjoin(chat, chat.c.recording_id == Recording.id)
            .order_by(Recording.started_at.desc(), Recording.id.desc())
        )
        if since is not None:
            query = query.where(Recording.started_at >= since)
        if until is not None:
            query = query.where(Recording.started_at < until)
        if limit:
            query = query.limit(limit)
        with translate_errors("list recordings"), self._sessions() as session:
            return [
                _to_record(row, n, chat_n, flagged)
                for row, n, chat_n, flagged in session.execute(query).all()
            ]

    def update(self, recording_id: int, **values) -> None:
        """Set columns (status, error, title, duration_s, archive_dir, language, ...)."""
        with translate_errors("update the recording"), self._sessions.begin() as session:
            row = session.get(Recording, recording_id)
            if row is None:
                raise StorageError(f"There is no recording with id {recording_id}.")
            for key, value in values.items():
                setattr(row, key, value)

    def heartbeat(self, recording_id: int, duration_s: float, lag_s: float = 0.0) -> None:
        """A running recording is alive, this long, and transcription this far behind."""
        self.update(recording_id, heartbeat_at=utcnow(), duration_s=duration_s, lag_s=lag_s)

    def finish(self, recording_id: int, status: str, error: str | None = None) -> None:
        self.update(recording_id, status=status, error=error, ended_at=utcnow(), pid=None)

    def mark_orphans_interrupted(self) -> list[int]:
        """Recordings left `recording` by a process that died are marked `interrupted`.

        A recording belongs to a dead process when its pid no longer runs on this host, or
        its heartbeat is older than `STALE_HEARTBEAT` (a hung process, or another host).
        """
        host = socket.gethostname()
        now = utcnow()
        marked: list[int] = []
        with translate_errors("check for interrupted recordings"), self._sessions.begin() as s:
            rows = s.scalars(select(Recording).where(Recording.status == STATUS_RECORDING))
            for row in rows:
                alive = row.host == host and row.pid is not None and _pid_alive(row.pid)
                fresh = row.heartbeat_at is not None and now - row.heartbeat_at < STALE_HEARTBEAT
                if (row.host == host and not alive) or not fresh:
                    row.status = STATUS_INTERRUPTED
                    row.error = row.error or "The recording process stopped unexpectedly."
                    row.ended_at = row.heartbeat_at or now
                    row.pid = None
                    marked.append(row.id)
        return marked

    def delete(self, recording_id: int) -> None:
        with translate_errors("delete the recording"), self._sessions.begin() as session:
            row = session.get(Recording, recording_id)
            if row is not None:
                session.delete(row)

    # --- archived audio -------------------------------------------------------------------

    def add_archive_file(self, recording_id: int, seq: int, uri: str, start_s: float) -> int:
        with translate_errors("register archived audio"), self._sessions.begin() as session:
            row = ArchiveFile(recording_id=recording_id, seq=seq, uri=uri, start_s=start_s)
            session.add(row)
            session.flush()
            return row.id

    def close_archive_file(self, archive_file_id: int, duration_s: float) -> None:
        with translate_errors("register archived audio"), self._sessions.begin() as session:
            row = session.get(ArchiveFile, archive_file_id)
            if row is not None:
                row.duration_s = duration_s

    def archive_files(self, recording_id: int) -> list[ArchiveFileRecord]:
        with translate_errors("read archived audio"), self._sessions() as session:
            rows = session.scalars(
                select(ArchiveFile)
                .where(ArchiveFile.recording_id == recording_id)
                .order_by(ArchiveFile.seq)
            )
            return [
                ArchiveFileRecord(
                    id=r.id,
                    recording_id=r.recording_id,
                    seq=r.seq,
                    uri=r.uri,
                    start_s=r.start_s,
                    duration_s=r.duration_s,
                )
                for r in rows
            ]


def _pid_alive(pid: int) -> bool:
    """Whether `pid` is a running process on this host (a zombie has ended). psutil asks
    without signalling it: `os.kill(pid, 0)` would end the process on Windows."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True


_COUNTS = ("segment_count", "chat_count", "flagged_count")
_ROW_FIELDS = tuple(f.name for f in fields(RecordingRecord) if f.name not in _COUNTS)


def _to_record(
    row: Recording, segment_count: int = 0, chat_count: int = 0, flagged_count: int = 0
) -> RecordingRecord:
    """The record of a row: every field of `RecordingRecord` read from the column of its
    name (one definition: a new column is a new field there, plus a migration)."""
    values = {name: getattr(row, name) for name in _ROW_FIELDS}
    values["is_live"] = bool(values["is_live"])
    values["duration_s"] = values["duration_s"] or 0.0
    return RecordingRecord(
        **values,
        segment_count=segment_count,
        chat_count=chat_count,
        flagged_count=flagged_count,
    )
