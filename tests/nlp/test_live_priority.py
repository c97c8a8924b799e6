"""Background analyses step aside while the watched stream decodes (`nlp.live_priority`)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from nlp.live_priority import (
    BACKGROUND_NICENESS,
    is_background,
    live_decode,
    live_decoding,
    pause_for_live,
    run_in_background,
)


def in_thread(target) -> dict:
    """Run `target` in a new thread; its result (or error) lands in the returned dict."""
    out: dict = {}

    def run() -> None:
        try:
            out["result"] = target()
        except BaseException as exc:  # pragma: no cover - reported by the test
            out["error"] = exc
        out["done_at"] = time.monotonic()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    out["thread"] = thread
    return out


def background_pause(max_wait_s: float = 5.0) -> float:
    run_in_background()
    return pause_for_live(max_wait_s)


def test_a_background_thread_waits_for_the_live_decode_to_end():
    with live_decode():
        assert live_decoding()
        waiting = in_thread(background_pause)
        time.sleep(0.3)
        assert "done_at" not in waiting  # still held while the decode runs
        ended_at = time.monotonic()
    waiting["thread"].join(5)
    assert not live_decoding()
    assert waiting["done_at"] >= ended_at
    assert waiting["done_at"] - ended_at < 0.5  # woken when it ends, not at its timeout
    assert waiting["result"] >= 0.3


def test_only_background_threads_wait():
    with live_decode():
        started = time.monotonic()
        assert pause_for_live(5.0) == 0.0  # this thread is not marked
        assert time.monotonic() - started < 0.1
        other = in_thread(lambda: pause_for_live(5.0))
        other["thread"].join(1)
        assert other["result"] == 0.0
    assert not is_background()


def test_a_pause_is_bounded_when_live_decoding_never_stops():
    with live_decode():
        waiting = in_thread(lambda: background_pause(0.3))
        waiting["thread"].join(3)
        assert 0.25 <= waiting["result"] < 1.5  # gone ahead, though the decode still runs


def test_no_wait_without_a_live_decode():
    done = in_thread(background_pause)
    done["thread"].join(1)
    assert done["result"] < 0.1


def test_overlapping_live_decodes_hold_background_work_until_the_last_ends():
    first, second = threading.Event(), threading.Event()

    def decode(release: threading.Event) -> None:
        with live_decode():
            release.wait(5)

    a, b = in_thread(lambda: decode(first)), in_thread(lambda: decode(second))
    while not live_decoding():
        time.sleep(0.01)
    time.sleep(0.05)
    waiting = in_thread(background_pause)
    first.set()
    a["thread"].join(2)
    time.sleep(0.2)
    assert "done_at" not in waiting  # the second decode still runs
    second.set()
    b["thread"].join(2)
    waiting["thread"].join(2)
    assert "done_at" in waiting


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux's /proc")
def test_background_threads_run_at_a_lower_priority_and_only_they():
    niceness = in_thread(
        lambda: (run_in_background(), os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
    )
    niceness["thread"].join(2)
    base = os.getpriority(os.PRIO_PROCESS, 0)
    assert niceness["result"][1] == max(base, BACKGROUND_NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == base
