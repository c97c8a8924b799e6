"""A running session: the transcript as it is committed, and its state always in sight."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.events import ChatReceived, ChatStatus, SegmentCommitted, SessionError, SessionStatus
from app.timefmt import hms
from ui.charts import TimelineChart
from ui.chat_view import LiveChatView
from ui.summary_view import SummaryList

STATE_TEXT = {
    "resolving": "Resolving the address…",
    "connecting": "Connecting…",
    "live": "● Live",
    "stopping": "Stopping…",
    "ended": "Ended",
    "failed": "Failed",
}


class LiveView(QWidget):
    """Fed by `on_segment`/`on_status`/`on_error` (the bridge connects them)."""

    stop_requested = Signal()

    def __init__(self, title: str, parent=None) -> None:
        super().__init__(parent)
        self.recording_id: int | None = None
        self.title = QLabel(f"<b>{title}</b>")
        self.state = QLabel(STATE_TEXT["resolving"])
        self.state.setObjectName("sessionState")
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self._stop)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.state)
        top.addWidget(self.stop_button)
        self.transcript = QPlainTextEdit()
        self.transcript.setReadOnly(True)
        self.transcript.setPlaceholderText("The transcript appears here as it is committed.")
        self.partial = QLabel()
        self.partial.setWordWrap(True)
        self.partial.setStyleSheet("color: palette(mid); font-style: italic;")
        self.keywords = QLabel("Keywords: none yet")
        self.keywords.setObjectName("keywordStrip")
        self.keywords.setWordWrap(True)
        self.chat = LiveChatView()
        self.tutorials = QLabel()
        self.tutorials.setObjectName("liveTutorials")
        self.tutorials.setWordWrap(True)
        self.tutorials.setOpenExternalLinks(True)
        self.tutorials.hide()
        self.summaries = SummaryList()
        self.summaries.setToolTip("Each ~5-minute clip is summarised as soon as it is over")
        self.chart = TimelineChart()
        transcript_box = QWidget()
        transcript_layout = QVBoxLayout(transcript_box)
        transcript_layout.setContentsMargins(0, 0, 0, 0)
        transcript_layout.addWidget(self.transcript, 1)
        transcript_layout.addWidget(self.partial)
        side = QSplitter(Qt.Orientation.Vertical)
        side.addWidget(self.chat)
        side.addWidget(self.summaries)
        side.setStretchFactor(0, 3)
        side.setStretchFactor(1, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(transcript_box)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.keywords)
        layout.addWidget(self.tutorials)
        layout.addWidget(split, 1)
        layout.addWidget(self.chart)
        self._reconnect_deadline: float | None = None
        self._countdown = QTimer(self)
        self._countdown.setInterval(250)
        self._countdown.timeout.connect(self._tick)
        self.ended = False

    def _stop(self) -> None:
        self.stop_button.setEnabled(False)
        self.stop_requested.emit()

    def transcript_text(self) -> str:
        return self.transcript.toPlainText()

    def on_segment(self, event: SegmentCommitted) -> None:
        if event.recording_id != self.recording_id:
            return
        if event.final:
            self.chart.add_speech(event.start_s, event.end_s, len(event.text.split()))
            self.partial.clear()
            who = f"{event.speaker}: " if event.speaker else ""
            self.transcript.appendPlainText(f"[{hms(event.start_s)}] {who}{event.text}")
            self.transcript.moveCursor(QTextCursor.MoveOperation.End)
        else:
            self.partial.setText(f"[{hms(event.start_s)}] {event.text} …")

    def on_status(self, event: SessionStatus) -> None:
        if event.recording_id not in (None, self.recording_id):
            return
        d = event.detail
        self._countdown.stop()
        if event.state == "reconnecting":
            self._reconnect_deadline = time.monotonic() + float(d.get("delay_s", 0))
            self._countdown.start()
            self._tick()
            return
        if event.state == "live" and d.get("lag_s", 0) > 5:
            self.state.setText(f"● Live — lagging {d['lag_s']:.0f} s behind")
            return
        if event.state == "lagging":
            how = (
                "skipping what it cannot take (no archive)"
                if "skipped_s" in d
                else ("transcribing from the archive, nothing skipped")
            )
            self.state.setText(f"Lagging {d.get('lag_s', 0):.0f} s behind — {how}")
            return
        self.state.setText(STATE_TEXT.get(event.state, event.state))
        if event.state in ("ended", "failed"):
            self.ended = True
            self.stop_button.setEnabled(False)
            self.partial.clear()

    def on_chat(self, event: ChatReceived) -> None:
        if event.recording_id != self.recording_id:
            return
        self.chat.add_items(event.items)
        for item in event.items:
            if item.kind == "message":
                self.chart.add_chat(item.offset_s, item.violation)
        if self.chat.state.text().endswith("not captured for this stream"):
            self.chat.set_state("live")

    def on_keywords(self, event) -> None:
        if event.recording_id == self.recording_id and event.terms:
            self.keywords.setText(
                f"Keywords {hms(event.start_s)}–{hms(event.end_s)}: " + " · ".join(event.terms)
            )

    def on_tutorials(self, event) -> None:
        if event.recording_id != self.recording_id or not event.recommendations:
            return
        import html

        links = " · ".join(
            f'<a href="{html.escape(r.tutorial.url)}">{html.escape(r.tutorial.title)}</a>'
            for r in event.recommendations
        )
        self.tutorials.setText(f"Tutorials: {links}")
        self.tutorials.show()

    def on_summary(self, event) -> None:
        if event.recording_id == self.recording_id:
            self.summaries.update_summary(event.kind, event.start_s, event.end_s, event.sentences)

    def on_chat_status(self, event: ChatStatus) -> None:
        if event.recording_id not in (None, self.recording_id):
            return
        text = {
            "connected": "connected",
            "reconnecting": f"reconnecting in {event.detail.get('delay_s', 0):.0f} s",
            "ended": "ended",
            "error": event.detail.get("message", "error"),
        }.get(event.state, event.state)
        self.chat.set_state(text)

    def on_error(self, event: SessionError) -> None:
        if event.recording_id in (None, self.recording_id):
            self.partial.setText(("Error: " if event.fatal else "Note: ") + event.message)

    def _tick(self) -> None:
        left = max(0.0, (self._reconnect_deadline or 0) - time.monotonic())
        self.state.setText(f"Reconnecting in {left:.0f} s…")
