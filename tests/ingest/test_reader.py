"""AudioStream: real ffmpeg over loopback servers; drops, reconnects, one timeline."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from ingest.errors import NotAudio, StreamUnavailable
from ingest.reader import RECONNECTING, AudioStream, ReconnectPolicy
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
    stream = AudioStream(resolve(icecast.url), policy=FAST)
    ended_after = None
    t0 = time.monotonic()
    for chunk in stream.chunks():
        if chunk.end_s >= 2.0 and ended_after is None:
            icecast.drop(down_for_s=60.0)
            ended_after = time.monotonic()
    assert ended_after is not None
    assert time.monotonic() - t0 < 20.0  # gave up within the policy, did not hang


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
