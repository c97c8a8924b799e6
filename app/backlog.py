"""Audio a live session's transcriber fell too far behind to be handed: it is on disk already
(the archive is written before anything is transcribed), so it is read back from there when
the transcriber has time, instead of being skipped.

The reader thread and the transcriber thread share a `Backlog`:

- the reader stops queueing audio once the queue holds `max_lag_s` (`fall_behind`): memory
  stays bounded however far behind transcription is, and the stream keeps flowing to disk;
- the transcriber, once it has done what was queued, reads the archive from where it is
  (`read_back`), file by closed file; at the last closed file it asks the reader to close
  the file being written and hand the stream back (`handover_wanted` / `hand_over`): the
  closed file then ends exactly where the reader resumes queueing, so the timeline stays
  contiguous, and the transcriber goes back to the queue;
- should the machine stay too slow, the reader falls behind again and the cycle repeats:
  transcription follows the archive, minutes behind, and nothing is skipped while the disk
  lasts. Without an archive (its folder cannot be written) audio that does not fit the
  queue is skipped, and said so (`LiveSession`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ingest.archive import read_archive
from ingest.types import AudioChunk

READ_BLOCK_S = 5.0  # archived audio is handed to the transcriber in steps of this
_TOLERANCE_S = 0.05
_WAIT_S = 0.5


@dataclass(frozen=True)
class ArchivedFile:
    path: str
    start_s: float
    duration_s: float

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


class Backlog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: list[ArchivedFile] = []
        self._behind_from: float | None = None  # the reader queues nothing from here on
        self._handover_wanted = False
        self._handed_over_at: float | None = None  # where the reader resumed queueing
        self._changed = threading.Event()
        self._reader_done = False
        # Stretches that were neither queued nor archived (the disk filled up meanwhile).
        self.unreadable: list[tuple[float, float]] = []

    # --- what the reader thread calls --------------------------------------------------

    def file_closed(self, path: str, start_s: float, duration_s: float) -> None:
        """An archive file is complete (it can be read back to its end)."""
        with self._lock:
            self._files.append(ArchivedFile(path, start_s, duration_s))
        self._changed.set()

    @property
    def behind(self) -> bool:
        """Whether the reader is leaving audio to the archive (not queueing it)."""
        return self._behind_from is not None

    def fall_behind(self, at_s: float) -> None:
        """The queue is full: from `at_s` on, audio is only archived."""
        with self._lock:
            if self._behind_from is None:
                self._behind_from = at_s

    def handover_wanted(self) -> bool:
        """Whether the transcriber has read back every closed file and waits for the rest:
        the reader then closes the file it writes and calls `hand_over`."""
        return self._handover_wanted

    def hand_over(self, at_s: float) -> None:
        """The archive is closed up to `at_s`, and the reader queues again from there."""
        with self._lock:
            self._behind_from = None
            self._handover_wanted = False
            self._handed_over_at = at_s
        self._changed.set()

    def reader_finished(self) -> None:
        """The stream ended and the archive is closed: everything is in closed files."""
        with self._lock:
            self._reader_done = True
        self._changed.set()

    # --- what the transcriber thread calls ---------------------------------------------

    def read_back(self, position_s: float, give_up: Callable[[], bool]) -> Iterator[AudioChunk]:
        """The archived audio from `position_s` up to where the reader queues again (or to
        the end of the stream), in steps of `READ_BLOCK_S`; stops early when `give_up()`."""
        handed_over_at: float | None = None
        while not give_up():
            with self._lock:  # taken before listing files: none past it may be read
                if handed_over_at is None and self._handed_over_at is not None:
                    handed_over_at, self._handed_over_at = self._handed_over_at, None
            files = self._closed_after(position_s, handed_over_at)
            for chunk in self._read(files, position_s):
                yield chunk
                position_s = max(position_s, chunk.end_s)
                if give_up():
                    return
            if files:  # read to their end, even where a file decoded a little short
                reach = max(f.end_s for f in files)
                position_s = max(position_s, min(reach, handed_over_at or reach))
            with self._lock:
                if handed_over_at is not None:
                    if position_s < handed_over_at - _TOLERANCE_S:  # archiving had failed
                        self.unreadable.append((position_s, handed_over_at))
                    return
                if self._handed_over_at is not None:
                    continue  # read the file the handover closed, then back to the queue
                if self._reader_done:
                    return
                self._handover_wanted = True
                self._changed.clear()
            self._changed.wait(_WAIT_S)

    def _closed_after(self, position_s: float, until_s: float | None) -> list[ArchivedFile]:
        """The closed files with audio past `position_s` (and before `until_s`), listed once
        per pass: a file closed meanwhile is read on the next pass, never skipped."""
        with self._lock:
            files = [f for f in self._files if f.end_s > position_s + _TOLERANCE_S]
        if until_s is not None:
            files = [f for f in files if f.start_s < until_s - _TOLERANCE_S]
        return files

    @staticmethod
    def _read(files: list[ArchivedFile], position_s: float) -> Iterator[AudioChunk]:
        if not files:
            return
        for chunk in read_archive(
            [(f.path, f.start_s) for f in files], from_s=position_s, block_s=READ_BLOCK_S
        ):
            if chunk.end_s > position_s + _TOLERANCE_S:
                yield chunk
