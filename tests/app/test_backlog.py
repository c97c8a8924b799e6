"""The backlog read back from a real Ogg/Opus archive: contiguous, on the stream's timeline,
up to exactly where the reader queues again; to the end when the stream ended; and a stretch
that never reached the disk is reported, not invented."""

from __future__ import annotations

import itertools
import threading
import time

import numpy as np

from app.backlog import Backlog
from ingest.archive import AudioArchive
from ingest.types import SAMPLE_RATE, AudioChunk

CHUNK_S = 0.5


def tone_every_other_second(start_s: float, duration_s: float) -> np.ndarray:
    """A 440 Hz tone during even seconds of the timeline, silence during odd ones."""
    t = start_s + np.arange(int(duration_s * SAMPLE_RATE)) / SAMPLE_RATE
    tone = 0.3 * np.sin(2 * np.pi * 440 * t)
    return np.where(np.floor(t) % 2 == 0, tone, 0.0).astype(np.float32)


def chunk_at(i: int) -> AudioChunk:
    return AudioChunk(tone_every_other_second(i * CHUNK_S, CHUNK_S), i * CHUNK_S)


def archive_for(backlog: Backlog, folder) -> AudioArchive:
    return AudioArchive(
        folder,
        on_file_opened=lambda seq, path, start: (str(path), start),
        on_file_closed=lambda opened, duration: backlog.file_closed(*opened, duration),
        file_s=4.0,
    )


def assert_on_the_timeline(chunks: list[AudioChunk], start_s: float, end_s: float) -> None:
    """The chunks cover start..end without a gap, and each whole second inside sounds as
    the timeline says (tone or silence): the audio is where its times say it is."""
    assert abs(chunks[0].start_s - start_s) < 0.05
    assert abs(chunks[-1].end_s - end_s) < 0.05
    for before, after in itertools.pairwise(chunks):
        assert abs(after.start_s - before.end_s) < 0.05
    audio = np.concatenate([c.samples for c in chunks])
    for second in range(int(np.ceil(start_s)), int(end_s)):
        middle = audio[
            int((second + 0.2 - start_s) * SAMPLE_RATE) : int(
                (second + 0.8 - start_s) * SAMPLE_RATE
            )
        ]
        loud = float(np.sqrt(np.mean(middle**2))) > 0.05
        assert loud == (second % 2 == 0), f"second {second}"


def test_read_back_stops_exactly_where_the_reader_queues_again(tmp_path):
    backlog = Backlog()
    archive = archive_for(backlog, tmp_path)
    handed_over_at: list[float] = []

    later_files_closed = threading.Event()

    def reader() -> None:
        for i in range(60):  # 30 s of stream, written a little faster than real time
            chunk = chunk_at(i)
            if i == 4:
                backlog.fall_behind(chunk.start_s)  # the queue is full from 2 s on
            if backlog.handover_wanted() and not handed_over_at:
                archive.close()
                backlog.hand_over(chunk.start_s)
                handed_over_at.append(chunk.start_s)
            archive.write(chunk)
            time.sleep(0.02 if not handed_over_at else 0)
        archive.close()
        later_files_closed.set()

    def after_the_handover_wait_for_later_files() -> bool:
        """(A hook, not a give-up: it lets the reader close files past the handover before
        the read-back lists what to read, as a slow read-back would find them.)"""
        if handed_over_at:
            later_files_closed.wait(10)
        return False

    thread = threading.Thread(target=reader)
    thread.start()
    deadline = time.monotonic() + 10
    while not backlog.behind and time.monotonic() < deadline:  # as a session reads back
        time.sleep(0.01)  # only once the reader has fallen behind
    time.sleep(0.3)
    chunks = list(backlog.read_back(2.0, give_up=after_the_handover_wait_for_later_files))
    thread.join()
    assert handed_over_at, "the transcriber asked for the stream back"
    assert_on_the_timeline(chunks, 2.0, handed_over_at[0])
    assert not backlog.behind and backlog.unreadable == []


def test_read_back_reads_to_the_end_once_the_stream_has_ended(tmp_path):
    backlog = Backlog()
    archive = archive_for(backlog, tmp_path)
    backlog.fall_behind(3.0)
    for i in range(21):  # 10.5 s: files 0-4, 4-8, 8-10.5
        archive.write(chunk_at(i))
    archive.close()
    backlog.reader_finished()
    chunks = list(backlog.read_back(3.0, give_up=lambda: False))
    assert_on_the_timeline(chunks, 3.0, 10.5)


def test_a_stretch_that_never_reached_the_disk_is_reported_not_invented(tmp_path):
    backlog = Backlog()
    archive = archive_for(backlog, tmp_path)
    backlog.fall_behind(1.0)
    for i in range(12):  # 0-4 s closed, 4-6 s written to a file that is then lost
        archive.write(chunk_at(i))
    backlog.hand_over(9.0)  # the disk filled up: the reader queues again from 9 s
    chunks = list(backlog.read_back(1.0, give_up=lambda: False))
    assert_on_the_timeline(chunks, 1.0, 4.0)
    assert backlog.unreadable == [(4.0, 9.0)]


def test_giving_up_stops_the_read_back(tmp_path):
    backlog = Backlog()
    archive = archive_for(backlog, tmp_path)
    backlog.fall_behind(0.0)
    for i in range(20):
        archive.write(chunk_at(i))
    archive.close()
    backlog.reader_finished()
    taken = []
    for chunk in backlog.read_back(0.0, give_up=lambda: len(taken) >= 1):
        taken.append(chunk)
    assert len(taken) == 1
