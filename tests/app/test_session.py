"""`LiveSession`'s lag policy on its own: what it skips when the transcriber falls behind.

(`tests/app/test_record.py` drives the same over a loopback radio stream, end to end.)"""

from __future__ import annotations

import numpy as np

from app.config import load_settings
from app.events import EventBus, SessionStatus
from app.session import CHUNK_S, LiveSession, RecordingJob
from ingest.types import SAMPLE_RATE, AudioChunk
from tests.app.helpers import open_library


def test_a_transcriber_too_far_behind_skips_one_whole_stretch(workdir):
    """Past `max_lag_s`, audio skips transcription until the transcriber has done what it
    had: one stretch, not every other chunk (scraps of speech between discontinuities)."""
    settings = load_settings(db=str(workdir / "library.db"), data_dir=str(workdir / "data"))
    bus = EventBus()
    states: list[str] = []
    bus.subscribe(lambda e: states.append(e.state), SessionStatus)
    session = LiveSession(
        RecordingJob(url="http://127.0.0.1:9/radio"),
        open_library(workdir),
        settings,
        bus,
        max_lag_s=2.0,
    )
    silence = np.zeros(int(CHUNK_S * SAMPLE_RATE), dtype=np.float32)
    chunks = [AudioChunk(silence, i * CHUNK_S) for i in range(16)]
    queued = session._queue  # what the transcriber thread takes from

    for chunk in chunks[:6]:  # 2 s fit, then the transcriber is 2 s behind
        session._enqueue(chunk)
    assert states == ["lagging"] and session.skipped == [(2.0, 3.0)]
    queued.get_nowait()  # it takes one chunk: still behind, so it is not topped up...
    session._enqueue(chunks[6])
    session._enqueue(chunks[7])
    assert session.skipped == [(2.0, 4.0)] and queued.qsize() == 3
    while not queued.empty():  # ...until it has caught up
        queued.get_nowait()
    for chunk in chunks[8:12]:
        session._enqueue(chunk)
    assert session.skipped == [(2.0, 4.0)] and queued.qsize() == 4
    session._enqueue(chunks[12])  # behind again: a second stretch
    assert session.skipped == [(2.0, 4.0), (6.0, 6.5)] and states == ["lagging"] * 2
