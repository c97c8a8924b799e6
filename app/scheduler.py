"""Scheduled background recording: APScheduler 3 with its job store beside the library.

One process at a time runs the schedules (the GUI or `python main.py daemon`): it holds
`scheduler.lock`. Other processes may still add, list and remove schedules; the running
scheduler looks at the job store every few seconds and picks the changes up.

Jobs are stored as plain data (a `ScheduleSpec`) and call `run_scheduled_recording`, which
works out the window it fires in: on time, late (inside the window: records the rest of
it), or missed (the window has passed: reported, nothing runs). APScheduler's own misfire
handling is switched off so that every decision, and its record, is made here.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from filelock import FileLock, Timeout
from sqlalchemy.engine import make_url

from app.config import Settings
from app.errors import USER_ERRORS, UsageError
from app.events import EventBus, ScheduledRun
from app.schedules import KIND_ONCE, ScheduleSpec, build_trigger, current_window, planned_starts
from app.timefmt import naive_utc
from storage import Library
from storage.schedule_runs import (
    RUN_COMPLETE,
    RUN_FAILED,
    RUN_LATE,
    RUN_MISSED,
    RUN_SKIPPED,
    RUN_STARTED,
)

log = logging.getLogger(__name__)

JOB_FUNCTION = "app.scheduler:run_scheduled_recording"
LATE_TOLERANCE_S = 30.0  # a start this much after plan still counts as on time
MIN_REMAINING_S = 5.0  # a window with less than this left counts as missed
POLL_STORE_S = 5.0  # how often a running scheduler looks for schedules added elsewhere
MAX_PARALLEL_RECORDINGS = 32


@dataclass(frozen=True)
class ScheduleInfo:
    spec: ScheduleSpec
    next_run: datetime | None


class SchedulerBusy(UsageError):
    """Another process already runs the schedules."""


def jobstore_path(settings: Settings) -> Path:
    """The job store lives in the directory of the library database (or the data dir, for
    a database that is not a file: PostgreSQL, or SQLite in memory)."""
    url = make_url(settings.db_url)
    database = url.database if url.get_backend_name() == "sqlite" else None
    if database and database != ":memory:":
        directory = Path(database).expanduser().parent
    else:
        directory = settings.data_dir
    directory.mkdir(parents=True, exist_ok=True)
    return directory / "schedules.sqlite"


def jobstore_url(settings: Settings) -> str:
    return f"sqlite:///{jobstore_path(settings)}"


class _Scheduler(BackgroundScheduler):
    """APScheduler's background scheduler, minus a race: its loop processes due jobs once more
    after `shutdown()` (or while merely opened paused), which fails on the closed executor
    and deletes a one-off job unrun. Here only a running scheduler processes jobs."""

    def _process_jobs(self):
        if self.state != STATE_RUNNING:
            return None
        return super()._process_jobs()


class RecordingScheduler:
    """Add, list and remove schedules; with `run()`, also start recordings when they fire."""

    def __init__(
        self,
        settings: Settings,
        library: Library,
        bus: EventBus | None = None,
        *,
        late_tolerance_s: float = LATE_TOLERANCE_S,
        on_session: Callable[[object], None] | None = None,
        broker: str | None = None,
    ) -> None:
        """`broker`: hand due recordings to the workers there (`python main.py worker`)
        instead of recording in this process; default `STREAMLENS_BROKER`, when set."""
        from app.distributed.config import broker_url

        self.broker = broker_url(broker)
        self.settings = settings
        self.library = library
        self.bus = bus or EventBus()
        self.late_tolerance_s = late_tolerance_s
        self.on_session = on_session
        self._scheduler = _Scheduler(
            jobstores={"default": SQLAlchemyJobStore(url=jobstore_url(settings))},
            executors={"default": ThreadPoolExecutor(MAX_PARALLEL_RECORDINGS)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=UTC,
        )
        self._lock_file = None
        self._running = False
        self._sessions: dict[str, object] = {}
        self._dispatched: set[str] = set()  # URLs of recordings handed to workers, running
        self._sessions_lock = threading.Lock()
        self._poller: threading.Thread | None = None
        self._stop_polling = threading.Event()

    # --- lifecycle -----------------------------------------------------------------------

    def open(self) -> RecordingScheduler:
        """Open the job store without running anything (for add/list/remove)."""
        self._scheduler.start(paused=True)
        return self

    def run(self) -> RecordingScheduler:
        """Open the store and run schedules as they fire; SchedulerBusy if another process does."""
        self._lock_file = _acquire_lock(jobstore_path(self.settings))
        global _ACTIVE
        _ACTIVE = self
        self._running = True
        self._scheduler.start()
        self._poller = threading.Thread(target=self._poll_store, name="schedule-poll", daemon=True)
        self._poller.start()
        return self

    def shutdown(self, stop_recordings: bool = True, timeout_s: float = 60.0) -> None:
        """Stop firing; with `stop_recordings`, end running recordings cleanly and wait."""
        global _ACTIVE
        self._stop_polling.set()  # also ends the following of recordings handed to workers
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if stop_recordings:
            for session in self.active_sessions():
                session.stop()
            deadline = datetime.now(UTC) + timedelta(seconds=timeout_s)
            for session in self.active_sessions():
                remaining = (deadline - datetime.now(UTC)).total_seconds()
                session.wait(max(0.1, remaining))
        if _ACTIVE is self:
            _ACTIVE = None
        self._running = False
        if self._lock_file is not None:
            self._lock_file.release()
            self._lock_file = None

    def __enter__(self) -> RecordingScheduler:
        return self

    def __exit__(self, *exc_info) -> None:
        self.shutdown()

    @property
    def running(self) -> bool:
        return self._running

    # --- schedules -----------------------------------------------------------------------

    def add(self, spec: ScheduleSpec) -> ScheduleInfo:
        trigger = build_trigger(spec)
        job = self._scheduler.add_job(
            JOB_FUNCTION,
            trigger=trigger,
            id=spec.id,
            name=spec.label,
            kwargs=spec.as_kwargs(),
            replace_existing=True,
        )
        self._scheduler.wakeup()
        return ScheduleInfo(spec, job.next_run_time)

    def remove(self, schedule_id: str) -> ScheduleSpec:
        job = self._scheduler.get_job(schedule_id)
        if job is None:
            raise UsageError(f"There is no schedule {schedule_id!r} (see `schedule list`).")
        self._scheduler.remove_job(schedule_id)
        return ScheduleSpec(**job.kwargs)

    def list(self) -> list[ScheduleInfo]:
        infos = [
            ScheduleInfo(ScheduleSpec(**job.kwargs), job.next_run_time)
            for job in self._scheduler.get_jobs()
        ]
        far = datetime.max.replace(tzinfo=UTC)
        return sorted(infos, key=lambda i: (i.next_run or far, i.spec.label))

    def active_sessions(self) -> list:
        with self._sessions_lock:
            return list(self._sessions.values())

    # --- running a planned start ---------------------------------------------------------

    def _poll_store(self) -> None:
        while not self._stop_polling.wait(POLL_STORE_S):
            if self._scheduler.running:
                self._scheduler.wakeup()

    def execute(self, spec: ScheduleSpec, now: datetime | None = None) -> None:
        """Decide what this firing means, record it, and record the stream if it is due."""
        now = now or datetime.now(UTC)
        window = current_window(spec, now)
        self._report_missed(spec, now, window)
        if window is None:
            return
        start, end = window
        remaining = (end - now).total_seconds()
        if remaining < MIN_REMAINING_S:
            self._record_run(spec, start, RUN_MISSED, detail="the window had passed")
            return
        late_s = max(0.0, (now - start).total_seconds())
        status = RUN_LATE if late_s > self.late_tolerance_s else RUN_STARTED
        with self._sessions_lock:
            busy = spec.url in self._sessions or spec.url in self._dispatched
        if busy or self.library.recordings.active_for_url(spec.url) is not None:
            self._record_run(spec, start, RUN_SKIPPED, detail="the source was already recording")
            return
        self._record(spec, start, status, late_s, remaining)

    def _record(
        self, spec: ScheduleSpec, start: datetime, status: str, late_s: float, remaining: float
    ) -> None:
        from app.session import LiveSession, RecordingJob

        job = RecordingJob(
            url=spec.url,
            mode=spec.mode,
            duration_s=remaining,
            name=spec.name,
            model=spec.model,
        )
        options = {
            "schedule_id": spec.id,
            "scheduled_at": naive_utc(start),
            "late_s": round(late_s, 3),
        }
        if self.broker:
            self._dispatch(spec, start, status, late_s, job, options)
            return
        session = LiveSession(job, self.library, self.settings, self.bus, recording_options=options)
        with self._sessions_lock:
            if spec.url in self._sessions:
                self._record_run(
                    spec, start, RUN_SKIPPED, detail="the source was already recording"
                )
                return
            self._sessions[spec.url] = session
        try:
            try:
                recording_id = session.start()
            except USER_ERRORS as exc:
                self._record_run(spec, start, RUN_FAILED, detail=str(exc))
                return
            detail = f"started {late_s:.0f} s late" if status == RUN_LATE else None
            run_id = self._record_run(spec, start, status, recording_id, detail)
            if self.on_session is not None:
                self.on_session(session)
            result = session.wait()
            final = RUN_COMPLETE if result.status != "failed" else RUN_FAILED
            self.library.schedule_runs.update(run_id, status=final, detail=result.error or detail)
            self._publish(spec, start, final, recording_id, result.error or detail)
        finally:
            with self._sessions_lock:
                self._sessions.pop(spec.url, None)

    def _dispatch(self, spec, start, status, late_s, job, options) -> None:
        """Hand the recording to the workers; its run gets the recording's id when a worker
        starts it and its outcome at the end (followed here while this scheduler runs)."""
        from app.distributed.dispatch import follow_recordings, queue_recordings
        from app.distributed.jobs import recording_options_to_json

        with self._sessions_lock:
            if spec.url in self._dispatched:
                self._record_run(
                    spec, start, RUN_SKIPPED, detail="the source was already recording"
                )
                return
            self._dispatched.add(spec.url)
        try:
            try:
                [queued] = queue_recordings(self.broker, [job], recording_options_to_json(options))
            except Exception as exc:  # the broker is away: the run failed, say why
                from storage.urls import hide_passwords

                self._record_run(spec, start, RUN_FAILED, detail=hide_passwords(str(exc)))
                return
            detail = "handed to the workers" + (
                f", {late_s:.0f} s late" if status == RUN_LATE else ""
            )
            run_id = self._record_run(spec, start, status, None, detail)

            def started(item) -> None:
                self.library.schedule_runs.update(run_id, recording_id=item.recording_id)
                self._publish(spec, start, status, item.recording_id, detail)

            follow_recordings([queued], on_started=started, cancelled=self._stop_polling.is_set)
            if queued.outcome is None:
                return  # this scheduler stopped first; the worker goes on recording
            final = RUN_COMPLETE if queued.outcome["status"] != "failed" else RUN_FAILED
            error = queued.outcome.get("error")
            self.library.schedule_runs.update(
                run_id, status=final, recording_id=queued.recording_id, detail=error or detail
            )
            self._publish(spec, start, final, queued.recording_id, error or detail)
        finally:
            with self._sessions_lock:
                self._dispatched.discard(spec.url)

    def _report_missed(self, spec, now, window) -> None:
        """Record every planned start that passed unrun since the last recorded one."""
        runs = self.library.schedule_runs.list(spec.id, limit=1)
        if runs:
            since = runs[0].scheduled_at.replace(tzinfo=UTC)
        elif spec.kind == KIND_ONCE:
            since = datetime.min.replace(tzinfo=UTC)  # a one-off never run is missed
        else:
            since = datetime.fromisoformat(spec.created_at)
        current = window[0] if window else None
        for start in planned_starts(spec, since, now)[-50:]:
            if start != current:
                self._record_run(spec, start, RUN_MISSED, detail="the app was not running")

    def _record_run(
        self,
        spec: ScheduleSpec,
        start: datetime,
        status: str,
        recording_id: int | None = None,
        detail: str | None = None,
    ) -> int:
        run_id = self.library.schedule_runs.add(
            schedule_id=spec.id,
            schedule_name=spec.label,
            url=spec.url,
            scheduled_at=naive_utc(start),
            started_at=naive_utc(datetime.now(UTC)) if status in (RUN_STARTED, RUN_LATE) else None,
            status=status,
            recording_id=recording_id,
            detail=detail,
        )
        log.info("Schedule %s (%s) at %s: %s %s", spec.id, spec.label, start, status, detail or "")
        self._publish(spec, start, status, recording_id, detail)
        return run_id

    def _publish(self, spec, start, status, recording_id, detail) -> None:
        self.bus.publish(
            ScheduledRun(
                schedule_id=spec.id,
                name=spec.label,
                url=spec.url,
                status=status,
                scheduled_at=start,
                recording_id=recording_id,
                detail=detail,
            )
        )


_ACTIVE: RecordingScheduler | None = None


def run_scheduled_recording(**kwargs) -> None:
    """The stored job's entry point: hand the spec to this process's running scheduler."""
    scheduler = _ACTIVE
    if scheduler is None:
        log.warning("A schedule fired with no running scheduler; ignored")
        return
    try:
        scheduler.execute(ScheduleSpec(**kwargs))
    except Exception:
        log.exception("Scheduled recording %s failed", kwargs.get("id"))


def _acquire_lock(store_path: Path) -> FileLock:
    """Hold `scheduler.lock` beside the job store for as long as this process runs schedules
    (an OS file lock: it goes with the process, however that ends). Who holds it is written
    beside it, in `scheduler.owner`, for the message another process shows."""
    lock = FileLock(store_path.with_name("scheduler.lock"), timeout=0, thread_local=False)
    owner_file = store_path.with_name("scheduler.owner")
    try:
        lock.acquire()
    except Timeout:
        try:
            owner = owner_file.read_text(encoding="utf-8").strip()
        except OSError:
            owner = ""
        raise SchedulerBusy(
            f"Schedules are already being run by {owner or 'another process'}; stop it first, "
            "or let it record."
        ) from None
    owner_file.write_text(f"process {os.getpid()} on {socket.gethostname()}", encoding="utf-8")
    return lock
