"""`LiveSession`: one stream, recorded and transcribed live into the library.

resolve → ffmpeg audio → archive (disk first) → bounded queue → streaming ASR → storage →
events. The reader and the transcriber run in their own threads; `stop()` is cooperative:
the reader stops at once, the transcriber commits what it has, the recording is closed.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.backlog import Backlog
from app.config import Settings
from app.errors import USER_ERRORS
from app.events import ChatStatus, EventBus, SessionError, SessionStatus
from app.transcript_sink import TranscriptSink
from ingest.archive import AudioArchive
from ingest.errors import ArchiveError
from ingest.reader import AudioStream, ReconnectPolicy
from ingest.resolve import resolve
from ingest.types import AudioChunk, StreamInfo
from nlp.asr import AsrOptions, WhisperBackend
from nlp.decoding_service import LIVE, MONITOR, SharedBackend, service_for
from nlp.streaming import make_streaming_transcriber
from nlp.types import Word
from storage import Library
from storage.recordings import STATUS_COMPLETE, STATUS_FAILED

log = logging.getLogger(__name__)

MAX_LAG_S = 300.0  # the most audio queued in memory; further behind, it is read back from disk
HEARTBEAT_S = 5.0
DRAIN_ON_STOP_S = 15.0  # at stop, transcribe what is queued for at most this long
CHUNK_S = 0.5
JOIN_MAX_S = 5.0  # the most queued audio the transcriber takes in one step
PROMPT_SEGMENTS = 8  # a continued recording's last segments its transcriber goes on from
_END = object()


@dataclass(frozen=True)
class RecordingJob:
    """Everything needed to run a recording, as plain data (any process can run it)."""

    url: str
    mode: str = "live"
    duration_s: float | None = None
    name: str | None = None
    model: str | None = None
    chat: str = "auto"  # auto (from the platform), off, twitch:CHANNEL, youtube:URL
    summary_clip_s: float | None = None  # clip length for live summaries (default ~5 min)


# The threads a session runs: daemons (Ctrl-C twice quits at once), so nothing waits for them
# at exit unless asked. A daemon still inside Whisper or ONNX Runtime when Python shuts down
# is torn down mid-call, and the C++ frames under it abort the process.
SESSION_THREADS = frozenset({"audio-reader", "transcriber", "chat-recorder", "live-clip-analysis"})


def wait_for_session_threads(timeout_s: float) -> bool:
    """Wait (up to `timeout_s` in all) for stopped sessions' threads to end; True when none
    is left. Call after stopping the sessions, before the interpreter exits."""
    deadline = time.monotonic() + timeout_s
    for thread in threading.enumerate():
        if thread.name in SESSION_THREADS and thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()))
    return not any(t.is_alive() and t.name in SESSION_THREADS for t in threading.enumerate())


@dataclass(frozen=True)
class SessionResult:
    recording_id: int | None
    status: str
    error: str | None
    duration_s: float
    segments: int


class LiveSession:
    def __init__(
        self,
        job: RecordingJob,
        library: Library,
        settings: Settings,
        bus: EventBus | None = None,
        policy: ReconnectPolicy | None = None,
        backend: WhisperBackend | None = None,
        recording_options: dict | None = None,
        max_lag_s: float = MAX_LAG_S,
        continues: int | None = None,
    ) -> None:
        """`recording_options` are extra columns for the new recording (schedule links).
        `continues`: an interrupted recording to go on with instead of a new one (a worker
        took over the job of one that died): the audio goes on its timeline from now, after
        a gap nobody heard, which is noted; what it committed stays.
        `max_lag_s`: how much audio waits in memory for the transcriber; past that, the
        transcriber reads it back from the archive when it has time (`app.backlog`), and
        only without an archive is audio skipped (one stretch, noted)."""
        self.job = job
        self._recording_options = recording_options or {}
        self._continues = continues
        self._timeline_start_s = 0.0
        self._first_seq = 0  # archive files already registered (for a continued recording)
        self._words_before: list[Word] = []  # a continued recording's last committed words
        self.library = library
        self.settings = settings
        self.bus = bus or EventBus()
        self.policy = policy or ReconnectPolicy()
        self._backend = backend
        self.recording_id: int | None = None
        self.info: StreamInfo | None = None
        self.max_lag_s = max_lag_s
        self._queue: queue.Queue = queue.Queue(maxsize=max(2, round(max_lag_s / CHUNK_S)))
        self._stream: AudioStream | None = None
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._fatal: str | None = None
        self._notes: list[str] = []
        self._received_s = 0.0
        self._transcribed_s = 0.0
        self._skipped_s = 0.0
        self._skipped: list[list[float]] = []  # [start, end] stretches never transcribed
        self._skipping = False  # no archive: audio skips transcription until it catches up
        self._skip_lock = threading.Lock()
        self._backlog = Backlog()
        self._archived_all = True  # until writing the archive fails
        self._sink: TranscriptSink | None = None
        self._done = threading.Event()
        self._result: SessionResult | None = None
        self.chat = None  # a ChatCapture while chat is captured
        self._clip_analysis = None  # LiveClipAnalysis while the session runs

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> int:
        """Resolve, load the model and begin; raises a user error when that fails."""
        self._status("resolving", url=self.job.url)
        self.info = resolve(self.job.url)
        model = self.job.model or self.settings.model
        if self._backend is None:
            options = AsrOptions(model=model, cpu_threads=self.settings.cpu_threads)
            backend = WhisperBackend(options, self.settings.model_cache_dir)
            # Every session of the process decodes through its model's one service, in
            # batches with the others; a `live` session's work goes first.
            priority = LIVE if self.job.mode == "live" else MONITOR
            self._backend = SharedBackend(backend, service_for(backend), priority)
        if self._continues is not None:
            record = self._reopen(self._continues)
        else:
            record = self.library.recordings.create(
                url=self.info.url,
                mode=self.job.mode,
                title=self.job.name or self.info.title,
                platform=self.info.platform,
                channel=self.info.channel,
                is_live=self.info.is_live,
                model=model,
                **self._recording_options,
            )
        self.recording_id = record.id
        archive_dir = self.settings.archive_dir / f"{record.id:06d}"
        self.library.recordings.update(
            record.id, archive_dir=str(archive_dir), language=self._backend.language
        )
        self._sink = TranscriptSink(self.library, self.bus, record.id, self._labeller(record))
        from app.transcript_analysis import LiveClipAnalysis

        self._clip_analysis = LiveClipAnalysis(
            self.library,
            self.bus,
            record.id,
            self.job.name or self.info.title,
            clip_s=self.job.summary_clip_s,
            catalog=self._tutorial_catalog(),
        )
        self._start_chat(record)
        self._stream = AudioStream(
            self.info, policy=self.policy, on_status=self._on_stream_status, chunk_s=CHUNK_S
        )
        self._stream.position_s = self._received_s = self._transcribed_s = self._timeline_start_s
        if self._timeline_start_s:  # continued: its own folder and sequence for the new files
            archive_dir = archive_dir / f"from_{round(self._timeline_start_s)}s"
        self._threads = [
            threading.Thread(target=self._read_loop, args=(archive_dir,), name="audio-reader"),
            threading.Thread(target=self._transcribe_loop, name="transcriber"),
        ]
        for thread in self._threads:
            thread.daemon = True
            thread.start()
        return record.id

    def _reopen(self, recording_id: int):
        """The interrupted recording, running again here, its timeline at the wall-clock
        time since it started; the stretch since its last heartbeat is noted as a gap."""
        from app.timefmt import hms
        from storage.recordings import utcnow

        record = self.library.recordings.reopen(recording_id, **self._recording_options)
        self._first_seq = len(self.library.recordings.archive_files(recording_id))
        segments = self.library.segments.for_recording(recording_id)
        self._words_before = [Word(*w) for s in segments[-PROMPT_SEGMENTS:] for w in s.words]
        heard_s = max([record.duration_s] + [s.end_s for s in segments[-1:]])
        self._timeline_start_s = max(heard_s, (utcnow() - record.started_at).total_seconds())
        self._notes.append(
            f"Nobody listened from {hms(heard_s)} to "
            f"{hms(self._timeline_start_s)}: the process recording it stopped, another went on"
        )
        return record

    def _labeller(self, record):
        """Who speaks, labelled as segments are committed (None without the speaker model:
        the transcript goes on without speakers, and the user is told)."""
        from app.speakers import start_labelling

        if not self.settings.speakers:
            return None
        labeller, note = start_labelling(
            self.library, record.id, record.source_id, model=self.settings.speaker_model
        )
        if note:
            self._note(note)
        return labeller

    def _hear(self, chunk: AudioChunk) -> None:
        if self._sink is not None and self._sink.speakers is not None:
            self._sink.speakers.hear(chunk.samples, chunk.start_s)

    def _tutorial_catalog(self):
        from app.tutorial_catalog import active_catalog

        try:
            return active_catalog(self.settings)
        except USER_ERRORS as exc:
            self._note(f"No tutorial recommendations: {exc}")
            return None

    def _start_chat(self, record) -> None:
        """Chat beside the audio when the platform has it (or the job names a channel)."""
        from app.chat_capture import ChatCapture, ChatRecorder, chat_spec_for

        choice = self.job.chat
        if choice == "auto" and not self.settings.chat_enabled:
            choice = "off"
        spec = chat_spec_for(choice, self.job.url, self.info.platform)
        if spec is None:
            return
        channel = spec.target if spec.platform == "twitch" else (self.info.channel or "")
        recorder = ChatRecorder(
            self.library,
            record.id,
            record.started_at,
            self.bus,
            channel=channel,
            title=self.info.title or "",
            threshold=self.settings.threshold_for(channel),
        )
        try:
            self.chat = ChatCapture(spec, recorder, self.settings, self._on_chat_status).start()
        except USER_ERRORS as exc:
            self._note(f"Chat is not captured: {exc}")

    def _on_chat_status(self, state: str, detail: dict) -> None:
        self.bus.publish(ChatStatus(self.recording_id, state, detail))
        if state == "error":
            self._note(detail.get("message", "chat error"))

    def stop(self) -> None:
        """Ask the session to end; returns at once (use `wait`)."""
        if not self._stopping.is_set():
            self._stopping.set()
            self._status("stopping")
        if self._stream is not None:
            self._stream.stop()

    def wait(self, timeout: float | None = None) -> SessionResult | None:
        """The result once the session has ended; None if `timeout` passes first.

        Waits in short slices so signal handlers (Ctrl-C) run in the meantime.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._done.wait(0.5):
            if deadline is not None and time.monotonic() >= deadline:
                break
        return self._result

    def run(self) -> SessionResult:
        self.start()
        return self.wait()

    @property
    def ended(self) -> bool:
        """Whether the session is over (its result is ready)."""
        return self._done.is_set()

    @property
    def received_s(self) -> float:
        """How much of the stream has reached the app (its timeline's position)."""
        return self._received_s

    @property
    def lag_s(self) -> float:
        return max(0.0, self._received_s - self._transcribed_s)

    @property
    def skipped(self) -> list[tuple[float, float]]:
        """The stretches (start, end on the timeline) archived but not transcribed live."""
        with self._skip_lock:
            return [(a, b) for a, b in self._skipped]

    # --- reader thread -------------------------------------------------------------------

    def _read_loop(self, archive_dir: Path) -> None:
        archive = self._open_archive(archive_dir)
        try:
            for chunk in self._stream.chunks():
                if self._backlog.handover_wanted():
                    # The transcriber has read the archive back this far: close the file
                    # here so it can read the rest, and queue again from this chunk.
                    if archive is not None:
                        self._close_archive(archive)
                    self._backlog.hand_over(chunk.start_s)
                archive = self._archive(archive, chunk)
                self._received_s = chunk.end_s
                self._enqueue(chunk, archived=archive is not None)
                if self.job.duration_s and chunk.end_s >= self.job.duration_s:
                    self._stream.stop()
        except USER_ERRORS as exc:
            self._fatal = str(exc)
            self.bus.publish(SessionError(self.recording_id, str(exc), fatal=True))
        except Exception as exc:
            log.exception("Audio reader crashed")
            self._fatal = f"Reading the stream failed unexpectedly: {exc}"
            self.bus.publish(SessionError(self.recording_id, self._fatal, fatal=True))
        finally:
            if archive is not None:
                self._close_archive(archive)
            self._backlog.reader_finished()
            self._queue.put(_END)

    def _open_archive(self, directory: Path) -> AudioArchive | None:
        recordings = self.library.recordings
        rid = self.recording_id
        try:
            return AudioArchive(
                directory,
                on_file_opened=lambda seq, path, start: (
                    recordings.add_archive_file(rid, self._first_seq + seq, str(path), start),
                    str(path),
                    start,
                ),
                on_file_closed=self._archive_file_closed,
            )
        except ArchiveError as exc:
            self._note(str(exc))
            self._archived_all = False
            return None

    def _archive_file_closed(self, opened: tuple[int, str, float], duration_s: float) -> None:
        file_id, path, start_s = opened
        self._backlog.file_closed(path, start_s, duration_s)  # readable back from now on
        self.library.recordings.close_archive_file(file_id, duration_s)

    def _archive(self, archive: AudioArchive | None, chunk: AudioChunk) -> AudioArchive | None:
        if archive is None:
            return None
        try:
            archive.write(chunk)
            return archive
        except ArchiveError as exc:
            self._note(f"{exc} Transcription goes on without an audio archive.")
            self._archived_all = False
            self._close_archive(archive)
            return None

    def _close_archive(self, archive: AudioArchive) -> None:
        try:
            archive.close()
        except Exception as exc:
            log.warning("Closing the archive failed: %s", exc)

    def _enqueue(self, chunk: AudioChunk, archived: bool = True) -> None:
        """Queue the chunk for the transcriber, unless it is `max_lag_s` behind: then the
        audio waits in the archive, read back when the transcriber has done what it had
        (`app.backlog`). Without an archive it skips transcription instead, until the
        transcriber has caught up: one stretch skipped whole, rather than every other chunk
        (which would leave it decoding scraps of speech between discontinuities)."""
        if self._backlog.behind:
            return
        if self._skipping and not self._queue.empty():
            self._skip(chunk)
            return
        try:
            self._queue.put_nowait(chunk)
            self._skipping = False
        except queue.Full:
            if archived:
                self._backlog.fall_behind(chunk.start_s)
                log.warning(
                    "Transcription is %.0f s behind: it goes on from the archive", self.lag_s
                )
                self._status("lagging", lag_s=self.lag_s, from_archive=True)
                return
            self._skipping = True
            self._skip(chunk)
            log.warning("Transcription is %.0f s behind: skipping live audio", self.lag_s)
            self._status("lagging", lag_s=self.lag_s, skipped_s=self._skipped_s)

    def _skip(self, chunk: AudioChunk) -> None:
        self._skip_stretch(chunk.start_s, chunk.end_s)

    def _skip_stretch(self, start_s: float, end_s: float) -> None:
        """Note audio that will not be transcribed (joined to the last stretch it follows)."""
        with self._skip_lock:
            self._skipped_s += end_s - start_s
            if self._skipped and abs(start_s - self._skipped[-1][1]) < 0.05:
                self._skipped[-1][1] = end_s
            else:
                self._skipped.append([start_s, end_s])

    def _on_stream_status(self, state: str, detail: dict) -> None:
        self._status(state, **detail)

    # --- transcriber thread --------------------------------------------------------------

    def _transcribe_loop(self) -> None:
        transcriber = make_streaming_transcriber(self.job.mode, self._backend)
        transcriber.continue_after(self._words_before)
        last_beat = 0.0
        drain_deadline: float | None = None
        carried = None  # an item taken from the queue that could not join the last step
        try:
            while True:
                if self._stopping.is_set() and drain_deadline is None:
                    drain_deadline = time.monotonic() + DRAIN_ON_STOP_S
                if carried is not None:
                    item, carried = carried, None
                else:
                    try:
                        item = self._queue.get(timeout=1.0)
                    except queue.Empty:
                        item = None
                if item is _END or (item is None and self._backlog.behind):
                    # What was queued is done: the rest waits in the archive.
                    last_beat = self._read_back(transcriber, drain_deadline, last_beat)
                if item is _END:
                    break
                if item is not None:
                    if drain_deadline is not None and time.monotonic() > drain_deadline:
                        self._skip(item)
                        continue
                    item, carried = self._take_contiguous(item)
                    self._hear(item)
                    for commit in transcriber.push(item.samples, item.start_s):
                        self._sink.add(commit)
                    self._transcribed_s = item.end_s
                if time.monotonic() - last_beat >= HEARTBEAT_S:
                    last_beat = time.monotonic()
                    self._heartbeat()
            for commit in transcriber.finish():
                self._sink.add(commit)
            self._sink.flush()
        except USER_ERRORS as exc:
            self._note(str(exc))
            self._stream.stop()
        except Exception as exc:
            log.exception("Transcriber crashed")
            self._note(f"Transcription failed unexpectedly: {exc}")
            self._stream.stop()
        finally:
            self._finish()

    def _read_back(self, transcriber, drain_deadline: float | None, last_beat: float) -> float:
        """Transcribe the backlog from the archive, up to where the reader queues again;
        after a stop, for what is left of `DRAIN_ON_STOP_S` (the rest is noted, for
        `resume`). Returns when it last sent a heartbeat."""
        deadline = drain_deadline

        def give_up() -> bool:
            nonlocal deadline
            if deadline is None and self._stopping.is_set():
                deadline = time.monotonic() + DRAIN_ON_STOP_S
            return deadline is not None and time.monotonic() > deadline

        for chunk in self._backlog.read_back(self._transcribed_s, give_up):
            self._hear(chunk)
            for commit in transcriber.push(chunk.samples, chunk.start_s):
                self._sink.add(commit)
            self._transcribed_s = chunk.end_s
            if time.monotonic() - last_beat >= HEARTBEAT_S:
                last_beat = time.monotonic()
                self._heartbeat()
        for start, end in self._backlog.unreadable:
            self._skip_stretch(start, end)
        self._backlog.unreadable.clear()
        if give_up() and self._received_s > self._transcribed_s + 0.05:
            self._skip_stretch(self._transcribed_s, self._received_s)
        return last_beat

    def _take_contiguous(self, first: AudioChunk) -> tuple[AudioChunk, object | None]:
        """`first` and the chunks queued right after it, as one chunk of up to `JOIN_MAX_S`;
        and the next queued item when it could not join (a gap in the stream, or the end).

        A transcriber that falls behind then takes the audio that arrived during its last
        decode in one step, as whisper_streaming does: `live` re-decodes once per step, so
        its pace follows the machine instead of a backlog growing by one decode per chunk.
        """
        parts = [first]
        while parts[-1].end_s - first.start_s < JOIN_MAX_S:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _END or abs(item.start_s - parts[-1].end_s) > 0.01:
                return _joined(parts), item  # a gap stays a discontinuity for the VAD
            parts.append(item)
        return _joined(parts), None

    def _heartbeat(self) -> None:
        try:
            self.library.recordings.heartbeat(self.recording_id, self._received_s, self.lag_s)
            if not self._stopping.is_set() and self.library.recordings.stop_requested(
                [self.recording_id]
            ):
                # Someone asked elsewhere (the Streams wall of another window or machine, a
                # `record --queue` client): as Ctrl-C here would.
                log.info("Recording #%s: stop requested", self.recording_id)
                self.stop()
        except USER_ERRORS as exc:
            log.warning("Heartbeat failed: %s", exc)
        if self._skipping:
            self._status("lagging", position_s=self._received_s, lag_s=self.lag_s, skipped_s=0)
        elif self._backlog.behind:
            self._status(
                "lagging", position_s=self._received_s, lag_s=self.lag_s, from_archive=True
            )
        else:
            self._status("live", position_s=self._received_s, lag_s=self.lag_s)

    def _finish(self) -> None:
        rid = self.recording_id
        if self._skipped:
            self._notes.append(self._skipped_note())
        self._stop_chat()
        failed = self._fatal is not None and self._received_s == 0
        status = STATUS_FAILED if failed else STATUS_COMPLETE
        error = "; ".join(([self._fatal] if self._fatal else []) + self._notes) or None
        try:
            self.library.segments.finalize_all(rid)
            if self._sink is not None and self._sink.speakers is not None:
                note = self._sink.speakers.settle()
                if note:
                    self._notes.append(note)
            if self._clip_analysis is not None:
                self._clip_analysis.finish()
            # A multilingual model has detected the language by now (if anything was said).
            language = self._backend.language if self._backend is not None else None
            self.library.recordings.update(rid, duration_s=self._received_s, language=language)
            self.library.recordings.finish(rid, status, error)
        except USER_ERRORS as exc:
            error = f"{error}; {exc}" if error else str(exc)
        self._result = SessionResult(
            recording_id=rid,
            status=status,
            error=error,
            duration_s=self._received_s,
            segments=len(self.library.segments.for_recording(rid)) if rid else 0,
        )
        self._status("failed" if failed else "ended", status=status, error=error)
        self._done.set()

    def _skipped_note(self) -> str:
        from app.timefmt import hms

        stretches = [f"{hms(a)}–{hms(b)}" for a, b in self._skipped[:5]]
        if len(self._skipped) > 5:
            stretches.append(f"and {len(self._skipped) - 5} more")
        note = (
            f"Transcription fell behind: {self._skipped_s:.0f} s of audio "
            f"({', '.join(stretches)}) were not transcribed"
        )
        if not self._archived_all:
            note += " (they could not be archived to be read back later)"
        elif self._skipped[-1][1] >= self._received_s - 0.05:
            # Stopped before transcription caught up. `resume` transcribes what comes after
            # the last committed line: the end, not stretches in between.
            note += f"; `python main.py resume {self.recording_id}` transcribes the end"
        return note + "."

    def _stop_chat(self) -> None:
        if self.chat is None:
            return
        from app.chat_stats import refresh_windows

        self.chat.stop()
        try:
            self.library.recordings.update(self.recording_id, duration_s=self._received_s)
            refresh_windows(self.library, self.recording_id)
        except USER_ERRORS as exc:
            self._notes.append(f"Chat statistics were not saved: {exc}")

    # --- helpers -------------------------------------------------------------------------

    def _note(self, message: str) -> None:
        log.warning(message)
        self._notes.append(message)
        self.bus.publish(SessionError(self.recording_id, message, fatal=False))

    def _status(self, state: str, **detail) -> None:
        self.bus.publish(SessionStatus(self.recording_id, state, detail))


def _joined(chunks: list[AudioChunk]) -> AudioChunk:
    if len(chunks) == 1:
        return chunks[0]
    return AudioChunk(np.concatenate([c.samples for c in chunks]), chunks[0].start_s)
