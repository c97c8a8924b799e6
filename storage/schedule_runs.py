"""`ScheduleRunRepository`: the history of scheduled starts (on time, late, missed, skipped)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import translate_errors
from storage.orm import ScheduleRun
from storage.records import ScheduleRunRecord

RUN_STARTED = "started"
RUN_LATE = "late"
RUN_MISSED = "missed"
RUN_SKIPPED = "skipped"
RUN_COMPLETE = "complete"
RUN_FAILED = "failed"


class ScheduleRunRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add(
        self,
        *,
        schedule_id: str,
        url: str,
        scheduled_at: datetime,
        status: str,
        schedule_name: str | None = None,
        started_at: datetime | None = None,
        recording_id: int | None = None,
        detail: str | None = None,
    ) -> int:
        with translate_errors("record the scheduled run"), self._sessions.begin() as session:
            row = ScheduleRun(
                schedule_id=schedule_id,
                schedule_name=schedule_name,
                url=url,
                scheduled_at=scheduled_at,
                started_at=started_at,
                status=status,
                recording_id=recording_id,
                detail=detail,
            )
            session.add(row)
            session.flush()
            return row.id

    def update(self, run_id: int, **values) -> None:
        with translate_errors("record the scheduled run"), self._sessions.begin() as session:
            row = session.get(ScheduleRun, run_id)
            if row is not None:
                for key, value in values.items():
                    setattr(row, key, value)

    def list(self, schedule_id: str | None = None, limit: int = 200) -> list[ScheduleRunRecord]:
        """Most recent planned start first."""
        query = select(ScheduleRun).order_by(ScheduleRun.scheduled_at.desc(), ScheduleRun.id.desc())
        if schedule_id is not None:
            query = query.where(ScheduleRun.schedule_id == schedule_id)
        with translate_errors("read the schedule history"), self._sessions() as session:
            return [_to_record(r) for r in session.scalars(query.limit(limit))]


def _to_record(row: ScheduleRun) -> ScheduleRunRecord:
    return ScheduleRunRecord(
        id=row.id,
        schedule_id=row.schedule_id,
        schedule_name=row.schedule_name,
        url=row.url,
        scheduled_at=row.scheduled_at,
        started_at=row.started_at,
        status=row.status,
        recording_id=row.recording_id,
        detail=row.detail,
    )
