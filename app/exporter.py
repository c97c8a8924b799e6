"""CSV export: RFC 4180, UTF-8, ISO-8601 times plus stream offsets, formula-safe, atomic."""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from app.errors import UsageError
from storage import Library, RecordingRecord

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TRANSCRIPT_COLUMNS = [
    "recording_id",
    "source_url",
    "recording_title",
    "segment_id",
    "start_time",
    "end_time",
    "start_s",
    "end_s",
    "speaker",
    "confidence",
    "text",
]
EXPORT_KINDS = ("transcript",)


def neutralise(value: object) -> object:
    """Prefix a quote to text a spreadsheet would run as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def iso(recording: RecordingRecord, offset_s: float) -> str:
    return (recording.started_at + timedelta(seconds=offset_s)).isoformat(
        timespec="milliseconds"
    ) + "Z"


def transcript_rows(library: Library, recording_ids: Iterable[int]) -> Iterable[list]:
    for rid in recording_ids:
        recording = library.recordings.get(rid)
        for seg in library.segments.for_recording(rid):
            yield [
                rid,
                recording.url,
                recording.title or "",
                seg.id,
                iso(recording, seg.start_s),
                iso(recording, seg.end_s),
                f"{seg.start_s:.3f}",
                f"{seg.end_s:.3f}",
                seg.speaker or "",
                "" if seg.confidence is None else f"{seg.confidence:.3f}",
                seg.text,
            ]


def write_csv(path: Path, header: list[str], rows: Iterable[list], bom: bool = False) -> int:
    """Write to a temporary file beside `path`, then rename: never a half file at `path`."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"The folder {directory} does not exist.")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
            writer = csv.writer(f, dialect="excel", lineterminator="\r\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow([neutralise(v) for v in row])
                count += 1
        os.replace(tmp, path)
    except OSError as exc:
        _remove_quietly(tmp)
        raise UsageError(f"Could not write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        _remove_quietly(tmp)
        raise
    return count


def export(
    library: Library, recording_ids: list[int], what: str, out: Path, bom: bool = False
) -> int:
    if what not in EXPORT_KINDS:
        raise UsageError(f"Cannot export {what!r} yet; choose from: {', '.join(EXPORT_KINDS)}.")
    for rid in recording_ids:
        library.recordings.get(rid)  # a clear error for an unknown id, before writing
    return write_csv(out, TRANSCRIPT_COLUMNS, transcript_rows(library, recording_ids), bom)


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
