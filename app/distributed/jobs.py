"""Jobs as JSON data, both ways: what goes on the broker is plain values, never objects."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

from app.importer import ImportItem, ImportOutcome
from app.session import RecordingJob

RECORD_TASK = "streamlens.record"
IMPORT_TASK = "streamlens.import_item"
ANALYSE_TASK = "streamlens.analyse"
PING_TASK = "streamlens.ping"


def recording_job_to_json(job: RecordingJob) -> dict:
    return dataclasses.asdict(job)


def recording_job_from_json(data: dict) -> RecordingJob:
    names = {f.name for f in dataclasses.fields(RecordingJob)}
    return RecordingJob(**{k: v for k, v in data.items() if k in names})


def import_item_to_json(item: ImportItem) -> dict:
    return {
        "location": item.location,
        "kind": item.kind,
        "transcript": str(item.transcript) if item.transcript else None,
        "chats": [str(p) for p in item.chats],
    }


def import_item_from_json(data: dict) -> ImportItem:
    return ImportItem(
        location=data["location"],
        kind=data["kind"],
        transcript=Path(data["transcript"]) if data.get("transcript") else None,
        chats=tuple(Path(p) for p in data.get("chats", ())),
    )


def import_outcome_to_json(outcome: ImportOutcome) -> dict:
    return {
        "status": outcome.status,
        "detail": outcome.detail,
        "recording_id": outcome.recording_id,
    }


def import_outcome_from_json(item: ImportItem, data: dict) -> ImportOutcome:
    return ImportOutcome(item, data["status"], data["detail"], data.get("recording_id"))


def recording_options_to_json(options: dict) -> dict:
    """Extra columns for a new recording (schedule links), datetimes as ISO text."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in options.items()}


def recording_options_from_json(options: dict) -> dict:
    out = dict(options)
    if isinstance(out.get("scheduled_at"), str):
        out["scheduled_at"] = datetime.fromisoformat(out["scheduled_at"])
    return out
