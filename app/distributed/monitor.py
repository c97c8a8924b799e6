"""Recordings running in other processes (workers, on any machine), for the Streams wall:
read from the shared library, stopped through it (a stop request the worker honours)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from storage import Library
from storage.recordings import STALE_HEARTBEAT, utcnow

LAGGING_S = 10.0  # transcription this far behind shows as "Behind"


@dataclass(frozen=True)
class RemoteSession:
    recording_id: int
    name: str
    mode: str
    host: str  # the worker's name (or the machine, for a process that is not a worker)
    state: str  # Live, Behind, Stopping, Not responding
    lag_s: float
    stoppable: bool  # run by a worker, which looks for stop requests


class RemoteSessions:
    def __init__(self, library: Library) -> None:
        self.library = library

    def running(self, exclude: Iterable[int] = ()) -> list[RemoteSession]:
        """Recordings running elsewhere (not the ids in `exclude`: this process's own)."""
        skip = set(exclude)
        now = utcnow()
        return [
            _remote(record, now)
            for record in self.library.recordings.running()
            if record.id not in skip
        ]

    def request_stop(self, recording_ids: list[int]) -> None:
        for recording_id in recording_ids:
            self.library.recordings.request_stop(recording_id)


def _remote(record, now: datetime) -> RemoteSession:
    lag = record.lag_s or 0.0
    if record.stop_requested_at is not None:
        state = "Stopping"
    elif record.heartbeat_at is None or now - record.heartbeat_at > STALE_HEARTBEAT:
        state = "Not responding"
    else:
        state = "Behind" if lag >= LAGGING_S else "Live"
    return RemoteSession(
        recording_id=record.id,
        name=record.title or record.url,
        mode=record.mode,
        host=record.worker or record.host or "?",
        state=state,
        lag_s=lag,
        stoppable=record.worker is not None,
    )
