"""The Streams wall shows recordings that Celery workers run (any machine, one library) with
their worker, state and lag, and Stop leaves a stop request their worker honours."""

from __future__ import annotations

from ui.streams_view import HOST, LAG, NAME, STATE


def cell(view, row: int, column: int) -> str:
    return view.proxy.index(row, column).data()


def test_the_wall_shows_a_workers_recording_and_asks_its_worker_to_stop_it(window, qtbot):
    library = window.library
    record = library.recordings.create(
        url="http://radio.example/live", mode="monitor", title="Far FM",
        task_id="task-1", worker="worker-7@rack2",
    )  # fmt: skip
    library.recordings.heartbeat(record.id, 600.0, lag_s=42.0)
    wall = window.streams_view
    wall.refresh_remote()
    qtbot.waitUntil(lambda: wall.model.rowCount() == 1, timeout=10_000)
    assert (cell(wall, 0, NAME), cell(wall, 0, HOST)) == ("Far FM", "worker-7@rack2")
    assert (cell(wall, 0, STATE), cell(wall, 0, LAG)) == ("Behind", "42")

    wall.table.selectAll()
    wall._stop()
    qtbot.waitUntil(
        lambda: library.recordings.stop_requested([record.id]) == {record.id}, timeout=10_000
    )
    assert cell(wall, 0, STATE) == "Stopping"

    library.recordings.finish(record.id, "complete")  # the worker stopped it
    wall.refresh_remote()
    qtbot.waitUntil(lambda: wall.model.rowCount() == 0, timeout=10_000)
