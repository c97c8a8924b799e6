"""The one place long tasks leave the GUI thread (after superqt/napari workers).

A `Worker` is a `QRunnable` that *has* a signals object. The function it runs may accept an
`abort` callable to poll, so cancelling is cooperative; results and errors come back as
signals, which Qt delivers on the GUI thread.
"""

from __future__ import annotations

import inspect
import logging
import threading
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
        self.signals.started.emit()
        try:
            result = self.fn(*self.args, **self.kwargs)
        except USER_ERRORS as exc:
            self.signals.errored.emit(str(exc))
        except Exception as exc:
            log.exception("Background task failed")
            self.signals.errored.emit(f"Something went wrong: {exc.__class__.__name__}: {exc}")
        else:
            self.signals.returned.emit(result)
        finally:
            self.signals.finished.emit()


_running: set[Worker] = set()


def start(worker: Worker, pool: QThreadPool | None = None) -> Worker:
    """Run `worker` on the pool; keeps it alive until it finishes."""
    _running.add(worker)
    worker.signals.finished.connect(lambda: _running.discard(worker))
    (pool or QThreadPool.globalInstance()).start(worker)
    return worker
