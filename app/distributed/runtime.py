"""A worker process's side of the jobs: its settings, one library, the sessions it runs.

Every recording task of the process runs here, in the pool's threads, so they share one
library connection pool and one decoding service per model (batched, as `record` with
several URLs does). One watcher thread renews the running jobs' leases on the broker and
stops the sessions someone asked to stop (the GUI or `record --queue` set
`stop_requested_at` on the recording: that works across machines without reaching the
worker itself).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager

from app.config import Settings
from app.distributed.jobs import recording_options_from_json
from app.distributed.lease import LeaseKeeper
from app.events import EventBus
from app.services import open_library
from app.session import HEARTBEAT_S, LiveSession, RecordingJob
from storage import Library
from storage.recordings import STATUS_INTERRUPTED, STATUS_RECORDING
from storage.urls import hide_passwords

log = logging.getLogger(__name__)

WATCH_S = 2.0  # how often stop requests are looked for


class WorkerRuntime:
    def __init__(self, settings: Settings, broker_url: str, name: str) -> None:
        from app.distributed.config import visibility_timeout_s

        self.settings = settings
        self.name = name
        self._library: Library | None = None
        self._library_lock = threading.Lock()
        self._sessions: dict[int, LiveSession] = {}
        self._leases: dict[str, str] = {}  # running task id -> its message's delivery tag
        self._stopped: set[int] = set()  # stop requests already passed on
        self._lock = threading.Lock()
        self._lease = LeaseKeeper(broker_url)
        self._renew_every_s = max(1.0, visibility_timeout_s() / 4)
        self._closing = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="worker-watch", daemon=True)
        self._watcher.start()

    @property
    def library(self) -> Library:
        with self._library_lock:
            if self._library is None:
                self._library = open_library(self.settings)
            return self._library

    # --- recordings ----------------------------------------------------------------------

    def run_recording(
        self,
        job: RecordingJob,
        task_id: str,
        delivery_tag: str | None,
        recording_options: dict | None = None,
        on_started: Callable[[int, bool], None] | None = None,
    ) -> dict:
        """Run `job` to its end in this thread; its outcome as JSON data.

        The first delivery of a task makes a new recording. A redelivery (its worker died)
        continues that task's recording when it was interrupted, on the same timeline; it
        returns the outcome when the recording had ended after all, and waits while it
        still beats somewhere else."""
        with self.lease(task_id, delivery_tag):
            return self._run_recording(job, task_id, recording_options, on_started)

    @contextmanager
    def lease(self, task_id: str, delivery_tag: str | None):
        """While the block runs, the task's message stays invisible to other workers (from
        the start: loading the model and resolving the stream can take longer than the
        visibility timeout)."""
        with self._lock:
            if delivery_tag:
                self._leases[task_id] = delivery_tag
        self._lease.renew([delivery_tag] if delivery_tag else [])
        try:
            yield
        finally:
            with self._lock:
                self._leases.pop(task_id, None)

    def _run_recording(self, job, task_id, recording_options, on_started) -> dict:
        library = self.library
        continues = None
        existing = self._settled(library, task_id)
        if existing is not None:
            if existing.status != STATUS_INTERRUPTED or existing.stop_requested_at:
                record = library.recordings.get(existing.id)
                return outcome_of(record.id, record.status, record.error, record)
            continues = existing.id
            log.info(
                "Task %s: recording #%s goes on here after its worker stopped", task_id, existing.id
            )
        options = dict(
            recording_options_from_json(recording_options or {}), task_id=task_id, worker=self.name
        )
        if continues is not None:
            options = {"task_id": task_id, "worker": self.name}
        session = LiveSession(
            job,
            library,
            self.settings,
            EventBus(),
            recording_options=options,
            continues=continues,
        )
        rid = session.start()
        with self._lock:
            self._sessions[rid] = session
        if on_started is not None:
            on_started(rid, continues is not None)
        try:
            result = session.wait()
        finally:
            with self._lock:
                self._sessions.pop(rid, None)
                self._stopped.discard(rid)
        return outcome_of(rid, result.status, result.error, library.recordings.get(rid))

    def _settled(self, library: Library, task_id: str):
        """The task's recording once no live process owns it (None for a new task)."""
        existing = library.recordings.find_by_task_id(task_id)
        while existing is not None and existing.status == STATUS_RECORDING:
            library.recordings.mark_orphans_interrupted()
            existing = library.recordings.get(existing.id)
            if existing.status != STATUS_RECORDING or self._closing.is_set():
                break
            time.sleep(HEARTBEAT_S)
        return existing

    def stop_all(self) -> None:
        """Stop every session (a warm shutdown): each ends cleanly, its text kept."""
        self._closing.set()
        with self._lock:
            sessions = list(self._sessions.values())
        for session in sessions:
            session.stop()

    # --- the watcher -----------------------------------------------------------------------

    def _watch(self) -> None:
        last_renewal = 0.0
        while True:
            time.sleep(min(WATCH_S, self._renew_every_s))
            with self._lock:
                tags = list(self._leases.values())
                ids = list(self._sessions)
            if time.monotonic() - last_renewal >= self._renew_every_s:
                self._lease.renew(tags)
                last_renewal = time.monotonic()
            if not ids:
                continue
            try:
                wanted = self.library.recordings.stop_requested(ids)
            except Exception as exc:
                log.warning("Could not look for stop requests: %s", hide_passwords(str(exc)))
                continue
            for rid in wanted:
                with self._lock:
                    session = self._sessions.get(rid)
                    first = rid not in self._stopped
                    self._stopped.add(rid)
                if session is not None and first:
                    log.info("Recording #%s: stop requested", rid)
                    session.stop()


def outcome_of(recording_id: int, status: str, error: str | None, record) -> dict:
    """What a client shows when a recording ends (JSON data; no password in it)."""
    return {
        "recording_id": recording_id,
        "status": status,
        "error": hide_passwords(error) if error else None,
        "duration_s": record.duration_s if record is not None else 0.0,
        "segments": record.segment_count if record is not None else 0,
    }


_RUNTIME: WorkerRuntime | None = None


def install(settings: Settings, broker_url: str, name: str | None = None) -> WorkerRuntime:
    """Set up this process as a worker (called by `python main.py worker` before Celery)."""
    global _RUNTIME
    _RUNTIME = WorkerRuntime(settings, broker_url, name or f"streamlens@{socket.gethostname()}")
    return _RUNTIME


def current() -> WorkerRuntime:
    if _RUNTIME is None:
        raise RuntimeError("This process is not a Streamlens worker (runtime.install first)")
    return _RUNTIME
