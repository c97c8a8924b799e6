"""Offline transcription: a file (or finite URL), or a recording's archived audio (`resume`).

Same storage and events as a live session, decoded as fast as the CPU allows with the
offline decoder (whole-file VAD, beam search).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.config import Settings
from app.errors import USER_ERRORS, UsageError
from app.events import EventBus, SessionError
from app.speakers import start_labelling
from app.transcript_sink import TranscriptSink
from ingest.archive import read_archive
from ingest.ffmpeg import iter_pcm
from ingest.resolve import resolve
from ingest.types import SAMPLE_RATE
from nlp.asr import AsrOptions, WhisperBackend
from storage import Library
from storage.recordings import STATUS_COMPLETE, STATUS_FAILED, STATUS_RECORDING

log = logging.getLogger(__name__)

MAX_FILE_S = 12 * 3600.0  # an "archived" URL that never ends is cut here
Progress = Callable[[float, float | None], None]  # (seconds done, seconds total or None)


@dataclass(frozen=True)
class TranscriptionResult:
    recording_id: int
    status: str
    duration_s: float
    segments: int
    error: str | None = None
    note: str | None = None  # what the user should know, e.g. why no speakers were found


def load_backend(settings: Settings, model: str | None = None) -> WhisperBackend:
    options = AsrOptions(model=model or settings.model, cpu_threads=settings.cpu_threads)
    return WhisperBackend(options, settings.model_cache_dir)


def transcribe_source(
    source: str,
    library: Library,
    settings: Settings,
    *,
    bus: EventBus | None = None,
    name: str | None = None,
    model: str | None = None,
    progress: Progress | None = None,
    backend: WhisperBackend | None = None,
    recording_options: dict | None = None,
    assume_finite: bool = False,
) -> TranscriptionResult:
    """Transcribe a whole file or finite URL into a new recording.

    `recording_options` are extra columns for it (an import key, a start time, a source).
    With `assume_finite` (imports of archived items), a URL that only looks live (a plain
    HTTP file without a length) is read to its end, up to `MAX_FILE_S`.
    """
    info = resolve(source)
    if info.live_reported or (info.is_live and not assume_finite):
        raise UsageError(f"{source} is a live stream: use `record` for it.")
    # Raises NotAudio/StreamUnavailable before any row is written.
    audio = _decode_all(info.audio_url, MAX_FILE_S if assume_finite else None)
    backend = backend or load_backend(settings, model)
    options = {"started_at": info.started_at, **(recording_options or {})}
    record = library.recordings.create(
        url=info.url,
        mode=options.pop("mode", "offline"),
        title=name or info.title,
        platform=info.platform,
        channel=info.channel,
        is_live=False,
        model=model or settings.model,
        **options,
    )
    duration = len(audio) / SAMPLE_RATE
    if info.is_local_file:
        library.recordings.add_archive_file(record.id, 1, str(Path(info.url).resolve()), 0.0)
    library.recordings.update(record.id, duration_s=duration, language=backend.language)
    return _transcribe_into(
        record.id,
        audio,
        0.0,
        library,
        backend,
        bus,
        progress,
        duration,
        source_id=record.source_id,
        speakers=settings.speakers,
        speaker_model=settings.speaker_model,
    )


def resume_recording(
    recording_id: int,
    library: Library,
    settings: Settings,
    *,
    bus: EventBus | None = None,
    progress: Progress | None = None,
    backend: WhisperBackend | None = None,
) -> TranscriptionResult:
    """Transcribe the archived audio of a recording past its last committed segment."""
    record = library.recordings.get(recording_id)
    if record.status == STATUS_RECORDING:
        raise UsageError(f"Recording {recording_id} is still being recorded.")
    files = library.recordings.archive_files(recording_id)
    if not files:
        raise UsageError(f"Recording {recording_id} has no archived audio to transcribe.")
    start = library.segments.last_end(recording_id)
    blocks = [c for c in read_archive([(f.uri, f.start_s) for f in files], from_s=start)]
    if not blocks:
        return TranscriptionResult(recording_id, record.status, record.duration_s, 0)
    backend = backend or load_backend(settings, record.model)
    # Archive files can have gaps between them (reconnects): decode each run on its own.
    for run_start, audio in _contiguous_runs(blocks):
        _transcribe_into(
            recording_id,
            audio,
            run_start,
            library,
            backend,
            bus,
            progress,
            None,
            finish=False,
            source_id=record.source_id,
            speakers=settings.speakers,
            speaker_model=settings.speaker_model,
        )
    end = max(b.end_s for b in blocks)
    library.recordings.update(recording_id, duration_s=max(record.duration_s, end))
    library.recordings.finish(recording_id, STATUS_COMPLETE, None)
    count = len(library.segments.for_recording(recording_id))
    return TranscriptionResult(recording_id, STATUS_COMPLETE, end, count)


@dataclass(frozen=True)
class ResumeOutcome:
    result: TranscriptionResult
    analysis: str  # what the analysis did, or why it could not run

    def describe(self) -> str:
        r = self.result
        return f"Recording #{r.recording_id}: {r.status}, {r.segments} segments; {self.analysis}"


def resume_and_analyse(
    recording_id: int,
    library: Library,
    settings: Settings,
    *,
    progress: Progress | None = None,
) -> ResumeOutcome:
    """What *Resume* means in the GUI and `resume` in the CLI alike: transcribe what the
    recording archived but did not get to, then redo its analyses over the whole transcript.

    What was transcribed stays stored even when the analysis then fails; the outcome says so.
    """
    from app.transcript_analysis import analyse_recording

    result = resume_recording(recording_id, library, settings, progress=progress)
    try:
        analysis = analyse_recording(library, recording_id)
    except USER_ERRORS as exc:
        analysis = f"not analysed ({exc})"
    return ResumeOutcome(result, analysis)


def _contiguous_runs(blocks) -> list[tuple[float, np.ndarray]]:
    runs: list[tuple[float, list[np.ndarray], float]] = []
    for block in blocks:
        if runs and abs(block.start_s - runs[-1][2]) < 0.05:
            start, parts, _ = runs[-1]
            parts.append(block.samples)
            runs[-1] = (start, parts, block.end_s)
        else:
            runs.append((block.start_s, [block.samples], block.end_s))
    return [(start, np.concatenate(parts)) for start, parts, _ in runs]


def _decode_all(source: str, max_s: float | None = None) -> np.ndarray:
    pieces = []
    total = 0
    for piece in iter_pcm(source):
        pieces.append(piece)
        total += len(piece)
        if max_s is not None and total >= max_s * SAMPLE_RATE:
            log.warning("Stopped reading %s after %.0f s: it does not end", source, max_s)
            break
    return np.concatenate(pieces)


def _transcribe_into(
    recording_id: int,
    audio: np.ndarray,
    offset: float,
    library: Library,
    backend: WhisperBackend,
    bus: EventBus | None,
    progress: Progress | None,
    total: float | None,
    finish: bool = True,
    source_id: int | None = None,
    speakers: bool = True,
    speaker_model: str | None = None,
) -> TranscriptionResult:
    """`speakers`: label who speaks (`app.speakers`), with `speaker_model` if given."""
    bus = bus or EventBus()
    labeller, note = (
        start_labelling(library, recording_id, source_id, keep_audio_s=None, model=speaker_model)
        if speakers
        else (None, None)
    )
    if labeller is not None:
        labeller.hear(audio, offset)
    sink = TranscriptSink(library, bus, recording_id, labeller)
    language = None
    try:
        for segment in backend.transcribe_file_audio(audio, offset=offset):
            if language is None and segment.language:
                language = segment.language  # detected by a multilingual model
                library.recordings.update(recording_id, language=language)
            sink.add_segment(segment)
            if progress:
                progress(segment.end - offset, total)
    except USER_ERRORS:
        raise
    except Exception as exc:
        log.exception("Offline transcription failed")
        library.recordings.finish(recording_id, STATUS_FAILED, f"Transcription failed: {exc}")
        raise UsageError(f"Transcription failed: {exc}") from exc
    note = (labeller.settle() if labeller is not None else None) or note
    if note:
        bus.publish(SessionError(recording_id, note, fatal=False))
    if finish:
        library.recordings.finish(recording_id, STATUS_COMPLETE, note)
    count = len(library.segments.for_recording(recording_id))
    duration = len(audio) / SAMPLE_RATE
    return TranscriptionResult(recording_id, STATUS_COMPLETE, duration, count, note=note)
