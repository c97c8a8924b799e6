"""The one place long tasks leave the GUI thread (after superqt/napari workers).

A `Worker` is a `QRunnable` that *has* a signals object. The function it runs may accept an
`abort` callable to poll, so cancelling is cooperative; results and errors come back as
signals, which Qt delivers on the GUI thread.
"""

from __future__ import annotations

import inspect
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.errors import USER_ERRORS

log = logging.getLogger(__name__)


class WorkerSignals(QObject):
    started = Signal()
    progress = Signal(object)
    returned = Signal(object)
    errored = Signal(str)  # a sentence for the user
    finished = Signal()


class Worker(QRunnable):
    def __init__(self, fn: Callable[..., Any], *args, **kwargs) -> None:
        super().__init__()
        self.keeps_priority = False  # set by `start_at_full_priority`
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.signals = WorkerSignals()
        self._abort = threading.Event()
        self.setAutoDelete(False)
        parameters = inspect.signature(fn).parameters
        if "abort" in parameters:
            self.kwargs["abort"] = self._abort.is_set
        if "report" in parameters:
            self.kwargs["report"] = self.signals.progress.emit

    def cancel(self) -> None:
        self._abort.set()

    def run(self) -> None:
        if not self.keeps_priority:
            yield_cpu_to_the_window()
        self._emit("started")
        try:
            result = self.fn(*self.args, **self.kwargs)
        except USER_ERRORS as exc:
            self._emit("errored", str(exc))
        except Exception as exc:
            log.exception("Background task failed")
            self._emit("errored", f"Something went wrong: {exc.__class__.__name__}: {exc}")
        else:
            self._emit("returned", result)
        finally:
            self._emit("finished")

    def _emit(self, name: str, *args) -> None:
        """Report to the GUI thread, unless the app is already gone (a task that ends while
        Python shuts down has nobody left to tell)."""
        try:
            getattr(self.signals, name).emit(*args)
        except RuntimeError:  # "Signal source has been deleted"
            log.debug("Task finished after its receivers were deleted", exc_info=True)


WORKER_NICENESS = 5


def yield_cpu_to_the_window() -> None:
    """Lower this pool thread's CPU priority (Linux schedules threads one by one), once: on
    two busy cores the GUI thread then gets the CPU first whenever it has something to draw.
    Best effort: elsewhere nothing changes."""
    try:
        me = threading.get_native_id()
        if os.getpriority(os.PRIO_PROCESS, me) < WORKER_NICENESS:
            os.setpriority(os.PRIO_PROCESS, me, WORKER_NICENESS)
    except (AttributeError, OSError) as exc:
        log.debug("Cannot lower a worker thread's priority: %s", exc)


_running: set[Worker] = set()


def start(worker: Worker, pool: QThreadPool | None = None) -> Worker:
    """Run `worker` on the pool; keeps it alive until it finishes."""
    _keep_until_finished(worker)
    (pool or QThreadPool.globalInstance()).start(worker)
    return worker


def start_at_full_priority(worker: Worker) -> Worker:
    """Run `worker` on a thread of its own at the caller's priority, not on the pool's
    lowered threads. For a live session: the threads it starts (transcriber, chat readers,
    the decoding service and its model's compute threads) inherit its niceness, which Linux
    keeps per thread and an unprivileged process cannot raise again. On a pool thread the
    watched stream's decoding ran at nice 5, sharing the cores with its own clip analyses
    (nice 10) at 3:1 instead of 9:1. Call it from the GUI thread."""
    worker.keeps_priority = True
    _keep_until_finished(worker)
    thread = threading.Thread(target=worker.run, name="session-start", daemon=True)
    _own_threads[:] = [t for t in _own_threads if t.is_alive()] + [thread]  # ended ones go
    thread.start()
    return worker


_own_threads: list[threading.Thread] = []


def _keep_until_finished(worker: Worker) -> None:
    _running.add(worker)
    worker.signals.finished.connect(lambda: _running.discard(worker))


def finish_all(timeout_s: float = 30.0, pool: QThreadPool | None = None) -> bool:
    """At quit: ask every running worker to stop and wait for the pool to drain.

    A pooled thread still running Python while the interpreter shuts down is killed
    mid-frame, and C++ code on its stack then aborts the whole process ("terminate called
    without an active exception") — after the user's work was saved, but with a crash
    report. Returns False when some worker did not finish in time.
    """
    for worker in list(_running):
        worker.cancel()
    deadline = time.monotonic() + timeout_s
    for thread in list(_own_threads):
        thread.join(max(0.0, deadline - time.monotonic()))
    _own_threads[:] = [t for t in _own_threads if t.is_alive()]
    left_ms = int(max(0.0, deadline - time.monotonic()) * 1000)
    done = (pool or QThreadPool.globalInstance()).waitForDone(left_ms) and not _own_threads
    if not done:
        log.warning("Background tasks still running at quit: %d", len(_running))
    return done
