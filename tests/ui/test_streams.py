"""The Streams wall: several sources recorded at once from the Sources tab, followed, sorted,
opened and stopped from one table."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ui.live_view import LiveView
from ui.streams_view import NAME, STATE

pytestmark = pytest.mark.slow


def cell(view, row: int, column: int) -> str:
    return view.proxy.index(row, column).data()


def test_record_two_sources_at_once_and_follow_them_on_the_wall(
    window, qtbot, icecast, second_station
):
    library = window.library
    library.sources.upsert(url=icecast.url, name="Station A")
    library.sources.upsert(url=second_station.url, name="Station B")
    window.sources_view.refresh()
    sources = window.sources_view
    qtbot.waitUntil(lambda: sources.table.rowCount() == 2, timeout=10_000)
    window.tabs.setCurrentWidget(sources)
    sources.table.selectAll()
    sources._record()

    wall = window.streams_view
    assert window.tabs.currentWidget() is sources  # several: they start in the background
    qtbot.waitUntil(lambda: wall.model.rowCount() == 2, timeout=60_000)
    assert {row.mode for row in wall.model.rows} == {"monitor"}
    qtbot.waitUntil(lambda: all(row.last_line for row in wall.model.rows), timeout=90_000)
    wall.table.sortByColumn(NAME, Qt.SortOrder.DescendingOrder)
    assert [cell(wall, r, NAME) for r in range(2)] == ["Station B", "Station A"]
    wall.table.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
    assert cell(wall, 0, STATE) in ("Live", "Connecting")

    # Open: the first row's own tab; Stop: only the selected session ends.
    wall.table.selectRow(0)
    wall._open()
    opened = window.tabs.currentWidget()
    assert isinstance(opened, LiveView) and opened.recording_id == wall.selected_ids()[0]
    wall._stop()
    qtbot.waitUntil(lambda: cell(wall, 0, STATE) == "Ended", timeout=60_000)
    assert cell(wall, 1, STATE) != "Ended"

    by_name = {r.title: r for r in library.recordings.list()}

    def text_of(name: str) -> str:
        segments = library.segments.for_recording(by_name[name].id)
        return " ".join(s.text for s in segments).lower()

    for view in [v for v in window.sessions if isinstance(v, LiveView)]:
        view.stop_button.click()
    qtbot.waitUntil(
        lambda: all(row.state in ("Ended", "Failed") for row in wall.model.rows), timeout=60_000
    )
    # each its own words, nothing of the other station's
    text_a, text_b = text_of("Station A"), text_of("Station B")
    assert any(w in text_a for w in ("morning", "welcome", "library")), text_a
    assert any(w in text_b for w in ("farmers", "drought", "summer")), text_b
    assert not any(w in text_a for w in ("farmers", "drought"))
    assert not any(w in text_b for w in ("library", "mayor", "welcome"))
