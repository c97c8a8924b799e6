"""CSV export: RFC 4180, UTF-8, ISO-8601 times plus stream offsets, formula-safe, atomic.

Each kind of export is an `ExportKind`: its columns and the cells of one recording's rows.
Every row is led by the recording and source columns (added in one place,
`ExportKind.rows`), so files from many recordings can be filtered and joined in a
spreadsheet.
"""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from app.errors import UsageError
from app.timefmt import naive_utc
from storage import Library, RecordingRecord

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
RECORDING_COLUMNS = ["recording_id", "recording_title", "source_name", "source_url"]
TRANSCRIPT_COLUMNS = [
    *RECORDING_COLUMNS,
    "segment_id",
    "start_time",
    "end_time",
    "start_s",
    "end_s",
    "speaker",
    "confidence",
    "text",
]
STATS_COLUMNS = [
    *RECORDING_COLUMNS,
    "platform",
    "channel",
    "status",
    "started_at",
    "ended_at",
    "duration_s",
    "segments",
    "words",
    "words_per_minute",
    "mean_confidence",
    "speakers",
    "scheduled_at",
    "late_s",
    "error",
]

CHAT_COLUMNS = [
    *RECORDING_COLUMNS,
    "time",
    "offset_s",
    "kind",
    "platform",
    "message_id",
    "author",
    "display_name",
    "text",
    "emotes",
    "badges",
    "bits",
    "first_message",
    "deleted",
    "target_user",
    "duration_s",
    "violation",
    "score",
    "category",
    "hib_target",
]

# The cells of one recording's rows after its recording and source columns.
Fields = Callable[[Library, RecordingRecord], Iterable[list]]


class ExportCancelled(UsageError):
    """The user cancelled; nothing was written under the requested name."""


@dataclass(frozen=True)
class ExportKind:
    name: str
    description: str
    columns: list[str]
    fields: Fields

    def rows(self, library: Library, recordings: list[RecordingRecord]) -> Iterable[list]:
        """Every row, each led by its recording and source columns."""
        sources = _SourceNames(library)
        for recording in recordings:
            head = sources.columns(recording)
            for cells in self.fields(library, recording):
                yield [*head, *cells]


def neutralise(value: object) -> object:
    """Prefix a quote to text a spreadsheet would run as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def iso_utc(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat(timespec="milliseconds") + "Z"


def iso(recording: RecordingRecord, offset_s: float) -> str:
    return iso_utc(recording.started_at + timedelta(seconds=offset_s))


class _SourceNames:
    """Source names looked up once per export."""

    def __init__(self, library: Library) -> None:
        self._names = {s.id: s.name or "" for s in library.sources.list()}

    def columns(self, recording: RecordingRecord) -> list:
        name = self._names.get(recording.source_id, "") if recording.source_id else ""
        return [recording.id, recording.title or "", name, recording.url]


def transcript_fields(library: Library, recording: RecordingRecord) -> Iterable[list]:
    for seg in library.segments.for_recording(recording.id):
        yield [
            seg.id,
            iso(recording, seg.start_s),
            iso(recording, seg.end_s),
            f"{seg.start_s:.3f}",
            f"{seg.end_s:.3f}",
            seg.speaker or "",
            "" if seg.confidence is None else f"{seg.confidence:.3f}",
            seg.text,
        ]


def stats_fields(library: Library, recording: RecordingRecord) -> Iterable[list]:
    segments = library.segments.for_recording(recording.id)
    words = sum(len(s.text.split()) for s in segments)
    confidences = [s.confidence for s in segments if s.confidence is not None]
    minutes = recording.duration_s / 60
    yield [
        recording.platform or "",
        recording.channel or "",
        recording.status,
        iso_utc(recording.started_at),
        iso_utc(recording.ended_at),
        f"{recording.duration_s:.3f}",
        len(segments),
        words,
        f"{words / minutes:.1f}" if minutes > 0 else "",
        f"{sum(confidences) / len(confidences):.3f}" if confidences else "",
        len({s.speaker for s in segments if s.speaker}),
        iso_utc(recording.scheduled_at),
        "" if recording.late_s is None else f"{recording.late_s:.1f}",
        recording.error or "",
    ]


def chat_fields(library: Library, recording: RecordingRecord) -> Iterable[list]:
    for m in library.chat.for_recording(recording.id):
        yield [
            iso_utc(m.at),
            f"{m.offset_s:.3f}",
            m.kind,
            m.platform or "",
            m.message_id or "",
            m.author,
            m.display_name,
            m.text,
            " ".join(m.emotes),
            " ".join(m.badges),
            m.bits or "",
            int(m.first_message),
            int(m.deleted),
            m.target_user or "",
            "" if m.duration_s is None else f"{m.duration_s:.0f}",
            "" if m.violation is None else int(m.violation),
            "" if m.score is None else f"{m.score:.4f}",
            m.category or "",
            m.target or "",
        ]


SUMMARY_COLUMNS = [
    *RECORDING_COLUMNS,
    "scope",
    "clip_start_s",
    "clip_end_s",
    "rank",
    "start_time",
    "start_s",
    "end_s",
    "text",
]


def summary_fields(library: Library, recording: RecordingRecord) -> Iterable[list]:
    """One row per summary sentence: the whole recording's first, then each clip's."""
    for summary in library.summaries.for_recording(recording.id):
        for rank, (start, end, text) in enumerate(summary.sentences, 1):
            yield [
                summary.kind,
                f"{summary.start_s:.3f}",
                f"{summary.end_s:.3f}",
                rank,
                iso(recording, start),
                f"{start:.3f}",
                f"{end:.3f}",
                text,
            ]


KEYWORD_COLUMNS = [
    *RECORDING_COLUMNS,
    "scope",
    "window_start_s",
    "window_end_s",
    "term",
    "score",
    "count",
]
ENTITY_COLUMNS = [
    *RECORDING_COLUMNS,
    "scope",
    "window_start_s",
    "window_end_s",
    "name",
    "kind",
    "mentions",
    "first_s",
]


def keyword_fields(library: Library, recording: RecordingRecord) -> Iterable[list]:
    for k in library.keywords.for_recording(recording.id):
        yield [
            k.scope,
            f"{k.start_s:.3f}",
            f"{k.end_s:.3f}",
            k.term,
            f"{k.score:.4f}",
            k.count,
        ]


def entity_fields(library: Library, recording: RecordingRecord) -> Iterable[list]:
    for e in library.entities.for_recording(recording.id):
        yield [
            e.scope,
            f"{e.start_s:.3f}",
            f"{e.end_s:.3f}",
            e.name,
            e.kind,
            e.mentions,
            f"{e.first_s:.3f}",
        ]


TUTORIAL_COLUMNS = [
    *RECORDING_COLUMNS,
    "rank",
    "title",
    "url",
    "software",
    "score",
    "matched_tools",
]


class TutorialFields:
    """One row per recommended tutorial, worked out at export time from `catalog` (the
    user's catalog from the CLI and GUI; the shipped one when none is given), so a file
    lists what the recording view shows."""

    def __init__(self, catalog: list | None = None) -> None:
        self.catalog = catalog
        self._recommender = None  # built once, at the first creative stream

    def _get_recommender(self):
        from nlp.tutorials import Recommender, load_catalog

        if self._recommender is None:
            catalog = self.catalog if self.catalog is not None else load_catalog()
            self._recommender = Recommender(catalog)
        return self._recommender

    def __call__(self, library: Library, recording: RecordingRecord) -> Iterable[list]:
        from app.tutorial_catalog import recommend_with

        text = " ".join(s.text for s in library.segments.for_recording(recording.id))
        found = recommend_with(self._get_recommender, text)
        for rank, r in enumerate(found, 1):
            yield [
                rank,
                r.tutorial.title,
                r.tutorial.url,
                r.tutorial.software,
                f"{r.score:.4f}",
                "; ".join(r.matched_tools),
            ]


EXPORT_KINDS: dict[str, ExportKind] = {
    "transcript": ExportKind(
        "transcript", "one row per transcript segment", TRANSCRIPT_COLUMNS, transcript_fields
    ),
    "stats": ExportKind("stats", "one row per recording: totals", STATS_COLUMNS, stats_fields),
    "summary": ExportKind(
        "summary",
        "one row per summary sentence (per clip and overall)",
        SUMMARY_COLUMNS,
        summary_fields,
    ),
    "keywords": ExportKind(
        "keywords",
        "one row per keyword, per recording and per window",
        KEYWORD_COLUMNS,
        keyword_fields,
    ),
    "entities": ExportKind(
        "entities",
        "one row per named entity, per recording and per window",
        ENTITY_COLUMNS,
        entity_fields,
    ),
    "chat": ExportKind(
        "chat",
        "one row per chat message or moderation event, with verdicts",
        CHAT_COLUMNS,
        chat_fields,
    ),
    "tutorials": ExportKind(
        "tutorials",
        "one row per recommended tutorial (creative streams only)",
        TUTORIAL_COLUMNS,
        TutorialFields(),
    ),
}


def register_kind(kind: ExportKind) -> None:
    EXPORT_KINDS[kind.name] = kind


def select_recordings(
    library: Library,
    ids: list[int] | None = None,
    *,
    everything: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[RecordingRecord]:
    """The recordings an export covers, oldest first; a clear error when none match."""
    if ids:
        chosen = [library.recordings.get(rid) for rid in ids]  # unknown ids fail here
    elif everything or since or until:
        chosen = library.recordings.list(since=naive_utc(since), until=naive_utc(until))
    else:
        raise UsageError("Choose what to export: recording IDs, --all, or --since/--until.")
    if not chosen:
        raise UsageError("No recordings match; nothing was written.")
    return sorted(chosen, key=lambda r: (r.started_at, r.id))


def export(
    library: Library,
    recordings: list[RecordingRecord] | list[int],
    what: str,
    out: Path,
    *,
    bom: bool = False,
    should_stop: Callable[[], bool] | None = None,
    catalog: list | None = None,
) -> dict[str, int]:
    """Write one kind to the file `out`, or every kind (`what="all"`) into the folder `out`.

    `catalog` is the tutorial catalog recommendations come from (default: the shipped one).
    Returns rows written per kind. Each file appears complete or not at all.
    """
    if recordings and isinstance(recordings[0], int):
        recordings = select_recordings(library, list(recordings))
    kinds = dict(EXPORT_KINDS)
    if catalog is not None:
        kinds["tutorials"] = replace(kinds["tutorials"], fields=TutorialFields(catalog))
    if what == "all":
        folder = Path(out)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"Cannot create the folder {folder}: {exc.strerror or exc}") from None
        return {
            name: _write_kind(library, recordings, kind, folder / f"{name}.csv", bom, should_stop)
            for name, kind in kinds.items()
        }
    kind = kinds.get(what)
    if kind is None:
        choices = ", ".join([*kinds, "all"])
        raise UsageError(f"Cannot export {what!r}; choose from: {choices}.")
    return {what: _write_kind(library, recordings, kind, Path(out), bom, should_stop)}


def _write_kind(library, recordings, kind: ExportKind, path: Path, bom, should_stop) -> int:
    return write_csv(path, kind.columns, kind.rows(library, recordings), bom, should_stop)


def write_csv(
    path: Path,
    header: list[str],
    rows: Iterable[list],
    bom: bool = False,
    should_stop: Callable[[], bool] | None = None,
) -> int:
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
                if should_stop is not None and count % 500 == 0 and should_stop():
                    raise ExportCancelled(f"Export to {path} cancelled; nothing was written.")
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


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
