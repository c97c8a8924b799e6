"""Painted charts: chat rate and speech activity over time, with flagged messages and spikes.

A `TimelineChart` draws bars of chat messages per bucket, a line of spoken words per bucket,
red ticks where flagged messages fell and a band behind chat spikes. Clicking it emits
the time under the cursor, so the recording view can jump there. Painting only — no chart
library — so it stays fast with hours of data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.recording_contents import ActivityTimeline, count_activity
from app.timefmt import hms

CHAT_COLOR = QColor(66, 133, 244)
SPEECH_COLOR = QColor(15, 157, 88)
FLAG_COLOR = QColor(219, 68, 55)
SPIKE_COLOR = QColor(251, 188, 5, 70)


class TimelineChart(QWidget):
    """The painting of everything but the cursor is kept in a pixmap until the data or the
    size change: a jump moves only the cursor, and repainting 1,500 flag ticks and a hundred
    bars for each jump took 15 to 30 ms."""

    clicked = Signal(float)  # seconds into the recording

    def __init__(self, bucket_s: float = 10.0, parent=None) -> None:
        super().__init__(parent)
        self.bucket_s = bucket_s
        self.chat: dict[int, int] = {}
        self.speech: dict[int, int] = {}
        self.flags: list[float] = []
        self.spikes: list[tuple[float, float]] = []
        self.end_s = 0.0
        self.cursor_s: float | None = None
        self._background: QPixmap | None = None
        self.setMinimumHeight(90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setToolTip("Chat messages (bars) and spoken words (line); click to jump there")

    # --- data ------------------------------------------------------------------------------

    def add_chat(self, offset_s: float, flagged: bool = False) -> None:
        bucket = int(max(0.0, offset_s) // self.bucket_s)
        self.chat[bucket] = self.chat.get(bucket, 0) + 1
        if flagged:
            self.flags.append(offset_s)
        self.end_s = max(self.end_s, offset_s)
        self._changed()

    def add_speech(self, start_s: float, end_s: float, words: int) -> None:
        bucket = int(max(0.0, start_s) // self.bucket_s)
        self.speech[bucket] = self.speech.get(bucket, 0) + words
        self.end_s = max(self.end_s, end_s)
        self._changed()

    def set_data(
        self,
        chat: Iterable[tuple[float, bool]],
        speech: Iterable[tuple[float, float, int]],
        spikes: list[tuple[float, float]],
        end_s: float,
    ) -> None:
        """Everything at once, with one repaint (`add_chat` per message asked for 50,000 of
        them for a busy six-hour chat)."""
        self.set_timeline(
            count_activity(self.bucket_s, chat, speech, spikes, max(self.end_s, end_s))
        )

    def set_timeline(self, timeline: ActivityTimeline) -> None:
        """What `count_activity` counted, perhaps off the GUI thread."""
        self.bucket_s = timeline.bucket_s
        self.chat, self.speech = dict(timeline.chat), dict(timeline.speech)
        self.flags, self.spikes = list(timeline.flags), list(timeline.spikes)
        self.end_s = timeline.end_s
        self._changed()

    def _changed(self) -> None:
        self._background = None
        self.update()

    @property
    def total_chat(self) -> int:
        return sum(self.chat.values())

    # --- geometry --------------------------------------------------------------------------

    def _plot(self) -> QRectF:
        return QRectF(6, 6, max(1, self.width() - 12), max(1, self.height() - 22))

    def seconds_at(self, x: float) -> float:
        plot = self._plot()
        span = max(self.end_s, self.bucket_s)
        return max(0.0, min(span, (x - plot.left()) / plot.width() * span))

    def _x_of(self, seconds: float) -> float:
        plot = self._plot()
        return plot.left() + seconds / max(self.end_s, self.bucket_s) * plot.width()

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.end_s > 0:
            self.clicked.emit(self.seconds_at(event.position().x()))

    def mouseMoveEvent(self, event) -> None:
        seconds = self.seconds_at(event.position().x())
        bucket = int(seconds // self.bucket_s)
        self.setToolTip(
            f"{hms(seconds)} — {self.chat.get(bucket, 0)} chat messages, "
            f"{self.speech.get(bucket, 0)} words spoken in {self.bucket_s:.0f} s"
        )

    def resizeEvent(self, event) -> None:
        self._background = None
        super().resizeEvent(event)

    # --- painting --------------------------------------------------------------------------

    def paintEvent(self, _event) -> None:
        ratio = self.devicePixelRatioF()
        if self._background is None or self._background.devicePixelRatioF() != ratio:
            self._background = QPixmap(self.size() * ratio)
            self._background.setDevicePixelRatio(ratio)
            self._background.fill(Qt.GlobalColor.transparent)
            painter = QPainter(self._background)
            self._paint_data(painter)
            painter.end()
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._background)
        if self.cursor_s is not None:
            plot = self._plot()
            x = self._x_of(self.cursor_s)
            painter.setPen(QPen(self.palette().windowText().color(), 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        painter.end()

    # Painting runs on the GUI thread, and while a long recording opens, worker threads are
    # busy in Python: each time the GUI thread gives the GIL up it waits for it again, so its
    # own Python, not Qt's drawing, is what stalls the window (a paint took 170 ms, 27 ms of
    # it on the CPU). The data are reduced to one value per pixel column by numpy here, in a
    # few calls, and drawn in one call per kind of mark.

    def _chat_bars(self, plot: QRectF, width: float, peak: int) -> list[QRectF]:
        """A bar per bucket, or per pixel column (its busiest bucket) where buckets are
        narrower than a pixel: they would only overdraw one another."""
        buckets = np.fromiter(self.chat.keys(), dtype=float, count=len(self.chat))
        counts = np.fromiter(self.chat.values(), dtype=float, count=len(self.chat))
        xs = plot.left() + buckets * width
        if width < 1.5:
            xs, counts = _busiest_per_column(np.round(xs), counts)
        heights = counts * ((plot.height() - 4) / peak)
        bar, bottom = max(1.0, width - 1), plot.bottom()
        pairs = zip(xs.tolist(), heights.tolist(), strict=True)
        return [QRectF(x, bottom - h, bar, h) for x, h in pairs]

    def _speech_line(self, plot: QRectF, buckets: int, peak: int) -> QPolygonF:
        """The words spoken per bucket as a polyline of at most one point per pixel column (the
        busiest bucket of the column): a six-hour recording has 2,000 buckets, and stroking
        them as one antialiased path took 90 ms of the GUI thread."""
        words = np.zeros(buckets)
        for bucket, count in self.speech.items():
            if 0 <= bucket < buckets:
                words[bucket] = count
        centres = plot.left() + (np.arange(buckets) + 0.5) * (plot.width() / buckets)
        xs, words = _busiest_per_column(np.round(centres), words)
        ys = plot.bottom() - words * ((plot.height() - 4) / peak)
        return QPolygonF([QPointF(x, y) for x, y in zip(xs.tolist(), ys.tolist(), strict=True)])

    def _flag_ticks(self, plot: QRectF, span: float) -> list[QLineF]:
        """One tick per pixel column that has a flag: a busy chat has thousands of flags, and
        ticks in the same column would only overdraw one another."""
        offsets = np.sort(np.asarray(self.flags, dtype=float))
        columns, _ = _busiest_per_column(
            np.round(plot.left() + offsets * (plot.width() / span)), offsets
        )
        top = plot.top()
        return [QLineF(x, top, x, top + 8) for x in columns.tolist()]

    def _paint_data(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        plot = self._plot()
        text_color = self.palette().windowText().color()
        painter.setPen(QPen(self.palette().mid().color()))
        painter.drawRect(plot)
        span = max(self.end_s, self.bucket_s)
        buckets = max(1, math.ceil(span / self.bucket_s))
        width = plot.width() / buckets
        x_of = self._x_of

        for start, end in self.spikes:
            painter.fillRect(
                QRectF(x_of(start), plot.top(), max(2, x_of(end) - x_of(start)), plot.height()),
                SPIKE_COLOR,
            )
        peak_chat = max(self.chat.values(), default=0)
        if peak_chat:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(CHAT_COLOR)
            painter.drawRects(self._chat_bars(plot, width, peak_chat))
        peak_speech = max(self.speech.values(), default=0)
        if peak_speech:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(SPEECH_COLOR, 1.5))
            painter.drawPolyline(self._speech_line(plot, buckets, peak_speech))
        painter.setPen(QPen(FLAG_COLOR, 2))
        painter.drawLines(self._flag_ticks(plot, span))
        painter.setPen(text_color)
        painter.drawText(QRectF(plot.left(), plot.bottom() + 2, 120, 14), "00:00:00")
        painter.drawText(
            QRectF(plot.right() - 120, plot.bottom() + 2, 120, 14),
            Qt.AlignmentFlag.AlignRight,
            hms(span),
        )
        legend = f"chat {self.total_chat} · flagged {len(self.flags)}"
        painter.drawText(
            QRectF(plot.left(), plot.bottom() + 2, plot.width(), 14),
            Qt.AlignmentFlag.AlignHCenter,
            legend,
        )


def _busiest_per_column(columns: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For `columns` in ascending order (pixel x of each value), each column once with the
    largest of its values."""
    if not len(columns):
        return columns, values
    # Not np.unique: its first call imports numpy.ma, 50-100 ms on the GUI thread.
    first = np.flatnonzero(np.concatenate(([True], np.diff(columns) != 0)))
    return columns[first], np.maximum.reduceat(values, first)
