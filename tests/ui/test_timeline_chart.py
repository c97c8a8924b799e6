"""The recording's activity chart draws hours of chat at pixel resolution: a flag tick where a
flagged message is, bars and the speech line at one value per pixel column (the busiest bucket
of the column), so nothing tall disappears when thousands of buckets share a few hundred
pixels."""

from __future__ import annotations

from PySide6.QtGui import QImage

from app.recording_contents import count_activity
from ui.charts import CHAT_COLOR, FLAG_COLOR, TimelineChart

SIX_HOURS = 6 * 3600.0


def six_hours(chat, speech=()) -> TimelineChart:
    chart = TimelineChart(bucket_s=10.0)
    chart.resize(620, 100)
    chart.set_timeline(count_activity(10.0, chat, speech, [], SIX_HOURS))
    return chart


def colour_at(image: QImage, x: int, y: int):
    return image.pixelColor(x, y).rgb()


def test_flag_ticks_stand_where_flagged_messages_are_and_nowhere_else(qtbot):
    flagged_at = [3600.0, 3601.0, 3602.5, 14400.0]  # three in one pixel column, one apart
    chart = six_hours([(t, True) for t in flagged_at] + [(7200.0, False)])
    qtbot.addWidget(chart)
    image = chart.grab().toImage()
    plot = chart._plot()
    tick_row = int(plot.top()) + 4
    ticks = [x for x in range(chart.width()) if colour_at(image, x, tick_row) == FLAG_COLOR.rgb()]
    expected = {round(chart._x_of(t)) for t in (3600.0, 14400.0)}
    assert ticks and {min(abs(x - e) for e in expected) for x in ticks} <= {0, 1}
    assert all(any(abs(x - e) <= 1 for x in ticks) for e in expected)
    assert len(chart._flag_ticks(plot, SIX_HOURS)) == 2  # one per column, not one per flag


def test_a_busy_bucket_keeps_its_full_height_among_quiet_neighbours(qtbot):
    """2,160 buckets over ~600 pixels: the busiest bucket's bar is the tallest bar drawn, and
    the bars are at most one per pixel column."""
    chat = [(t * 10.0 + 1, False) for t in range(2160)]  # one message in every bucket
    chat += [(5005.0, False)] * 40  # and one bucket with 41
    chart = six_hours(chat, speech=[(15000.0, 15009.0, 90), (100.0, 109.0, 9)])
    qtbot.addWidget(chart)
    plot = chart._plot()
    bars = chart._chat_bars(plot, plot.width() / 2160, 41)
    assert len(bars) <= plot.width() + 1
    tallest = max(bars, key=lambda bar: bar.height())
    assert abs(tallest.height() - (plot.height() - 4)) < 1e-6
    assert abs(tallest.left() - round(chart._x_of(5000.0))) <= 1
    image = chart.grab().toImage()
    x = round(tallest.left())
    assert colour_at(image, x, int(plot.top()) + 6) == CHAT_COLOR.rgb()  # reaches the top
    line = chart._speech_line(plot, 2160, 90)
    assert line.size() <= plot.width() + 1
    top_point = min((line.at(i) for i in range(line.size())), key=lambda p: p.y())
    assert abs(top_point.y() - (plot.bottom() - (plot.height() - 4))) < 1e-6
    assert abs(top_point.x() - chart._x_of(15005.0)) <= 1.5
