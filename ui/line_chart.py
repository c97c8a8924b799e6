"""A painted line chart of counts per day: mentions of terms, or of one term per state or
station, over the library's span (an `app.timelines.Timeline`).

Painted with QPainter like `ui.charts` (PySide6-Essentials has no QtCharts). Text, axes and
grid take the palette's colours, and the line colours are lightened on a dark base, so the
chart reads in light and dark themes. Days on which nothing was recorded are shaded and the
lines break there (see `app.timelines` for why that is not a zero). Hovering shows the day and
each line's count.
"""

from __future__ import annotations

import math
from datetime import date

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.timelines import OTHER, DayCount, Timeline

# Tableau 10 without its yellow (unreadable on white), in the order lines get them.
LINE_COLORS = [
    QColor(78, 121, 167),
    QColor(242, 142, 43),
    QColor(225, 87, 89),
    QColor(118, 183, 178),
    QColor(89, 161, 79),
    QColor(176, 122, 161),
    QColor(156, 117, 95),
    QColor(255, 157, 167),
]
OTHER_COLOR = QColor(150, 150, 150)
DOTS_UP_TO_DAYS = 62  # beyond about two months, dots on every day would blur the line
MARGIN = 8
SWATCH = 12


class LineChart(QWidget):
    """Counts per day, one coloured line per series, with a legend and a hover read-out.

    `series`, `days` and `unrecorded` hold what is drawn, so a test (or a caller) can read the
    counts without looking at pixels.
    """

    def __init__(self, placeholder: str = "", parent=None) -> None:
        super().__init__(parent)
        self.placeholder = placeholder
        self.title = ""
        self.days: list[date] = []
        self.series: dict[str, list[DayCount]] = {}
        self.unrecorded: frozenset[date] = frozenset()
        self.hover_index: int | None = None
        self.setMinimumHeight(200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)

    # --- data ------------------------------------------------------------------------------

    def set_timeline(self, timeline: Timeline | None) -> None:
        self.title = timeline.title if timeline else ""
        self.days = list(timeline.days) if timeline else []
        self.series = dict(timeline.series) if timeline else {}
        self.unrecorded = timeline.unrecorded if timeline else frozenset()
        self.hover_index = None
        self.update()

    def clear(self, placeholder: str | None = None) -> None:
        if placeholder is not None:
            self.placeholder = placeholder
        self.set_timeline(None)

    def totals(self) -> dict[str, int]:
        return {name: sum(c or 0 for _, c in points) for name, points in self.series.items()}

    def color(self, name: str) -> QColor:
        """A line's colour: fixed by its place in the legend, lighter on a dark base."""
        if name == OTHER:
            base = OTHER_COLOR
        else:
            index = list(self.series).index(name) if name in self.series else 0
            base = LINE_COLORS[index % len(LINE_COLORS)]
        return base.lighter(135) if self._dark() else base

    def describe_day(self, index: int) -> str:
        """The hover read-out for one day: the date, then each line's count."""
        day = self.days[index]
        head = f"{day:%a %Y-%m-%d}"
        if day in self.unrecorded:
            return f"{head}\nnothing recorded"
        rows = []
        for name, points in self.series.items():
            count = points[index][1]
            rows.append(f"{name}: {'— (nothing recorded)' if count is None else count}")
        return "\n".join([head, *rows])

    # --- geometry --------------------------------------------------------------------------

    def _dark(self) -> bool:
        return self.palette().color(QPalette.ColorRole.Base).lightness() < 128

    def _peak(self) -> tuple[int, int]:
        """The y axis' top and its tick step: 1, 2 or 5 times a power of ten, ≤ 5 steps."""
        peak = max((c or 0 for points in self.series.values() for _, c in points), default=0)
        if peak <= 0:
            return 1, 1
        step = 1
        while math.ceil(peak / step) > 5:
            step = _next_step(step)
        return math.ceil(peak / step) * step, step

    def _legend_rows(self, metrics: QFontMetrics, width: float) -> list[list[tuple[str, str]]]:
        """Legend entries (series, label) laid out in rows that fit `width`."""
        rows: list[list[tuple[str, str]]] = [[]]
        used = 0.0
        for name, total in self.totals().items():
            label = f"{name} ({total})"
            needed = SWATCH + 4 + metrics.horizontalAdvance(label) + 16
            if rows[-1] and used + needed > width:
                rows.append([])
                used = 0.0
            rows[-1].append((name, label))
            used += needed
        return rows

    def _plot(self, metrics: QFontMetrics) -> QRectF:
        line = metrics.height()
        legend = len(self._legend_rows(metrics, self.width() - 2 * MARGIN))
        top = MARGIN + line + 4 + legend * (line + 2) + 6
        top_value, _ = self._peak()
        left = MARGIN + metrics.horizontalAdvance(str(top_value)) + 8
        bottom = self.height() - MARGIN - line - 4
        return QRectF(left, top, max(1.0, self.width() - left - MARGIN), max(1.0, bottom - top))

    def _x(self, plot: QRectF, index: int) -> float:
        if len(self.days) <= 1:
            return plot.center().x()
        return plot.left() + index / (len(self.days) - 1) * plot.width()

    def _day_width(self, plot: QRectF) -> float:
        return plot.width() / max(1, len(self.days) - 1)

    def index_at(self, x: float) -> int | None:
        if not self.days:
            return None
        plot = self._plot(QFontMetrics(self.font()))
        if len(self.days) == 1:
            return 0
        index = round((x - plot.left()) / plot.width() * (len(self.days) - 1))
        return max(0, min(len(self.days) - 1, index))

    # --- hover -----------------------------------------------------------------------------

    def mouseMoveEvent(self, event) -> None:
        index = self.index_at(event.position().x())
        if index == self.hover_index:
            return  # the same day: nothing to repaint or say again
        self.hover_index = index
        self.update()
        if index is not None:
            QToolTip.showText(event.globalPosition().toPoint(), self.describe_day(index), self)

    def leaveEvent(self, _event) -> None:
        self.hover_index = None
        QToolTip.hideText()
        self.update()

    # --- painting --------------------------------------------------------------------------

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text_color = palette.color(QPalette.ColorRole.WindowText)
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        metrics = QFontMetrics(self.font())
        if not self.days or not self.series:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.placeholder)
            painter.end()
            return
        plot = self._plot(metrics)
        self._paint_heading(painter, metrics, text_color)
        self._paint_gaps(painter, plot)
        self._paint_axes(painter, metrics, plot, text_color)
        for name, points in self.series.items():
            self._paint_line(painter, plot, points, self.color(name))
        self._paint_hover(painter, plot, text_color)
        painter.end()

    def _paint_heading(self, painter: QPainter, metrics: QFontMetrics, text: QColor) -> None:
        line = metrics.height()
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(text)
        painter.drawText(
            QRectF(MARGIN, MARGIN, self.width() - 2 * MARGIN, line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            self.title,
        )
        font.setBold(False)
        painter.setFont(font)
        y = MARGIN + line + 4
        for row in self._legend_rows(metrics, self.width() - 2 * MARGIN):
            x = float(MARGIN)
            for name, label in row:
                painter.fillRect(
                    QRectF(x, y + (line - SWATCH) / 2, SWATCH, SWATCH), self.color(name)
                )
                x += SWATCH + 4
                width = metrics.horizontalAdvance(label)
                painter.setPen(text)
                painter.drawText(
                    QRectF(x, y, width + 2, line), Qt.AlignmentFlag.AlignVCenter, label
                )
                x += width + 16
            y += line + 2

    def _paint_gaps(self, painter: QPainter, plot: QRectF) -> None:
        shade = QColor(self.palette().color(QPalette.ColorRole.Mid))
        shade.setAlpha(70)
        half = self._day_width(plot) / 2
        for i, day in enumerate(self.days):
            if day in self.unrecorded:
                x = self._x(plot, i)
                left, right = max(plot.left(), x - half), min(plot.right(), x + half)
                painter.fillRect(QRectF(left, plot.top(), right - left, plot.height()), shade)

    def _paint_axes(
        self, painter: QPainter, metrics: QFontMetrics, plot: QRectF, text: QColor
    ) -> None:
        top_value, step = self._peak()
        grid = QColor(self.palette().color(QPalette.ColorRole.Mid))
        grid.setAlpha(110)
        line = metrics.height()
        for value in range(0, top_value + 1, step):
            y = plot.bottom() - value / top_value * plot.height()
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(text)
            painter.drawText(
                QRectF(MARGIN, y - line / 2, plot.left() - MARGIN - 6, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                str(value),
            )
        painter.setPen(QPen(text, 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        for i in self._x_ticks(metrics, plot):
            x = self._x(plot, i)
            painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 3))
            label = self._day_label(self.days[i])
            width = metrics.horizontalAdvance(label) + 4
            left = min(max(0.0, x - width / 2), self.width() - width)
            painter.drawText(
                QRectF(left, plot.bottom() + 4, width, line), Qt.AlignmentFlag.AlignCenter, label
            )

    def _x_ticks(self, metrics: QFontMetrics, plot: QRectF) -> list[int]:
        """A few evenly spaced days that get a date label, the first and last among them
        when they fit."""
        count = len(self.days)
        if count == 1:
            return [0]
        label = metrics.horizontalAdvance(self._day_label(self.days[0])) + 24
        fits = max(2, min(7, int(plot.width() // label)))
        step = max(1, math.ceil((count - 1) / (fits - 1)))
        return list(range(0, count, step))

    def _day_label(self, day: date) -> str:
        same_year = self.days and self.days[0].year == self.days[-1].year
        return f"{day:%b} {day.day}" if same_year else f"{day:%Y-%m-%d}"

    def _paint_line(
        self, painter: QPainter, plot: QRectF, points: list[DayCount], color: QColor
    ) -> None:
        top_value, _ = self._peak()
        path = QPainterPath()
        drawing = False
        dots: list[QPointF] = []
        for i, (_, count) in enumerate(points):
            if count is None:
                drawing = False
                continue
            point = QPointF(self._x(plot, i), plot.bottom() - count / top_value * plot.height())
            lonely = (i == 0 or points[i - 1][1] is None) and (
                i == len(points) - 1 or points[i + 1][1] is None
            )
            if lonely or len(points) <= DOTS_UP_TO_DAYS:
                dots.append(point)
            if drawing:
                path.lineTo(point)
            else:
                path.moveTo(point)
                drawing = True
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(color, 2))
        painter.drawPath(path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        for dot in dots:
            painter.drawEllipse(dot, 2.5, 2.5)

    def _paint_hover(self, painter: QPainter, plot: QRectF, text: QColor) -> None:
        if self.hover_index is None or self.hover_index >= len(self.days):
            return
        x = self._x(plot, self.hover_index)
        painter.setPen(QPen(text, 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        top_value, _ = self._peak()
        for name, points in self.series.items():
            count = points[self.hover_index][1]
            if count is None:
                continue
            painter.setPen(QPen(text, 1))
            painter.setBrush(self.color(name))
            painter.drawEllipse(
                QPointF(x, plot.bottom() - count / top_value * plot.height()), 4.0, 4.0
            )


def _next_step(step: int) -> int:
    """1 → 2 → 5 → 10 → 20 → 50 → …"""
    digits = str(step)
    if digits[0] == "1":
        return step * 2
    if digits[0] == "2":
        return step * 5 // 2
    return step * 2
