"""The desktop app, driven like a user would (pytest-qt, offscreen)."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QTimer

from ui.live_view import LiveView
from ui.new_recording import NewRecordingDialog
from ui.recording_view import RecordingView


class StallMeter:
    """Measures how late a 10 ms timer fires: the longest the event loop was blocked."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.last = None
        self.worst = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        if self.last is not None:
            self.worst = max(self.worst, now - self.last - 0.010)
        self.last = now

    def start(self) -> None:
        self.last = None
        self.timer.start()


@pytest.mark.slow
def test_monitor_a_stream_then_find_it_in_the_library(
    window, qtbot, hls_stream, capsys, tuned_as_the_app
):
    dialog = NewRecordingDialog(window)
    dialog.url.setText(hls_stream.url)
    dialog.name.setText("Loopback news")
    dialog.mode.setCurrentIndex(1)  # monitor
    job = dialog.build_job()
    assert job.mode == "monitor" and job.name == "Loopback news"

    meter = StallMeter()
    meter.start()
    view = window.start_recording(job)
    assert isinstance(window.tabs.currentWidget(), LiveView)
    qtbot.waitUntil(lambda: "library budget" in view.transcript_text().lower(), timeout=90_000)
    assert "Live" in view.state.text() or "Ended" in view.state.text()
    view.stop_button.click()
    qtbot.waitUntil(lambda: view.ended, timeout=60_000)
    meter.timer.stop()
    with capsys.disabled():
        print(f"\nGUI event-loop worst stall during the session: {meter.worst * 1000:.0f} ms")
    assert meter.worst < 0.25

    library = window.library_view
    qtbot.waitUntil(
        lambda: (
            library.model.rowCount() == 1 and library.model.recording_at(0).status == "complete"
        ),
        timeout=10_000,
    )
    assert library.model.recording_at(0).title == "Loopback news"

    window.focus_search()
    library.search_box.setText('"library budget"')
    library._search()
    qtbot.waitUntil(lambda: library.hits.count() == 1, timeout=10_000)
    item = library.hits.item(0)
    library.hits.itemDoubleClicked.emit(item)
    qtbot.waitUntil(lambda: isinstance(window.tabs.currentWidget(), RecordingView), timeout=10_000)
    opened = window.tabs.currentWidget()
    row = opened.current_row
    assert row >= 0 and "library budget" in opened.segments[row].text.lower()


def test_unreachable_url_shows_an_error_and_the_app_stays_usable(window, qtbot):
    dialog = NewRecordingDialog(window)
    dialog.url.setText("http://127.0.0.1:9/radio.mp3")
    window.start_recording(dialog.build_job())
    qtbot.waitUntil(lambda: "refused" in window.banner.message, timeout=30_000)
    window.refresh_library()
    window.search("anything")
    qtbot.waitUntil(lambda: not window.library_view.hits_box.isHidden(), timeout=10_000)
    assert "No matches" in window.library_view.hits_label.text()


def test_new_recording_dialog_explains_bad_input(qtbot):
    dialog = NewRecordingDialog()
    qtbot.addWidget(dialog)
    dialog._accept()
    assert "Enter the address" in dialog.problem.text()
    dialog.url.setText("http://x/y.m3u8")
    dialog.duration.setText("soon")
    dialog._accept()
    assert "duration" in dialog.problem.text()
    assert dialog.job is None


def test_recording_view_jumps_to_the_segment_playing_at_a_time(qtbot, tmp_path):
    from storage import Library

    lib = Library(f"sqlite:///{tmp_path / 'l.db'}")
    rid = lib.recordings.create(url="u", mode="live", title="T").id
    for i in range(50):
        lib.segments.save(rid, start_s=i * 10.0, end_s=i * 10.0 + 8, text=f"segment {i}")
    view = RecordingView(lib.recordings.get(rid), lib.segments.for_recording(rid))
    qtbot.addWidget(view)
    view.jump_to(123.0)
    assert view.current_row == 12
    view.jump_to(0.0)
    assert view.current_row == 0
