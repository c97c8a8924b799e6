"""AudioStream: real ffmpeg over loopback servers; drops, reconnects, one timeline."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from ingest.errors import NotAudio, StreamUnavailable
from ingest.reader import ENDED, RECONNECTING, AudioStream, ReconnectPolicy
from ingest.resolve import resolve
from ingest.types import StreamInfo

FAST = ReconnectPolicy(initial_delay_s=0.5, factor=2.0, max_delay_s=2.0, give_up_after_s=6.0)


def test_reconnects_after_a_drop_and_skips_the_outage_on_the_timeline(icecast):
    states = []
    stream = AudioStream(resolve(icecast.url), policy=FAST, on_status=lambda s, d: states.append(s))
    chunks = []
    dropped = False
    started = time.monotonic()
    for chunk in stream.chunks():
        chunks.append(chunk)
        if not dropped and chunk.end_s >= 3.0:
            icecast.drop(down_for_s=2.0)
            dropped = True
        if time.monotonic() - started > 12.0:
            stream.stop()
    assert stream.reconnects == 1 and RECONNECTING in states
    gaps = [b.start_s - a.end_s for a, b in itertools.pairwise(chunks)]
    jumps = [g for g in gaps if abs(g) > 0.01]
    assert len(jumps) == 1 and 1.5 <= jumps[0] <= 6.0  # the outage, skipped forward
    assert all(g >= -0.001 for g in gaps)  # time never runs backwards


def test_a_stream_that_stays_down_ends_the_recording(icecast):
    policy = ReconnectPolicy(initial_delay_s=0.25, factor=2.0, max_delay_s=1.0, give_up_after_s=4.0)
    events = []
    stream = AudioStream(
        resolve(icecast.url), policy=policy, on_status=lambda s, d: events.append((s, d))
    )
    dropped_at = last_audio = None
    for chunk in stream.chunks():
        last_audio = time.monotonic()
        if chunk.end_s >= 2.0 and dropped_at is None:
            icecast.drop(down_for_s=60.0)
            dropped_at = time.monotonic()
    ended = time.monotonic()
    assert dropped_at is not None
    # It kept trying, backing off each time (0.25 s, 0.5 s, 1 s, then capped at 1 s)...
    delays = [d["delay_s"] for s, d in events if s == RECONNECTING]
    assert delays[:3] == [0.25, 0.5, 1.0] and set(delays[3:]) <= {1.0}
    assert icecast.refused == len(delays) >= 3 and stream.reconnects == 0
    # ...until give_up_after_s passed without audio (less the wait it would not finish),
    # and then it ended on its own.
    assert ended - last_audio >= policy.give_up_after_s - policy.max_delay_s - 0.5
    assert ended - last_audio < policy.give_up_after_s + 10.0  # did not hang
    assert events[-1][0] == ENDED


def test_first_connection_failure_is_an_error(tmp_path):
    bad = tmp_path / "not-audio.mp3"
    bad.write_text("hello, I am text")
    info = StreamInfo(url=str(bad), audio_url=str(bad), is_local_file=True)
    with pytest.raises(NotAudio, match="no audio"):
        list(AudioStream(info).chunks())
    info = StreamInfo(
        url="http://127.0.0.1:9/x.mp3", audio_url="http://127.0.0.1:9/x.mp3", is_live=True
    )
    with pytest.raises(StreamUnavailable, match="refused"):
        list(AudioStream(info).chunks())


def test_stop_from_another_thread_ends_promptly(icecast):
    stream = AudioStream(resolve(icecast.url))
    threading.Timer(1.5, stream.stop).start()
    t0 = time.monotonic()
    total = sum(c.duration_s for c in stream.chunks())
    assert time.monotonic() - t0 < 5.0
    assert total > 0.5
