"""Batch import of archived streams: files, folders, globs, URL lists, playlists, sidecars.

`discover` turns what the user named into `ImportItem`s (a media file or URL with the
transcript and chat files found next to it, or a transcript on its own). `BatchImport`
runs them on a bounded pool. Every item is keyed (content hash or URL), so running the
same batch again skips what is in and retries what failed. One bad item never stops
the batch; each outcome says what happened in words.
"""

from __future__ import annotations

import glob
import hashlib
import logging
import re
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from app.config import Settings
from app.errors import USER_ERRORS, UsageError
from ingest.resolve import expand_playlist
from ingest.transcripts import looks_like_transcript_json, read_transcript
from storage import Library
from storage.recordings import STATUS_COMPLETE, STATUS_FAILED, STATUS_RECORDING

log = logging.getLogger(__name__)

MEDIA_SUFFIXES = frozenset(
    [
        ".mp3",
        ".wav",
        ".m4a",
        ".aac",
        ".ogg",
        ".oga",
        ".opus",
        ".flac",
        ".wma",
        ".mp4",
        ".m4v",
        ".mkv",
        ".webm",
        ".mov",
        ".avi",
        ".flv",
        ".ts",
        ".mpg",
        ".mpeg",
        ".3gp",
        ".amr",
    ]
)
SUBTITLE_SUFFIXES = frozenset({".srt", ".vtt"})
URL_LIST_SUFFIXES = frozenset({".txt", ".urls", ".list"})
CHAT_MARKERS = (".live_chat.json", ".chat.json", ".chat.jsonl")
CHAT_CSV_HEADER = ["timestamp", "author", "message"]
_WAVEPULSE_NAME = re.compile(
    r"^([A-Z]{2})_([A-Z0-9]{3,5})_(\d{4})_(\d{2})_(\d{2})_(\d{2})_(\d{2})$"
)
_HASH_EDGE = 1 << 20

IMPORTED = "imported"
SKIPPED = "skipped"
FAILED = "failed"


@dataclass(frozen=True)
class ImportItem:
    """One thing to import. `location` is a media path, a URL, or a transcript path."""

    location: str
    kind: str  # media, url, transcript
    transcript: Path | None = None
    chats: tuple[Path, ...] = ()

    @property
    def label(self) -> str:
        return Path(self.location).name if self.kind != "url" else self.location


@dataclass(frozen=True)
class ImportOutcome:
    item: ImportItem
    status: str  # imported, skipped, failed
    detail: str
    recording_id: int | None = None


@dataclass
class ImportReport:
    outcomes: list[ImportOutcome] = field(default_factory=list)

    def of(self, status: str) -> list[ImportOutcome]:
        return [o for o in self.outcomes if o.status == status]

    def summary(self) -> str:
        return (
            f"{len(self.of(IMPORTED))} imported, {len(self.of(SKIPPED))} skipped, "
            f"{len(self.of(FAILED))} failed"
        )


# --- discovery ---------------------------------------------------------------------------


def discover(inputs: Iterable[str]) -> tuple[list[ImportItem], list[ImportOutcome]]:
    """Items for paths, folders, globs, URL list files and URLs; failures for what is not there."""
    files: list[Path] = []
    urls: list[str] = []
    problems: list[ImportOutcome] = []
    for raw in inputs:
        text = raw.strip()
        if not text:
            continue
        if "://" in text and not text.startswith("file://"):
            urls.append(text)
            continue
        path = Path(text.removeprefix("file://")).expanduser()
        if any(ch in text for ch in "*?["):
            matches = sorted(Path(p) for p in glob.glob(str(path), recursive=True))
            files.extend(p for p in matches if p.is_file())
            if not matches:
                problems.append(_problem(text, "no files match this pattern"))
        elif path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        elif path.is_file() and path.suffix.lower() in URL_LIST_SUFFIXES:
            urls.extend(_read_url_list(path, problems))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(_problem(text, "no such file or folder"))
    items = _group_with_sidecars(files, problems)
    unique = list(dict.fromkeys(urls))
    with ThreadPoolExecutor(4, thread_name_prefix="expand") as pool:
        for url, expanded in zip(unique, pool.map(_expand, unique), strict=True):
            if isinstance(expanded, str):
                problems.append(_problem(url, expanded))
            else:
                items.extend(ImportItem(u, "url") for u in expanded)
    return items, problems


def _expand(url: str) -> list[str] | str:
    """A URL's items (a playlist's entries), or the reason it cannot be listed."""
    try:
        return expand_playlist(url)
    except USER_ERRORS as exc:
        return str(exc)


def _read_url_list(path: Path, problems: list[ImportOutcome]) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(_problem(str(path), f"cannot read the URL list ({exc})"))
        return []
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _group_with_sidecars(files: list[Path], problems: list[ImportOutcome]) -> list[ImportItem]:
    """Media files take the transcripts and chats named after them; the rest stand alone."""
    files = list(dict.fromkeys(p.resolve() for p in files))
    media = [p for p in files if p.suffix.lower() in MEDIA_SUFFIXES]
    claimed: set[Path] = set(media)
    items: list[ImportItem] = []
    for path in media:
        stem = path.name[: -len(path.suffix)]
        siblings = [
            p
            for p in files
            if p not in claimed and p.parent == path.parent and p.name.startswith(stem + ".")
        ]
        chats = tuple(p for p in siblings if _is_chat(p))
        transcripts = [p for p in siblings if p not in chats and _is_transcript(p)]
        claimed.update(chats)
        claimed.update(transcripts)
        items.append(ImportItem(str(path), "media", transcripts[0] if transcripts else None, chats))
    for path in files:
        if path in claimed:
            continue
        if _is_chat(path):
            problems.append(
                ImportOutcome(
                    ImportItem(str(path), "chat"),
                    SKIPPED,
                    "a chat replay with no recording beside it (name it after its video)",
                )
            )
        elif _is_transcript(path):
            items.append(ImportItem(str(path), "transcript", path))
        elif path.suffix.lower() not in URL_LIST_SUFFIXES and not path.name.startswith("."):
            problems.append(
                ImportOutcome(
                    ImportItem(str(path), "file"), SKIPPED, "not audio, video or a transcript"
                )
            )
    return items


def _is_chat(path: Path) -> bool:
    """A chat replay: named as yt-dlp and chat-downloader name them, or a CSV whose header
    is `timestamp,author,message`."""
    name = path.name.lower()
    if name.endswith(CHAT_MARKERS):
        return True
    if not name.endswith(".csv"):
        return False
    return [cell.strip() for cell in _first_line(path).split(",")[:3]] == CHAT_CSV_HEADER


def _first_line(path: Path) -> str:
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as f:
            return f.readline(200).strip().lower()
    except OSError:
        return ""


def _is_transcript(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix in SUBTITLE_SUFFIXES:
        return True
    return suffix == ".json" and looks_like_transcript_json(path)


def _problem(location: str, reason: str) -> ImportOutcome:
    return ImportOutcome(ImportItem(location, "missing"), FAILED, reason)


# --- running -------------------------------------------------------------------------------


Progress = Callable[[ImportOutcome, int, int], None]  # (outcome, done, total)


class BatchImport:
    """Import items into the library with at most `workers` at a time."""

    def __init__(
        self,
        library: Library,
        settings: Settings,
        *,
        retranscribe: bool = False,
        workers: int = 2,
        model: str | None = None,
        analyse: bool = True,
    ) -> None:
        self.library = library
        self.analyse = analyse
        self.settings = settings
        self.retranscribe = retranscribe
        self.workers = max(1, workers)
        self.model = model
        self._backend = None
        self._backend_lock = threading.Lock()
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Start no further items; those running finish (their work is kept)."""
        self._cancel.set()

    def run(self, items: list[ImportItem], progress: Progress | None = None) -> ImportReport:
        report = ImportReport()
        total = len(items)
        with ThreadPoolExecutor(self.workers, thread_name_prefix="import") as pool:
            futures = {pool.submit(self._guarded, item): item for item in items}
            for done, future in enumerate(as_completed(futures), 1):
                outcome = future.result()
                report.outcomes.append(outcome)
                if progress is not None:
                    progress(outcome, done, total)
        order = {item.location: i for i, item in enumerate(items)}
        report.outcomes.sort(key=lambda o: order.get(o.item.location, 0))
        return report

    def _guarded(self, item: ImportItem) -> ImportOutcome:
        if self._cancel.is_set():
            return ImportOutcome(item, SKIPPED, "cancelled before it started")
        try:
            return self.import_item(item)
        except USER_ERRORS as exc:
            return ImportOutcome(item, FAILED, str(exc))
        except Exception as exc:  # one broken item never stops the batch
            log.exception("Import of %s failed", item.location)
            return ImportOutcome(
                item, FAILED, f"unexpected failure ({exc.__class__.__name__}: {exc})"
            )

    def import_item(self, item: ImportItem) -> ImportOutcome:
        key = import_key(item, self.retranscribe)
        existing = self.library.recordings.find_by_import_key(key)
        if existing is not None:
            if existing.status == STATUS_COMPLETE:
                return ImportOutcome(
                    item, SKIPPED, f"already imported as #{existing.id}", existing.id
                )
            if existing.status == STATUS_RECORDING and not self._orphaned(existing.id):
                return ImportOutcome(item, SKIPPED, "being imported by another process")
            self.library.recordings.delete(existing.id)  # a failed or cut-short try: redo it
        if item.transcript is not None and not (self.retranscribe and item.kind == "media"):
            rid, detail = self._import_transcript(item, key)
        else:
            rid, detail = self._transcribe(item, key)
        for chat in item.chats:
            detail += "; " + self._import_chat(rid, chat)
        if self.analyse:
            detail += self._analyse(rid)
        return ImportOutcome(item, IMPORTED, detail, rid)

    def _analyse(self, recording_id: int) -> str:
        """Punctuation for transcripts that have none; summaries, keywords, entities for all."""
        from app.transcript_analysis import analyse_recording

        try:
            return "; " + analyse_recording(self.library, recording_id)
        except USER_ERRORS as exc:
            return f"; not summarised ({exc})"

    def _import_chat(self, recording_id: int, path: Path) -> str:
        """A chat replay beside the media: classified and stored like live chat."""
        from app.chat_capture import ChatRecorder
        from app.chat_stats import refresh_windows
        from app.events import EventBus
        from ingest.chat.replay import read_chat_replay

        try:
            replay = read_chat_replay(path)
        except USER_ERRORS as exc:
            return f"chat not imported ({exc})"
        recording = self.library.recordings.get(recording_id)
        recorder = ChatRecorder(self.library, recording_id, recording.started_at, EventBus())
        stored = recorder.store_all(replay.events)
        if replay.events:
            last = max(recorder.offset_of(e) for e in replay.events)
            if last > recording.duration_s:
                self.library.recordings.update(recording_id, duration_s=last)
        refresh_windows(self.library, recording_id)
        bad = f", {replay.bad_lines} bad line(s) skipped" if replay.bad_lines else ""
        return f"{stored} chat events from {path.name} ({recorder.flagged} flagged{bad})"

    def _orphaned(self, recording_id: int) -> bool:
        self.library.recordings.mark_orphans_interrupted()
        return self.library.recordings.get(recording_id).status != STATUS_RECORDING

    def _import_transcript(self, item: ImportItem, key: str) -> tuple[int, str]:
        cues = read_transcript(item.transcript)  # a format error fails the item, no row yet
        media = Path(item.location) if item.kind == "media" else None
        origin = describe_origin(item.transcript if media is None else media)
        duration = _media_duration(media) if media else None
        record = self.library.recordings.create(
            url=str(media or item.transcript),
            mode="import",
            title=origin.title,
            started_at=origin.started_at,
            import_key=key,
            source_name=origin.source_name,
            source_url=self._source_url(origin),
            source_region=origin.region,
        )
        try:
            self.library.segments.save_many(
                record.id,
                [
                    {"start_s": c.start_s, "end_s": c.end_s, "text": c.text, "speaker": c.speaker}
                    for c in cues
                ],
            )
            if media is not None:
                self.library.recordings.add_archive_file(record.id, 1, str(media), 0.0)
            self.library.recordings.update(
                record.id, duration_s=max(duration or 0.0, cues[-1].end_s)
            )
            self.library.recordings.finish(record.id, STATUS_COMPLETE)
        except BaseException as exc:
            self.library.recordings.finish(record.id, STATUS_FAILED, str(exc))
            raise
        return record.id, f"{len(cues)} segments from {item.transcript.name}"

    def _transcribe(self, item: ImportItem, key: str) -> tuple[int, str]:
        from app.transcription import transcribe_source

        options: dict = {"import_key": key, "mode": "import"}
        title = None
        if item.kind == "media":
            origin = describe_origin(Path(item.location))
            title = origin.title
            options.update(started_at=origin.started_at, source_name=origin.source_name)
        result = transcribe_source(
            item.location,
            self.library,
            self.settings,
            name=title,
            model=self.model,
            backend=self._shared_backend(),
            recording_options=options,
            assume_finite=True,
        )
        if result.status != STATUS_COMPLETE:
            raise UsageError(result.error or "transcription did not complete")
        return result.recording_id, f"transcribed: {result.segments} segments"

    def _shared_backend(self):
        from app.transcription import load_backend

        with self._backend_lock:
            if self._backend is None:
                self._backend = load_backend(self.settings, self.model)
            return self._backend

    def _source_url(self, origin: Origin) -> str | None:
        """A station named in a file name joins the directory's source of that name."""
        if origin.source_name is None:
            return None
        known = self.library.sources.by_name(origin.source_name)
        return known.url if known else f"station:{origin.source_name}"


@dataclass(frozen=True)
class Origin:
    title: str
    started_at: datetime | None
    source_name: str | None = None
    region: str | None = None


def describe_origin(path: Path) -> Origin:
    """Title, start time and station from a file: WavePulse names, else the file's mtime."""
    stem = path.name.split(".")[0]
    match = _WAVEPULSE_NAME.match(stem)
    if match:
        state, call, *numbers = match.groups()
        moment = datetime(*(int(n) for n in numbers))
        return Origin(f"{call} {moment:%Y-%m-%d %H:%M}", moment, call, state)
    try:
        mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)
    except OSError:
        mtime = None
    return Origin(path.stem, mtime)


def import_key(item: ImportItem, retranscribe: bool = False) -> str:
    """What identifies an item across runs: file content (not its name), or the URL."""
    suffix = ":asr" if retranscribe and item.kind == "media" else ""
    if item.kind == "url":
        return f"url:{item.location}"
    path = Path(item.location)
    digest = hashlib.sha256()
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            digest.update(str(size).encode())
            digest.update(handle.read(_HASH_EDGE))
            if size > 2 * _HASH_EDGE:
                handle.seek(-_HASH_EDGE, 2)
            digest.update(handle.read())
    except OSError as exc:
        raise UsageError(f"Cannot read {path}: {exc.strerror or exc}") from None
    if item.kind == "transcript":
        # Simulcasts: two stations' files can hold the same text and are still two recordings.
        digest.update(path.name.encode())
    return f"file:{digest.hexdigest()}{suffix}"


def _media_duration(path: Path) -> float | None:
    """The container's duration without decoding (PyAV), or None when it does not say."""
    try:
        import av

        with av.open(str(path)) as container:
            if container.duration:
                return container.duration / 1_000_000
    except Exception:  # an unreadable file keeps its transcript; the length comes from it
        log.info("Could not read the duration of %s", path, exc_info=True)
    return None
