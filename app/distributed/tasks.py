"""What a worker runs: each task takes JSON data and runs the same `app/` function the
desktop would, in this worker's runtime (its library, its sessions)."""

from __future__ import annotations

import logging

from app.distributed import jobs, runtime
from app.distributed.celery_app import celery
from app.errors import USER_ERRORS
from storage.urls import hide_passwords

log = logging.getLogger(__name__)

RECORDING_STATE = "RECORDING"  # a task's state once its recording has started


class JobFailed(Exception):
    """A job failed for a reason the user can act on; the message is for them."""


def _user_error(exc: Exception) -> JobFailed:
    return JobFailed(hide_passwords(str(exc)))


@celery.task(name=jobs.RECORD_TASK, bind=True)
def record(self, job: dict, recording_options: dict | None = None) -> dict:
    """Record one stream to its end (or a stop request); reports the recording's id as it
    starts (task state RECORDING, meta {recording_id, worker, continued})."""
    worker = runtime.current()
    tag = _delivery_tag(self)

    def started(recording_id: int, continued: bool) -> None:
        self.update_state(
            state=RECORDING_STATE,
            meta={"recording_id": recording_id, "worker": worker.name, "continued": continued},
        )

    try:
        return worker.run_recording(
            jobs.recording_job_from_json(job),
            self.request.id,
            tag,
            recording_options=recording_options,
            on_started=started,
        )
    except USER_ERRORS as exc:
        raise _user_error(exc) from None


def _delivery_tag(task) -> str | None:
    """The broker's tag of the message being run (Redis: for renewing its lease)."""
    return (task.request.properties or {}).get("delivery_tag")


@celery.task(name=jobs.IMPORT_TASK, bind=True)
def import_item(self, item: dict, options: dict | None = None) -> dict:
    """Import one item (a file every worker can reach, or a URL) as `import` would."""
    from app.importer import BatchImport

    options = options or {}
    worker = runtime.current()
    batch = BatchImport(
        worker.library,
        worker.settings,
        retranscribe=bool(options.get("retranscribe")),
        workers=1,
        model=options.get("model"),
        analyse=bool(options.get("analyse", True)),
    )
    with worker.lease(self.request.id, _delivery_tag(self)):
        [outcome] = batch.run([jobs.import_item_from_json(item)]).outcomes
    return jobs.import_outcome_to_json(outcome)


@celery.task(name=jobs.ANALYSE_TASK, bind=True)
def analyse(self, recording_id: int, punctuate: bool | None = None) -> str:
    """Punctuation (where the transcript lacks it, or `punctuate`), summaries, keywords
    and entities of one recording; what was done, in words."""
    from app.transcript_analysis import analyse_recording

    worker = runtime.current()
    try:
        with worker.lease(self.request.id, _delivery_tag(self)):
            return analyse_recording(worker.library, recording_id, punctuate=punctuate)
    except USER_ERRORS as exc:
        raise _user_error(exc) from None


@celery.task(name=jobs.PING_TASK)
def ping() -> str:
    """Which worker answered (a check that workers are listening)."""
    return runtime.current().name
