"""One recording: its transcript with times, and panels for the analyses that exist."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.chat_stats import ChatStats
from app.timefmt import hms
from nlp.station_breaks import station_break_flags
from storage import (
    ChatMessageRecord,
    ChatWindowRecord,
    RecordingRecord,
    SegmentRecord,
    SummaryRecord,
)
from ui.charts import TimelineChart
from ui.chat_stats_view import ChatStatsView
from ui.chat_view import StoredChatView
from ui.insights_view import KeywordsView, TutorialsView
from ui.summary_view import SummaryList
from ui.widgets import empty_state

BREAK_TIP = (
    "Station break: an ident, promo, sponsor line, sign-off or time check. Greyed, and left "
    "out of summaries, keywords and trends; it stays searchable."
)


@dataclass(frozen=True)
class RecordingData:
    """Everything a recording view shows, loaded off the GUI thread."""

    recording: RecordingRecord
    segments: list[SegmentRecord]
    chat: list[ChatMessageRecord] = field(default_factory=list)
    windows: list[ChatWindowRecord] = field(default_factory=list)
    summaries: list[SummaryRecord] = field(default_factory=list)
    keywords: list = field(default_factory=list)
    entities: list = field(default_factory=list)
    tutorials: list = field(default_factory=list)  # Recommendation
    chat_stats: ChatStats | None = None
    break_rows: list[int] | None = None  # `station_break_rows(segments)`


def station_break_rows(segments: list[SegmentRecord]) -> list[int]:
    """The transcript rows that are station breaks (about 70 µs a segment: worth doing off
    the GUI thread for a long recording)."""
    flags = station_break_flags([(s.start_s, s.end_s, s.text) for s in segments])
    return [row for row, flagged in enumerate(flags) if flagged]


class RecordingView(QWidget):
    # (recording id, punctuate): True restores punctuation first; None only where missing
    analysis_requested = Signal(int, object)

    def __init__(
        self,
        recording: RecordingRecord,
        segments: list[SegmentRecord],
        chat: list[ChatMessageRecord] | None = None,
        windows: list[ChatWindowRecord] | None = None,
        summaries: list[SummaryRecord] | None = None,
        keywords: list | None = None,
        entities: list | None = None,
        tutorials: list | None = None,
        chat_stats: ChatStats | None = None,
        break_rows: list[int] | None = None,
        parent=None,
    ) -> None:
        super().__init__(parent)
        chat = chat or []
        self.recording = recording
        self.segments = segments
        self._starts = [s.start_s for s in segments]
        title = recording.title or recording.url
        header = QLabel(
            f"<b>{title}</b><br>{recording.url} · started "
            f"{recording.started_at:%Y-%m-%d %H:%M} UTC · {hms(recording.duration_s)} · "
            f"{recording.status}" + (f" — {recording.error}" if recording.error else "")
        )
        header.setWordWrap(True)
        header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.punctuate_button = QPushButton("Restore punctuation")
        self.punctuate_button.setToolTip(
            "Predict punctuation and capitals again over the whole transcript, then redo the "
            "summary, keywords and entities (the raw speech-recognition text is kept)"
        )
        self.punctuate_button.clicked.connect(lambda: self._request(True))
        self.analyse_button = QPushButton("Analyse again")
        self.analyse_button.setToolTip("Redo the summary, keywords and entities")
        self.analyse_button.clicked.connect(lambda: self._request(None))
        actions = QHBoxLayout()
        actions.addWidget(header, 1)
        for button in (self.punctuate_button, self.analyse_button):
            button.setEnabled(bool(segments))
            actions.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)

        self.transcript = QTableWidget(len(segments), 3)
        self.transcript.setHorizontalHeaderLabels(["Time", "Speaker", "Text"])
        self.transcript.verticalHeader().hide()
        self.transcript.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.transcript.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.transcript.setWordWrap(True)
        head = self.transcript.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.break_rows = station_break_rows(segments) if break_rows is None else break_rows
        breaks = set(self.break_rows)
        muted = QBrush(self.palette().color(QPalette.ColorRole.PlaceholderText))
        for row, seg in enumerate(segments):
            cells = [hms(seg.start_s), seg.speaker or "", seg.text]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if row in breaks:
                    item.setForeground(muted)
                    item.setToolTip(BREAK_TIP)
                self.transcript.setItem(row, column, item)
        self.transcript.resizeRowsToContents()
        self.hide_breaks = QCheckBox(f"Hide station breaks ({len(self.break_rows)})")
        self.hide_breaks.setToolTip(BREAK_TIP)
        self.hide_breaks.setEnabled(bool(self.break_rows))
        self.hide_breaks.toggled.connect(self._show_breaks)

        panels = QTabWidget()
        if summaries:
            self.summary_view = SummaryList(summaries)
            self.summary_view.jump.connect(self.jump_to)
            panels.addTab(self.summary_view, "Summary")
        else:
            self.summary_view = None
            panels.addTab(empty_state("No summary yet for this recording."), "Summary")
        if keywords or entities:
            self.keywords_view = KeywordsView(keywords or [], entities or [])
            self.keywords_view.jump.connect(self.jump_to)
            panels.addTab(self.keywords_view, "Keywords")
        else:
            self.keywords_view = None
            panels.addTab(empty_state("No keywords or entities yet."), "Keywords")
        if chat:
            self.chat_view = StoredChatView(chat)
            self.chat_view.jump.connect(self.jump_to)
            panels.addTab(self.chat_view, f"Chat ({sum(m.kind == 'message' for m in chat)})")
        else:
            self.chat_view = None
            panels.addTab(empty_state("No chat was captured for this recording."), "Chat")
        if chat_stats is not None and chat_stats.messages:
            self.chat_stats_view = ChatStatsView(chat_stats)
            self.chat_stats_view.jump.connect(self.jump_to)
            panels.addTab(self.chat_stats_view, "Chat stats")
        else:
            self.chat_stats_view = None
        if tutorials:
            self.tutorials_view = TutorialsView(tutorials)
            panels.addTab(self.tutorials_view, "Tutorials")
        else:
            self.tutorials_view = None
            panels.addTab(empty_state("No tutorial recommendations yet."), "Tutorials")

        split = QSplitter(Qt.Orientation.Horizontal)
        transcript_box = QWidget()
        box = QVBoxLayout(transcript_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.transcript if segments else empty_state("No transcript."))
        if segments:
            box.addWidget(self.hide_breaks)
        split.addWidget(transcript_box)
        split.addWidget(panels)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        self.chart = TimelineChart(bucket_s=_bucket_for(recording.duration_s))
        self.chart.set_data(
            [(m.offset_s, bool(m.violation)) for m in chat if m.kind == "message"],
            [(s.start_s, s.end_s, len(s.text.split())) for s in segments],
            [(w.start_s, w.end_s) for w in windows or [] if w.is_spike],
            recording.duration_s,
        )
        self.chart.clicked.connect(self.jump_to)

        layout = QVBoxLayout(self)
        layout.addLayout(actions)
        layout.addWidget(self.chart)
        layout.addWidget(split, 1)

    def _show_breaks(self, hidden: bool) -> None:
        for row in self.break_rows:
            self.transcript.setRowHidden(row, hidden)

    def _request(self, punctuate: bool | None) -> None:
        self.set_busy(True)
        self.analysis_requested.emit(self.recording.id, punctuate)

    def set_busy(self, busy: bool) -> None:
        """Analysis buttons are off while one runs (and for a recording without text)."""
        for button in (self.punctuate_button, self.analyse_button):
            button.setEnabled(not busy and bool(self.segments))

    def row_at(self, seconds: float) -> int:
        """The segment that is playing at `seconds` (the last one starting before it)."""
        return max(0, bisect.bisect_right(self._starts, seconds + 0.01) - 1)

    def jump_to(self, seconds: float) -> None:
        self.chart.cursor_s = seconds
        self.chart.update()
        if not self.segments:
            return
        row = self.row_at(seconds)
        self.transcript.selectRow(row)
        self.transcript.scrollToItem(
            self.transcript.item(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter
        )

    @property
    def current_row(self) -> int:
        rows = self.transcript.selectionModel().selectedRows()
        return rows[0].row() if rows else -1


def _bucket_for(duration_s: float) -> float:
    """About a hundred bars across the chart, in round steps."""
    for step in (5, 10, 15, 30, 60, 120, 300, 600):
        if duration_s / step <= 120:
            return float(step)
    return 900.0
