"""The Trends tab draws what it finds: mentions per day of the selected trends, split by state
or station, and a searched name's mentions over time."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, QItemSelectionModel, QPoint
from PySide6.QtGui import QColor, QPalette
from PySide6.QtTest import QTest

from tests.app.helpers import add_week_with_a_new_story, open_library
from tests.app.test_timelines import JULY, add_flood_days
from ui.line_chart import LineChart
from ui.trends_view import TrendsView

WEEK = [date(2024, 7, d) for d in range(1, 9)]
NEW_STORY = [0, 0, 0, 0, 0, 4, 4, 4]  # four segments a day say it from the 6th on


@pytest.fixture
def view(qtbot, tmp_path):
    library = open_library(tmp_path)
    widget = TrendsView(library)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    yield widget
    library.close()


def counts(chart: LineChart, line: str) -> list[int | None]:
    return [count for _, count in chart.series[line]]


def find_trends_since_the_6th(view: TrendsView, qtbot) -> None:
    view.use_since.setChecked(True)
    view.since.setDate(QDate(2024, 7, 6))
    view.find_button.click()
    qtbot.waitUntil(lambda: view.tree.topLevelItemCount() > 1, timeout=30_000)


def test_the_top_trend_is_charted_and_a_second_selected_trend_adds_a_line(view, qtbot):
    add_week_with_a_new_story(view.library)
    find_trends_since_the_6th(view, qtbot)
    top, second = view.tree.topLevelItem(0), view.tree.topLevelItem(1)
    qtbot.waitUntil(lambda: list(view.chart.series) == [top.text(0)], timeout=10_000)
    assert "bridge collapse" in top.text(0)
    assert view.chart.days == WEEK and counts(view.chart, top.text(0)) == NEW_STORY

    view.tree.selectionModel().select(
        view.tree.indexFromItem(second), QItemSelectionModel.SelectionFlag.Select
    )
    qtbot.waitUntil(lambda: len(view.chart.series) == 2, timeout=10_000)
    assert list(view.chart.series) == [top.text(0), second.text(0)]  # the current one first
    assert counts(view.chart, second.text(0)) == NEW_STORY
    assert not view.chart.grab().isNull()

    view.tree.setCurrentItem(top.child(0))  # a moment stands for its trend
    qtbot.waitUntil(lambda: list(view.chart.series) == [top.text(0)], timeout=10_000)
    view.tree.clearSelection()
    qtbot.waitUntil(lambda: not view.chart.series, timeout=10_000)


def test_split_by_state_shows_one_line_per_state(view, qtbot):
    add_flood_days(view.library)
    view.terms.setText("flood")
    view.terms.returnPressed.emit()
    qtbot.waitUntil(lambda: "flood" in view.chart.series, timeout=10_000)
    assert counts(view.chart, "flood") == [5, 0, None, None, 3]
    assert view.chart.unrecorded == {date(2024, 7, 3), date(2024, 7, 4)}
    model = view.split.model()
    assert [model.item(i).isEnabled() for i in range(3)] == [True, True, True]

    view.split.setCurrentIndex(view.split.findText("state"))
    qtbot.waitUntil(lambda: "OK" in view.chart.series, timeout=10_000)
    assert view.chart.days == JULY
    assert {line: counts(view.chart, line) for line in view.chart.series} == {
        "OK": [3, None, None, None, 1],
        "AL": [2, 0, None, None, None],
        "no state": [None, None, None, None, 2],
    }
    assert view.chart.describe_day(0).splitlines() == [
        "Mon 2024-07-01",
        "OK: 3",
        "AL: 2",
        "no state: — (nothing recorded)",
    ]
    assert view.chart.describe_day(2).splitlines()[1] == "nothing recorded"
    assert not view.grab().isNull()


def test_a_library_without_states_offers_no_split_by_state(view, qtbot):
    add_week_with_a_new_story(view.library)
    find_trends_since_the_6th(view, qtbot)
    model = view.split.model()
    assert view.split.isEnabled()
    assert [model.item(i).isEnabled() for i in range(3)] == [True, False, True]
    view.split.setCurrentIndex(view.split.findText("station"))  # each day its own station
    qtbot.waitUntil(lambda: "other" in view.chart.series, timeout=10_000)
    assert len(view.chart.series) == 7 and view.chart.totals()["other"] == 0
    assert sum(view.chart.totals().values()) == 12


def test_who_is_mentioned_where_charts_the_names_mentions_per_day(view, qtbot):
    ids = add_flood_days(view.library)

    def flagler(mentions: int) -> list[dict]:
        return [
            {
                "scope": "recording",
                "start_s": 0.0,
                "end_s": 20.0,
                "name": "Flagler County",
                "kind": "GPE",
                "mentions": mentions,
                "first_s": 3.0,
            }
        ]

    view.library.entities.replace(ids["wacv-1"], flagler(3))
    view.library.entities.replace(ids["kgwa-1"], flagler(1))
    view.library.entities.replace(ids["talk-5"], flagler(2))
    view.who.setText("flagler")
    view.who.returnPressed.emit()
    qtbot.waitUntil(lambda: view.mentions.topLevelItemCount() == 3, timeout=10_000)
    assert counts(view.mention_chart, "flagler") == [4, 0, None, None, 2]
    assert not view.mention_chart.grab().isNull()
    view.who.setText("nobody here")
    view.who.returnPressed.emit()
    qtbot.waitUntil(lambda: not view.mention_chart.series, timeout=10_000)


def test_the_chart_reads_out_the_day_under_the_mouse_and_paints_in_a_dark_palette(view, qtbot):
    add_flood_days(view.library)
    view.chart_terms(["flood", "bridge collapse"])
    qtbot.waitUntil(lambda: len(view.chart.series) == 2, timeout=10_000)
    chart = view.chart
    last = QPoint(chart.width() - 9, chart.height() // 2)  # the right edge: the last day
    QTest.mouseMove(chart, last)
    qtbot.waitUntil(lambda: chart.hover_index == 4, timeout=5_000)
    assert chart.describe_day(4).splitlines() == [
        "Fri 2024-07-05",
        "flood: 3",
        "bridge collapse: 1",
    ]
    assert not chart.grab().isNull()

    dark = QPalette(chart.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor(30, 30, 30))
    dark.setColor(QPalette.ColorRole.WindowText, QColor(230, 230, 230))
    chart.setPalette(dark)
    assert chart.color("flood").lightness() > LineChart().color("flood").lightness()
    image = chart.grab().toImage()
    assert image.pixelColor(2, 2) == QColor(30, 30, 30)  # the dark base, not a white box
