"""`LiveSession`'s lag policy on its own: what it leaves to the archive (or, without one,
skips) when the transcriber falls behind.

(`tests/app/test_record.py` drives the same over a loopback radio stream, end to end.)"""

from __future__ import annotations

import numpy as np

import app.session
from app.config import load_settings
from app.events import EventBus, SessionStatus
from app.session import CHUNK_S, JOIN_MAX_S, LiveSession, RecordingJob
from ingest.types import SAMPLE_RATE, AudioChunk
from tests.app.helpers import open_library


def lagging_session(workdir, states: list[str]) -> LiveSession:
    settings = load_settings(db=str(workdir / "library.db"), data_dir=str(workdir / "data"))
    bus = EventBus()
    bus.subscribe(lambda e: states.append(e.state), SessionStatus)
    return LiveSession(
        RecordingJob(url="http://127.0.0.1:9/radio"),
        open_library(workdir),
        settings,
        bus,
        max_lag_s=2.0,
    )


def half_seconds(count: int) -> list[AudioChunk]:
    silence = np.zeros(int(CHUNK_S * SAMPLE_RATE), dtype=np.float32)
    return [AudioChunk(silence, i * CHUNK_S) for i in range(count)]


def test_a_transcriber_too_far_behind_is_left_the_archive_until_it_asks_for_the_stream(workdir):
    """Past `max_lag_s` the reader queues nothing more (memory stays bounded, the audio is
    archived), even once the queue has drained: the transcriber reads the archive back
    first, and the reader queues again only from where it hands the stream back."""
    states: list[str] = []
    session = lagging_session(workdir, states)
    chunks = half_seconds(12)
    queued = session._queue

    for chunk in chunks[:6]:  # 2 s fit, then the transcriber is 2 s behind
        session._enqueue(chunk)
    assert states == ["lagging"] and queued.qsize() == 4 and session._backlog.behind
    while not queued.empty():
        queued.get_nowait()
    session._enqueue(chunks[6])
    assert queued.empty() and session.skipped == []  # in the archive, not skipped
    session._backlog.hand_over(chunks[7].start_s)  # the archive was read back to 3.5 s
    for chunk in chunks[7:10]:
        session._enqueue(chunk)
    assert [queued.get_nowait().start_s for _ in range(3)] == [3.5, 4.0, 4.5]
    assert not session._backlog.behind and states == ["lagging"]


def test_without_an_archive_a_transcriber_too_far_behind_skips_one_whole_stretch(workdir):
    """With no archive to read back from, audio past `max_lag_s` skips transcription until
    the transcriber has done what it had: one stretch, not every other chunk (scraps of
    speech between discontinuities)."""
    states: list[str] = []
    session = lagging_session(workdir, states)
    chunks = half_seconds(16)
    queued = session._queue

    for chunk in chunks[:6]:
        session._enqueue(chunk, archived=False)
    assert states == ["lagging"] and session.skipped == [(2.0, 3.0)]
    queued.get_nowait()  # it takes one chunk: still behind, so it is not topped up...
    session._enqueue(chunks[6], archived=False)
    session._enqueue(chunks[7], archived=False)
    assert session.skipped == [(2.0, 4.0)] and queued.qsize() == 3
    while not queued.empty():  # ...until it has caught up
        queued.get_nowait()
    for chunk in chunks[8:12]:
        session._enqueue(chunk, archived=False)
    assert session.skipped == [(2.0, 4.0)] and queued.qsize() == 4
    session._enqueue(chunks[12], archived=False)  # behind again: a second stretch
    assert session.skipped == [(2.0, 4.0), (6.0, 6.5)] and states == ["lagging"] * 2


def test_a_transcriber_behind_takes_the_queued_audio_in_one_step(workdir):
    """Chunks that queued up while the transcriber decoded are joined into one step (so
    `live` re-decodes once for them, not once per chunk), sample for sample; a gap in the
    stream is never joined over, and the end of the stream is handed back, not lost."""
    settings = load_settings(db=str(workdir / "library.db"), data_dir=str(workdir / "data"))
    session = LiveSession(
        RecordingJob(url="http://127.0.0.1:9/radio"), open_library(workdir), settings
    )
    n = int(CHUNK_S * SAMPLE_RATE)
    chunks = [
        AudioChunk(np.arange(i * n, (i + 1) * n, dtype=np.float32), i * CHUNK_S) for i in range(4)
    ]
    after_gap = AudioChunk(np.ones(n, dtype=np.float32), 10.0)
    for chunk in [*chunks[1:], after_gap]:
        session._enqueue(chunk)
    session._queue.put(app.session._END)

    joined, carried = session._take_contiguous(chunks[0])
    assert joined.start_s == 0.0 and joined.end_s == 4 * CHUNK_S
    assert np.array_equal(joined.samples, np.arange(4 * n, dtype=np.float32))
    assert carried is after_gap
    alone, carried = session._take_contiguous(after_gap)
    assert alone is after_gap and carried is app.session._END


def test_one_step_takes_at_most_join_max_s(workdir):
    settings = load_settings(db=str(workdir / "library.db"), data_dir=str(workdir / "data"))
    session = LiveSession(
        RecordingJob(url="http://127.0.0.1:9/radio"), open_library(workdir), settings
    )
    silence = np.zeros(int(CHUNK_S * SAMPLE_RATE), dtype=np.float32)
    total = int(3 * JOIN_MAX_S / CHUNK_S)
    for i in range(1, total):
        session._enqueue(AudioChunk(silence, i * CHUNK_S))
    first, _ = session._take_contiguous(AudioChunk(silence, 0.0))
    second, _ = session._take_contiguous(session._queue.get_nowait())
    assert first.duration_s == JOIN_MAX_S and second.start_s == JOIN_MAX_S


def test_recordings_shows_a_running_recording_that_falls_behind(workdir, run_cli):
    """The heartbeat stores how far transcription is behind; `recordings` (any process)
    shows it for a running recording once it is 5 s or more, and not for an ended one."""
    library = open_library(workdir)
    running = library.recordings.create(url="http://127.0.0.1:9/a", mode="monitor").id
    ended = library.recordings.create(url="http://127.0.0.1:9/b", mode="monitor").id
    library.recordings.heartbeat(running, 300.0, lag_s=42.4)
    library.recordings.heartbeat(ended, 300.0, lag_s=42.4)
    library.recordings.finish(ended, "complete")
    listed = run_cli("recordings")
    assert listed.returncode == 0, listed.stderr
    [line_a] = [
        line for line in listed.stdout.splitlines() if line.strip().startswith(f"{running} ")
    ]
    [line_b] = [line for line in listed.stdout.splitlines() if line.strip().startswith(f"{ended} ")]
    assert line_a.endswith("(42 s behind)") and "behind" not in line_b


def test_each_line_names_its_recording_and_says_when_it_is_behind(capsys):
    from app.cli.recording import subscribe_printers
    from app.events import SegmentCommitted

    bus = EventBus()
    lags = {7: 0.0, 9: 12.4}
    subscribe_printers(bus, show_ids=True, lag_of=lags.get)
    bus.publish(SegmentCommitted(7, 1, 65.0, 67.0, "On time.", True))
    bus.publish(SegmentCommitted(9, 2, 5.0, 7.0, "Running late.", True))
    bus.publish(SegmentCommitted(9, 3, 8.0, 9.0, "not final", False))
    assert capsys.readouterr().out.splitlines() == [
        "#7 [00:01:05] On time.",
        "#9 [00:00:05] Running late.  (12 s behind)",
    ]
