"""Painted charts: chat rate and speech activity over time, with flagged messages and spikes.

A `TimelineChart` draws bars of chat messages per bucket, a line of spoken words per bucket,
red ticks where flagged messages fell and a band behind chat spikes. Clicking it emits
the time under the cursor, so the recording view can jump there. Painting only — no chart
library — so it stays fast with hours of data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPixmap
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
            for bucket, count in self.chat.items():
                h = count / peak_chat * (plot.height() - 4)
                painter.drawRect(
                    QRectF(plot.left() + bucket * width, plot.bottom() - h, max(1.0, width - 1), h)
                )
        peak_speech = max(self.speech.values(), default=0)
        if peak_speech:
            path = QPainterPath()
            for i in range(buckets):
                y = plot.bottom() - self.speech.get(i, 0) / peak_speech * (plot.height() - 4)
                point = QPointF(plot.left() + (i + 0.5) * width, y)
                path.moveTo(point) if i == 0 else path.lineTo(point)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(SPEECH_COLOR, 1.5))
            painter.drawPath(path)
        painter.setPen(QPen(FLAG_COLOR, 2))
        for offset in self.flags:
            x = x_of(offset)
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.top() + 8))
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
