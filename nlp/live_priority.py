"""Background analyses step aside while the watched stream decodes.

A `live` stream's words must commit within about 3 s, and each re-decode of its current
utterance takes 0.6-1.1 s on this 2-core machine (`benchmarks/demo_latency.py`). Lowering
the priority of the threads that analyse its clips (nice 10) does not keep them off the
CPU: Linux still runs a nice-10 thread whenever a core is free for a moment, and one
measurement (live stream beside 4 monitored ones, 20-s clip analyses) put the live p95 at
3.2-3.4 s against 2.6 s without the analyses; a later same-hour comparison with and
without the pause below could not tell them apart (p95 2.3-2.5 s).

So work that can come a few seconds later marks its thread `background`
(`run_in_background`), and the loops that do its heavy lifting (each ONNX batch, each
clip) call `pause_for_live()` between steps: while a live decode runs, a background thread
waits for it to end. The wait is bounded (`MAX_PAUSE_S`), so a machine that decodes live
without a break still gets its summaries, later. Threads not marked never wait.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

BACKGROUND_NICENESS = 10
# The longest one pause lasts: longer than a live decode here (0.6-1.1 s), so a background
# step that waited this long goes ahead (a summary late by seconds, not never).
MAX_PAUSE_S = 2.0

_condition = threading.Condition()
_live_decodes = 0  # live decodes running now, in this process
_this_thread = threading.local()


@contextmanager
def live_decode() -> Iterator[None]:
    """Wrap a live stream's decode: background threads pause until it ends."""
    global _live_decodes
    with _condition:
        _live_decodes += 1
    try:
        yield
    finally:
        with _condition:
            _live_decodes -= 1
            if _live_decodes == 0:
                _condition.notify_all()


def live_decoding() -> bool:
    """Whether a live decode is running now."""
    with _condition:
        return _live_decodes > 0


def run_in_background(niceness: int = BACKGROUND_NICENESS) -> None:
    """Mark this thread as background work: it runs at `niceness` (or lower priority; a
    thread's ONNX Runtime workers created from now on inherit it) and its
    `pause_for_live()` calls wait for live decodes."""
    _this_thread.background = True
    lower_this_threads_priority(niceness)


def lower_this_threads_priority(niceness: int) -> None:
    """This thread (and the threads it creates from now on) at `niceness` or lower
    priority. Best effort: elsewhere nothing changes."""
    try:
        me = threading.get_native_id()
        if os.getpriority(os.PRIO_PROCESS, me) < niceness:
            os.setpriority(os.PRIO_PROCESS, me, niceness)
    except (AttributeError, OSError) as exc:
        log.debug("Cannot lower this thread's priority: %s", exc)


def is_background() -> bool:
    return getattr(_this_thread, "background", False)


def pause_for_live(max_wait_s: float = MAX_PAUSE_S) -> float:
    """In a background thread, wait while a live decode runs (at most `max_wait_s`);
    elsewhere return at once. Returns the seconds waited."""
    if not is_background():
        return 0.0
    started = time.monotonic()
    with _condition:
        _condition.wait_for(lambda: _live_decodes == 0, timeout=max_wait_s)
    return time.monotonic() - started
