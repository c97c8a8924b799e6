"""The raw audio of a recording, written to disk as it arrives, before it is transcribed.

Ogg/Opus (24 kb/s mono, about 11 MB an hour) in files of `file_s` seconds, flushed page by
page, so a crash loses under a second and every file decodes on its own. A gap in the
timeline starts a new file, so each file's start time on the timeline is exact.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from ingest.errors import ArchiveError
from ingest.ffmpeg import iter_pcm
from ingest.types import SAMPLE_RATE, AudioChunk

log = logging.getLogger(__name__)

ARCHIVE_BITRATE = 24_000
ARCHIVE_FILE_S = 60.0
PAGE_DURATION_US = 500_000
GAP_TOLERANCE_S = 0.05

FileOpened = Callable[[int, Path, float], object]  # (seq, path, start_s) -> handle
FileClosed = Callable[[object, float], None]  # (handle, duration_s)


class AudioArchive:
    def __init__(
        self,
        directory: Path,
        *,
        on_file_opened: FileOpened | None = None,
        on_file_closed: FileClosed | None = None,
        file_s: float = ARCHIVE_FILE_S,
    ) -> None:
        self.directory = Path(directory)
        self._on_opened = on_file_opened or (lambda seq, path, start: None)
        self._on_closed = on_file_closed or (lambda handle, duration: None)
        self._file_s = file_s
        self._seq = 0
        self._container = None
        self._stream = None
        self._handle = None
        self._file_start = 0.0
        self._written_s = 0.0
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(
                f"Cannot create the audio archive folder {directory}: {exc}"
            ) from exc

    def write(self, chunk: AudioChunk) -> None:
        if self._container is not None:
            expected = self._file_start + self._written_s
            if abs(chunk.start_s - expected) > GAP_TOLERANCE_S or self._written_s >= self._file_s:
                self._close_file()
        if self._container is None:
            self._open_file(chunk.start_s)
        import av

        pcm = np.clip(chunk.samples * 32768.0, -32768, 32767).astype(np.int16)[None, :]
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        try:
            for packet in self._stream.encode(frame):
                self._container.mux(packet)
        except (OSError, av.error.FFmpegError) as exc:
            raise ArchiveError(_describe_write_error(self.directory, exc)) from exc
        self._written_s += chunk.duration_s

    def close(self) -> None:
        self._close_file()

    def _open_file(self, start_s: float) -> None:
        import av

        self._seq += 1
        path = self.directory / f"{self._seq:05d}_{round(start_s * 1000):010d}ms.ogg"
        try:
            self._container = av.open(
                str(path),
                mode="w",
                format="ogg",
                options={"flush_packets": "1", "page_duration": str(PAGE_DURATION_US)},
            )
        except (OSError, av.error.FFmpegError) as exc:
            raise ArchiveError(_describe_write_error(self.directory, exc)) from exc
        self._stream = self._container.add_stream("libopus", rate=SAMPLE_RATE)
        self._stream.layout = "mono"
        self._stream.bit_rate = ARCHIVE_BITRATE
        self._file_start = start_s
        self._written_s = 0.0
        self._handle = self._on_opened(self._seq, path, start_s)

    def _close_file(self) -> None:
        if self._container is None:
            return
        import av

        try:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
            self._container.close()
        except (OSError, av.error.FFmpegError) as exc:
            log.warning("Closing archive file failed: %s", exc)
        finally:
            self._container = None
            self._on_closed(self._handle, self._written_s)


def _describe_write_error(directory: Path, exc: Exception) -> str:
    text = str(exc)
    if "No space" in text or getattr(exc, "errno", None) == 28:
        return f"The disk holding {directory} is full: archiving audio stopped."
    return f"Archiving audio to {directory} failed: {text}"


def read_archive(
    files: list[tuple[str, float]], from_s: float = 0.0, block_s: float = 30.0
) -> Iterator[AudioChunk]:
    """Chunks decoded from archive files `(path, start_s)`, starting at `from_s`.

    A damaged or truncated file yields what decodes and the rest goes on.
    """
    for path, start_s in files:
        position = start_s
        seek = max(0.0, from_s - start_s)
        try:
            for block in iter_pcm(path, seek_s=seek, block_s=block_s):
                chunk = AudioChunk(block, position + seek)
                position += len(block) / SAMPLE_RATE
                yield chunk
        except Exception as exc:  # one bad file must not stop the rest
            log.warning("Archived audio %s could not be fully decoded: %s", path, exc)
