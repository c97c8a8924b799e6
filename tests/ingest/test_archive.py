"""The audio archive: compressed, in pieces, exact start times, and crash-safe."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np

from ingest.archive import AudioArchive, read_archive
from ingest.ffmpeg import decode_to_array
from ingest.types import AudioChunk
from tests.conftest import ROOT


def tone(seconds: float, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * 16000)) / 16000
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_archive_rolls_files_and_restarts_at_gaps(tmp_path):
    opened, closed = [], []
    archive = AudioArchive(
        tmp_path,
        file_s=2.0,
        on_file_opened=lambda seq, path, start: opened.append((seq, path, start)) or seq,
        on_file_closed=lambda handle, duration: closed.append((handle, duration)),
    )
    for i in range(10):  # 5 s of audio in 0.5 s chunks
        archive.write(AudioChunk(tone(0.5), i * 0.5))
    archive.write(AudioChunk(tone(0.5), 20.0))  # after a reconnect: a gap
    archive.close()
    starts = [start for _, _, start in opened]
    assert starts == [0.0, 2.0, 4.0, 20.0]
    assert [round(d, 2) for _, d in closed] == [2.0, 2.0, 1.0, 0.5]
    total = sum(len(decode_to_array(str(path))) for _, path, _ in opened) / 16000
    assert abs(total - 5.5) < 0.15
    size = sum(path.stat().st_size for _, path, _ in opened)
    assert size < 5.5 * 16000 * 2 / 5  # far smaller than PCM


def test_read_archive_returns_chunks_on_the_timeline(tmp_path):
    paths = []
    archive = AudioArchive(
        tmp_path, file_s=3.0, on_file_opened=lambda s, p, t: paths.append((str(p), t))
    )
    for i in range(8):
        archive.write(AudioChunk(tone(0.5), 10.0 + i * 0.5))
    archive.close()
    chunks = list(read_archive(paths, from_s=12.0))
    assert abs(chunks[0].start_s - 12.0) < 0.01
    assert abs(chunks[-1].end_s - 14.0) < 0.1


def test_archive_survives_a_crash_mid_file(tmp_path):
    script = textwrap.dedent(f"""
        import os, numpy as np
        from ingest.archive import AudioArchive
        from ingest.types import AudioChunk
        a = AudioArchive(__import__('pathlib').Path({str(tmp_path)!r}), file_s=60)
        t = np.arange(8000) / 16000
        for i in range(20):
            a.write(AudioChunk((0.3*np.sin(2*np.pi*300*t)).astype('float32'), i * 0.5))
        os._exit(9)  # no close, no flush: as if killed
    """)
    subprocess.run([sys.executable, "-c", script], check=False, cwd=ROOT)
    files = list(tmp_path.glob("*.ogg"))
    assert len(files) == 1
    seconds = len(decode_to_array(str(files[0]))) / 16000
    assert seconds > 9.0  # of 10 s written, under a second may be lost
