"""CSV export: RFC 4180, UTF-8, ISO-8601 times plus stream offsets, formula-safe, atomic.

Each kind of export is an `ExportKind`: what its rows are made from, and each column's name
beside how its cell is made (a new column is one line). Every row is led by the recording
and source columns (added in one place, `ExportKind.rows`), so files from many recordings
can be filtered and joined in a spreadsheet. Rows are written with `csv.DictWriter`, which
refuses a cell without its column.
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
from typing import Any

from app.errors import UsageError
from app.timefmt import naive_utc
from storage import Library, RecordingRecord

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
RECORDING_COLUMNS = ["recording_id", "recording_title", "source_name", "source_url"]

# How one cell is made from the item a row is about (a segment, a chat message, …) and its
# recording. A kind lists each column's name beside its cell, so a new column is one line.
Cell = Callable[[Any, RecordingRecord], object]
Items = Callable[[Library, RecordingRecord], Iterable[Any]]


class ExportCancelled(UsageError):
    """The user cancelled; nothing was written under the requested name."""


@dataclass(frozen=True)
class ExportKind:
    name: str
    description: str
    cells: tuple[tuple[str, Cell], ...]  # (column, cell) after the recording columns
    items: Items  # what the rows of one recording are made from, one item a row

    @property
    def columns(self) -> list[str]:
        return [*RECORDING_COLUMNS, *(name for name, _cell in self.cells)]

    def rows(self, library: Library, recordings: list[RecordingRecord]) -> Iterable[dict]:
        """Every row as column → value, each led by its recording and source columns."""
        sources = _SourceNames(library)
        for recording in recordings:
            head = dict(zip(RECORDING_COLUMNS, sources.columns(recording), strict=True))
            for item in self.items(library, recording):
                yield head | {name: cell(item, recording) for name, cell in self.cells}


def neutralise(value: object) -> object:
    """Prefix a quote to text a spreadsheet would run as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def iso_utc(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat(timespec="milliseconds") + "Z"


def iso(recording: RecordingRecord, offset_s: float) -> str:
    return iso_utc(recording.started_at + timedelta(seconds=offset_s))


def seconds(value: float | None, places: int = 3) -> str:
    return "" if value is None else f"{value:.{places}f}"


class _SourceNames:
    """Source names looked up once per export."""

    def __init__(self, library: Library) -> None:
        self._names = {s.id: s.name or "" for s in library.sources.list()}

    def columns(self, recording: RecordingRecord) -> list:
        name = self._names.get(recording.source_id, "") if recording.source_id else ""
        return [recording.id, recording.title or "", name, recording.url]


# --- transcript ----------------------------------------------------------------------------

TRANSCRIPT = ExportKind(
    "transcript",
    "one row per transcript segment",
    (
        ("segment_id", lambda seg, _r: seg.id),
        ("start_time", lambda seg, r: iso(r, seg.start_s)),
        ("end_time", lambda seg, r: iso(r, seg.end_s)),
        ("start_s", lambda seg, _r: seconds(seg.start_s)),
        ("end_s", lambda seg, _r: seconds(seg.end_s)),
        ("speaker", lambda seg, _r: seg.speaker or ""),
        ("confidence", lambda seg, _r: seconds(seg.confidence)),
        ("text", lambda seg, _r: seg.text),
    ),
    lambda library, recording: library.segments.for_recording(recording.id),
)


# --- stats ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Totals:
    """A recording's totals over its transcript: the one item of its stats row."""

    segments: int
    words: int
    mean_confidence: float | None
    speakers: int

    @classmethod
    def of(cls, library: Library, recording: RecordingRecord) -> Iterable[_Totals]:
        segments = library.segments.for_recording(recording.id)
        confidences = [s.confidence for s in segments if s.confidence is not None]
        yield cls(
            len(segments),
            sum(len(s.text.split()) for s in segments),
            sum(confidences) / len(confidences) if confidences else None,
            len({s.speaker for s in segments if s.speaker}),
        )


def _words_per_minute(totals: _Totals, recording: RecordingRecord) -> str:
    minutes = recording.duration_s / 60
    return f"{totals.words / minutes:.1f}" if minutes > 0 else ""


STATS = ExportKind(
    "stats",
    "one row per recording: totals",
    (
        ("platform", lambda _t, r: r.platform or ""),
        ("channel", lambda _t, r: r.channel or ""),
        ("status", lambda _t, r: r.status),
        ("started_at", lambda _t, r: iso_utc(r.started_at)),
        ("ended_at", lambda _t, r: iso_utc(r.ended_at)),
        ("duration_s", lambda _t, r: seconds(r.duration_s)),
        ("segments", lambda t, _r: t.segments),
        ("words", lambda t, _r: t.words),
        ("words_per_minute", _words_per_minute),
        ("mean_confidence", lambda t, _r: seconds(t.mean_confidence)),
        ("speakers", lambda t, _r: t.speakers),
        ("scheduled_at", lambda _t, r: iso_utc(r.scheduled_at)),
        ("late_s", lambda _t, r: seconds(r.late_s, 1)),
        ("error", lambda _t, r: r.error or ""),
    ),
    _Totals.of,
)


# --- chat ----------------------------------------------------------------------------------

CHAT = ExportKind(
    "chat",
    "one row per chat message or moderation event, with verdicts",
    (
        ("time", lambda m, _r: iso_utc(m.at)),
        ("offset_s", lambda m, _r: seconds(m.offset_s)),
        ("kind", lambda m, _r: m.kind),
        ("platform", lambda m, _r: m.platform or ""),
        ("message_id", lambda m, _r: m.message_id or ""),
        ("author", lambda m, _r: m.author),
        ("display_name", lambda m, _r: m.display_name),
        ("text", lambda m, _r: m.text),
        ("emotes", lambda m, _r: " ".join(m.emotes)),
        ("badges", lambda m, _r: " ".join(m.badges)),
        ("bits", lambda m, _r: m.bits or ""),
        ("first_message", lambda m, _r: int(m.first_message)),
        ("deleted", lambda m, _r: int(m.deleted)),
        ("target_user", lambda m, _r: m.target_user or ""),
        ("duration_s", lambda m, _r: seconds(m.duration_s, 0)),
        ("violation", lambda m, _r: "" if m.violation is None else int(m.violation)),
        ("score", lambda m, _r: seconds(m.score, 4)),
        ("category", lambda m, _r: m.category or ""),
        ("hib_target", lambda m, _r: m.target or ""),
    ),
    lambda library, recording: library.chat.for_recording(recording.id),
)


# --- summaries, keywords, entities -----------------------------------------------------------


def _summary_sentences(library: Library, recording: RecordingRecord) -> Iterable[tuple]:
    """(summary, rank, sentence): the whole recording's first, then each clip's."""
    for summary in library.summaries.for_recording(recording.id):
        for rank, sentence in enumerate(summary.sentences, 1):
            yield summary, rank, sentence


SUMMARY = ExportKind(
    "summary",
    "one row per summary sentence (per clip and overall)",
    (
        ("scope", lambda item, _r: item[0].kind),
        ("clip_start_s", lambda item, _r: seconds(item[0].start_s)),
        ("clip_end_s", lambda item, _r: seconds(item[0].end_s)),
        ("rank", lambda item, _r: item[1]),
        ("start_time", lambda item, r: iso(r, item[2][0])),
        ("start_s", lambda item, _r: seconds(item[2][0])),
        ("end_s", lambda item, _r: seconds(item[2][1])),
        ("text", lambda item, _r: item[2][2]),
    ),
    _summary_sentences,
)

KEYWORDS = ExportKind(
    "keywords",
    "one row per keyword, per recording and per window",
    (
        ("scope", lambda k, _r: k.scope),
        ("window_start_s", lambda k, _r: seconds(k.start_s)),
        ("window_end_s", lambda k, _r: seconds(k.end_s)),
        ("term", lambda k, _r: k.term),
        ("score", lambda k, _r: seconds(k.score, 4)),
        ("count", lambda k, _r: k.count),
    ),
    lambda library, recording: library.keywords.for_recording(recording.id),
)

ENTITIES = ExportKind(
    "entities",
    "one row per named entity, per recording and per window",
    (
        ("scope", lambda e, _r: e.scope),
        ("window_start_s", lambda e, _r: seconds(e.start_s)),
        ("window_end_s", lambda e, _r: seconds(e.end_s)),
        ("name", lambda e, _r: e.name),
        ("kind", lambda e, _r: e.kind),
        ("mentions", lambda e, _r: e.mentions),
        ("first_s", lambda e, _r: seconds(e.first_s)),
    ),
    lambda library, recording: library.entities.for_recording(recording.id),
)


# --- tutorials -------------------------------------------------------------------------------


class TutorialRecommendations:
    """(rank, recommendation) per recommended tutorial, worked out at export time from
    `catalog` (the user's catalog from the CLI and GUI; the shipped one when none is given),
    so a file lists what the recording view shows."""

    def __init__(self, catalog: list | None = None) -> None:
        self.catalog = catalog
        self._recommender = None  # built once, at the first creative stream

    def _get_recommender(self):
        from nlp.tutorials import Recommender, load_catalog

        if self._recommender is None:
            catalog = self.catalog if self.catalog is not None else load_catalog()
            self._recommender = Recommender(catalog)
        return self._recommender

    def __call__(self, library: Library, recording: RecordingRecord) -> Iterable[tuple]:
        from app.tutorial_catalog import recommend_with

        text = " ".join(s.text for s in library.segments.for_recording(recording.id))
        yield from enumerate(recommend_with(self._get_recommender, text), 1)


TUTORIALS = ExportKind(
    "tutorials",
    "one row per recommended tutorial (creative streams only)",
    (
        ("rank", lambda item, _r: item[0]),
        ("title", lambda item, _r: item[1].tutorial.title),
        ("url", lambda item, _r: item[1].tutorial.url),
        ("software", lambda item, _r: item[1].tutorial.software),
        ("score", lambda item, _r: seconds(item[1].score, 4)),
        ("matched_tools", lambda item, _r: "; ".join(item[1].matched_tools)),
    ),
    TutorialRecommendations(),
)

EXPORT_KINDS: dict[str, ExportKind] = {
    kind.name: kind for kind in (TRANSCRIPT, STATS, SUMMARY, KEYWORDS, ENTITIES, CHAT, TUTORIALS)
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
        kinds["tutorials"] = replace(kinds["tutorials"], items=TutorialRecommendations(catalog))
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
    rows: Iterable[dict],
    bom: bool = False,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """Write rows (column → value, exactly the `header` columns) to a temporary file beside
    `path`, then rename: never a half file at `path`."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"The folder {directory} does not exist.")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
            writer = csv.DictWriter(
                f, fieldnames=header, dialect="excel", lineterminator="\r\n", extrasaction="raise"
            )
            writer.writeheader()
            for row in rows:
                if should_stop is not None and count % 500 == 0 and should_stop():
                    raise ExportCancelled(f"Export to {path} cancelled; nothing was written.")
                if len(row) != len(header):  # a column without a cell would be left blank
                    raise ValueError(f"missing columns: {sorted(set(header) - set(row))}")
                writer.writerow({name: neutralise(value) for name, value in row.items()})
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
