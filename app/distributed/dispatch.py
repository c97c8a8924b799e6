"""The client side: hand jobs to the workers and follow them to their end.

Used by `record --queue`, `import --queue` and the scheduler daemon. Only task names and
JSON data go on the broker (`send_task`): a client needs no worker code and no models.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from celery.result import AsyncResult

from app.distributed import jobs
from app.distributed.celery_app import connect
from app.distributed.config import QUEUE
from app.errors import UsageError
from app.importer import FAILED, ImportItem, ImportOutcome
from app.session import RecordingJob
from storage.urls import display_url, hide_passwords

POLL_S = 0.5


class BrokerUnavailable(UsageError):
    """The broker cannot be reached (or refused us): nothing was queued."""


@contextmanager
def _sending(url: str):
    from kombu.exceptions import OperationalError

    try:
        yield
    except (OperationalError, ConnectionError, OSError) as exc:
        raise BrokerUnavailable(
            f"Cannot reach the broker {display_url(url)}: {hide_passwords(str(exc))}"
        ) from None


def _reachable(celery, url: str) -> None:
    """Fail at once, in words, when the broker is not there (before Celery's retries)."""
    with _sending(url), celery.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=5)


RECORDING_STATE = "RECORDING"  # tasks.RECORDING_STATE (not imported: no worker code here)


@dataclass
class QueuedRecording:
    """One recording handed to the workers, as the client sees it."""

    job: RecordingJob
    task_id: str
    recording_id: int | None = None
    worker: str | None = None
    continued: bool = False  # a worker took it over after the one recording it stopped
    outcome: dict | None = None  # recording_id, status, error, duration_s, segments
    _result: AsyncResult | None = field(default=None, repr=False)

    @property
    def done(self) -> bool:
        return self.outcome is not None


def queue_recordings(
    broker: str, recording_jobs: list[RecordingJob], recording_options: dict | None = None
) -> list[QueuedRecording]:
    """Put each job on the queue; returns at once (the workers take them in order)."""
    celery = connect(broker)
    _reachable(celery, broker)
    queued = []
    for job in recording_jobs:
        with _sending(broker):
            result = celery.send_task(
                jobs.RECORD_TASK,
                args=[jobs.recording_job_to_json(job)],
                kwargs={"recording_options": recording_options or {}},
                queue=QUEUE,
            )
        queued.append(QueuedRecording(job, result.id, _result=result))
    return queued


def follow_recordings(
    queued: list[QueuedRecording],
    on_started: Callable[[QueuedRecording], None] | None = None,
    on_ended: Callable[[QueuedRecording], None] | None = None,
    poll_s: float = POLL_S,
    cancelled: Callable[[], bool] = lambda: False,
) -> list[QueuedRecording]:
    """Wait for every queued recording to end, calling `on_started` once a worker has
    started it (again when another worker continues it) and `on_ended` at its end; stop
    following early when `cancelled()` (the recordings go on)."""
    pending = [q for q in queued if not q.done]
    while pending and not cancelled():
        for item in pending:
            _refresh(item, on_started, on_ended)
        pending = [q for q in pending if not q.done]
        if pending:
            time.sleep(poll_s)
    return queued


def _refresh(item: QueuedRecording, on_started, on_ended) -> None:
    result = item._result
    state = result.state
    if state == RECORDING_STATE:
        meta = result.info or {}
        if (meta.get("recording_id"), meta.get("worker")) != (item.recording_id, item.worker):
            item.recording_id = meta.get("recording_id")
            item.worker = meta.get("worker")
            item.continued = bool(meta.get("continued"))
            if on_started is not None:
                on_started(item)
    elif state == "SUCCESS":
        item.outcome = dict(result.result or {})
        item.recording_id = item.outcome.get("recording_id", item.recording_id)
    elif state in ("FAILURE", "REVOKED"):
        item.outcome = {
            "recording_id": item.recording_id,
            "status": "failed",
            "error": hide_passwords(str(result.info)) if result.info else state.lower(),
            "duration_s": 0.0,
            "segments": 0,
        }
    if item.done and on_ended is not None:
        on_ended(item)


def queue_imports(broker: str, items: list[ImportItem], options: dict) -> list[AsyncResult]:
    """One task per item: the workers import them in parallel, into the shared library."""
    celery = connect(broker)
    _reachable(celery, broker)
    with _sending(broker):
        return [
            celery.send_task(
                jobs.IMPORT_TASK, args=[jobs.import_item_to_json(item), options], queue=QUEUE
            )
            for item in items
        ]


def collect_imports(
    items: list[ImportItem],
    results: list[AsyncResult],
    progress: Callable[[ImportOutcome, int, int], None] | None = None,
    poll_s: float = POLL_S,
) -> list[ImportOutcome]:
    """The items' outcomes, in order, as the workers finish them."""
    outcomes: dict[int, ImportOutcome] = {}
    while len(outcomes) < len(items):
        for i, (item, result) in enumerate(zip(items, results, strict=True)):
            if i in outcomes or not result.ready():
                continue
            if result.successful():
                outcomes[i] = jobs.import_outcome_from_json(item, result.result)
            else:
                outcomes[i] = ImportOutcome(item, FAILED, hide_passwords(str(result.info)))
            if progress is not None:
                progress(outcomes[i], len(outcomes), len(items))
        if len(outcomes) < len(items):
            time.sleep(poll_s)
    return [outcomes[i] for i in range(len(items))]


def queue_analyses(broker: str, recording_ids: list[int], punctuate: bool | None) -> list:
    """One analysis job per recording (`analyse --queue`)."""
    celery = connect(broker)
    _reachable(celery, broker)
    with _sending(broker):
        return [
            celery.send_task(jobs.ANALYSE_TASK, args=[rid, punctuate], queue=QUEUE)
            for rid in recording_ids
        ]


def follow_analyses(recording_ids: list[int], results: list[AsyncResult], poll_s: float = POLL_S):
    """(recording id, succeeded, what was done or why not), as the workers finish them."""
    pending = dict(zip(recording_ids, results, strict=True))
    while pending:
        for rid, result in list(pending.items()):
            if result.ready():
                del pending[rid]
                if result.successful():
                    yield rid, True, str(result.result)
                else:
                    yield rid, False, hide_passwords(str(result.info))
        if pending:
            time.sleep(poll_s)
