"""The library table: every column sorts by its value, the sort survives a refresh and a
restart, and an empty library greets the user with what to do first."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import Qt

from app.config import Settings
from app.services import open_library
from ui.library_model import COLUMNS
from ui.main_window import MainWindow

# Started dates of imported WavePulse shows, in the order they were imported (the order that
# the broken sort left on screen): sorting must not keep it.
STARTS = [
    datetime(2024, 7, 11, 6),
    datetime(2024, 7, 10, 18),
    datetime(2024, 7, 31, 9),
    datetime(2024, 6, 28, 12),
    datetime(2024, 7, 10, 7),
]
DURATIONS = [3600.0, 95.0, 600.0, 7200.5, 9.0]  # as text "1:00:00" < "0:01:35" would lie
SEGMENTS = [12, 9, 100, 0, 3]  # as text "100" < "12" < "9"
TITLES = ["b show", None, "Alpha show", "c show", "Beta show"]


def settings_in(folder) -> Settings:
    return Settings(
        data_dir=folder / "data",
        db_url=f"sqlite:///{folder / 'library.db'}",
        cache_dir=folder / "cache",
    )


def fill(library) -> list[int]:
    ids = []
    for i, started in enumerate(STARTS):
        rid = library.recordings.create(
            url=f"http://radio/{i}", mode="import", title=TITLES[i], started_at=started
        ).id
        library.recordings.update(rid, duration_s=DURATIONS[i], status="complete")
        for n in range(SEGMENTS[i]):
            library.segments.save(rid, start_s=n * 2.0, end_s=n * 2.0 + 1, text=f"words {n}")
        ids.append(rid)
    return ids


@pytest.fixture
def filled_window(qtbot, tmp_path):
    settings = settings_in(tmp_path)
    library = open_library(settings)
    ids = fill(library)
    win = MainWindow(settings, library, run_schedules=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.library_view.proxy.rowCount() == len(ids), timeout=10_000)
    yield win, ids
    win.close()
    library.close()


def shown_ids(view) -> list[int]:
    proxy = view.proxy
    return [int(proxy.index(r, 0).data()) for r in range(proxy.rowCount())]


def expected_order(ids, values, descending=False):
    """Ids ordered by `values`, rows without a value last (either direction)."""
    present = sorted(
        (i for i, v in zip(ids, values, strict=True) if v is not None),
        key=lambda i: values[ids.index(i)],
        reverse=descending,
    )
    return present + [i for i, v in zip(ids, values, strict=True) if v is None]


def test_the_first_window_opens_newest_first(filled_window):
    win, ids = filled_window
    header = win.library_view.table.horizontalHeader()
    assert header.sortIndicatorSection() == COLUMNS.index("Started (UTC)")
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert shown_ids(win.library_view) == expected_order(ids, STARTS, descending=True)


@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("Started (UTC)", STARTS),  # dates as dates
        ("Duration", DURATIONS),  # seconds as numbers, not "h:mm:ss" text
        ("Segments", SEGMENTS),  # counts as numbers
        ("ID", None),
        ("Title", [t.casefold() if t else None for t in TITLES]),  # no title goes last
    ],
)
@pytest.mark.parametrize("descending", [False, True])
def test_each_column_sorts_by_its_value(filled_window, column, values, descending):
    win, ids = filled_window
    values = values if values is not None else ids
    order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
    win.library_view.table.sortByColumn(COLUMNS.index(column), order)
    assert shown_ids(win.library_view) == expected_order(ids, values, descending)


def test_the_sort_survives_a_refresh_and_a_restart(filled_window, qtbot, tmp_path):
    win, ids = filled_window
    column = COLUMNS.index("Duration")
    win.library_view.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    by_duration = expected_order(ids, DURATIONS)
    # A refresh brings a new recording (the longest): it lands where its value says.
    longest = win.library.recordings.create(
        url="http://radio/new", mode="import", started_at=datetime(2024, 8, 1)
    ).id
    win.library.recordings.update(longest, duration_s=99_999.0)
    win.refresh_library()
    qtbot.waitUntil(lambda: win.library_view.proxy.rowCount() == len(ids) + 1, timeout=10_000)
    assert shown_ids(win.library_view) == [*by_duration, longest]
    win.close()

    again = MainWindow(win.settings, win.library, run_schedules=False)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitUntil(lambda: again.library_view.proxy.rowCount() == len(ids) + 1, timeout=10_000)
    header = again.library_view.table.horizontalHeader()
    assert header.sortIndicatorSection() == column
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    assert shown_ids(again.library_view) == [*by_duration, longest]
    again.close()


def test_an_empty_library_shows_what_to_do_first(window, qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.import_dialog import ImportDialog
    from ui.settings_dialog import SettingsDialog
    from ui.sources_view import AddSourceDialog

    view = window.library_view
    qtbot.waitUntil(lambda: view.showing_welcome, timeout=10_000)
    assert set(view.first_step_buttons) == {
        "Start the demo",
        "Add a source",
        "Import an archive",
        "Open Settings",
    }
    with qtbot.waitSignal(view.demo_requested, timeout=1000):
        view.first_step_buttons["Start the demo"].click()

    view.first_step_buttons["Open Settings"].click()
    assert any(isinstance(w, SettingsDialog) and w.isVisible() for w in window.children())
    view.first_step_buttons["Import an archive"].click()
    assert any(isinstance(w, ImportDialog) and w.isVisible() for w in window.children())

    seen = []

    def close_add_dialog() -> None:  # the dialog is modal: answer it as a user would
        dialog = QApplication.activeModalWidget()
        seen.append(type(dialog))
        dialog.reject()

    QTimer.singleShot(200, close_add_dialog)
    view.first_step_buttons["Add a source"].click()
    assert seen == [AddSourceDialog]
    assert window.tabs.currentWidget() is window.sources_view

    window.library.recordings.create(url="http://radio/1", mode="import")
    window.refresh_library()
    qtbot.waitUntil(lambda: not view.showing_welcome, timeout=10_000)
    assert view.table.isVisibleTo(view)
