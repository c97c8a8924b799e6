"""Background tasks of the window: results come back on the GUI thread, and the pool's
threads give the CPU to the GUI thread first."""

from __future__ import annotations

import os
import threading

from ui import workers


def test_a_background_task_runs_below_the_windows_priority_and_reports_back(qtbot):
    def niceness_here() -> tuple[int, int]:
        return threading.get_native_id(), os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    gui_before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    worker = workers.Worker(niceness_here)
    results = []
    worker.signals.returned.connect(results.append)
    with qtbot.waitSignal(worker.signals.finished, timeout=10_000):
        workers.start(worker)
    qtbot.waitUntil(lambda: bool(results))
    ((thread, niceness),) = results
    assert thread != threading.get_native_id()
    assert niceness == max(gui_before, workers.WORKER_NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == gui_before


def test_a_task_at_full_priority_and_the_threads_it_starts_keep_the_callers_niceness(qtbot):
    def niceness_of_a_thread_started_here() -> tuple[int, int]:
        seen = []
        child = threading.Thread(
            target=lambda: seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        )
        child.start()
        child.join()
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), seen[0]

    gui = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    results = []
    for start in (workers.start, workers.start_at_full_priority):
        worker = workers.Worker(niceness_of_a_thread_started_here)
        worker.signals.returned.connect(results.append)
        with qtbot.waitSignal(worker.signals.finished, timeout=10_000):
            start(worker)
    qtbot.waitUntil(lambda: len(results) == 2)
    lowered = max(gui, workers.WORKER_NICENESS)
    assert results == [(lowered, lowered), (gui, gui)]
    assert workers.finish_all(timeout_s=5)


def test_a_failing_task_reports_a_sentence_not_a_traceback(qtbot):
    def broken() -> None:
        raise ValueError("the archive ends mid-frame")

    worker = workers.Worker(broken)
    errors = []
    worker.signals.errored.connect(errors.append)
    with qtbot.waitSignal(worker.signals.finished, timeout=10_000):
        workers.start(worker)
    qtbot.waitUntil(lambda: bool(errors))
    assert errors == ["Something went wrong: ValueError: the archive ends mid-frame"]


def test_the_app_tunes_python_for_a_responsive_window(qapp):
    """The GUI thread waits at most a millisecond for the GIL after each drawing call, and
    what start-up loaded is out of the collector's full passes."""
    import gc
    import sys

    from ui.app import GUI_SWITCH_INTERVAL_S, keep_gui_thread_responsive

    before = sys.getswitchinterval()
    try:
        keep_gui_thread_responsive()
        assert sys.getswitchinterval() == GUI_SWITCH_INTERVAL_S < before
        assert gc.get_freeze_count() > 10_000
    finally:
        sys.setswitchinterval(before)
        gc.unfreeze()
