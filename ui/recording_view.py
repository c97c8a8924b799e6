"""One recording: its transcript with times, and panels for the analyses that exist."""

from __future__ import annotations

import bisect

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.chat_stats import ChatStats
from app.recording_contents import (
    RecordingChat,
    RecordingDetails,
    RecordingOverview,
    overview_of,
    station_break_rows,
)
from app.records import (
    ChatMessageRecord,
    ChatWindowRecord,
    RecordingRecord,
    SegmentRecord,
    SummaryRecord,
)
from app.timefmt import hms
from ui.charts import TimelineChart
from ui.chat_stats_view import ChatStatsView
from ui.chat_view import StoredChatView
from ui.insights_view import KeywordsView, TutorialsView
from ui.summary_view import SummaryList
from ui.transcript_model import SPEAKER, TEXT, TIME, TranscriptModel
from ui.widgets import empty_state
from ui.wrapped_rows import WrappedRowsView

CHAT_TAB = 2  # after Summary and Keywords; Chat stats follows it when there are any
BREAK_TIP = (
    "Station break or ad: an ident, promo, sponsor line, advertisement, sign-off or time "
    "check. Greyed, and left out of summaries, keywords and trends; it stays searchable."
)


ALL_SPEAKERS = "All speakers"
# Hues far apart, in the order speakers first speak; saturation and value readable on a light
# and on a dark palette.
SPEAKER_HUES = (210, 20, 120, 290, 45, 170, 330, 90)


def speaker_colours(segments: list[SegmentRecord]) -> dict[str, QBrush]:
    """A colour per speaker name, in the order they first speak (the palette repeats)."""
    order: dict[str, None] = {}
    for segment in segments:
        if segment.speaker:
            order.setdefault(segment.speaker)
    return {
        name: QBrush(QColor.fromHsv(SPEAKER_HUES[i % len(SPEAKER_HUES)], 170, 200))
        for i, name in enumerate(order)
    }


class RecordingView(QWidget):
    # (recording id, punctuate): True restores punctuation first; None only where missing
    analysis_requested = Signal(int, object)
    # (recording id, the speaker as shown): the user wants to name that voice
    speaker_rename_requested = Signal(int, str)

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
        *,
        chat_pending: bool = False,
        details_pending: bool = False,
        overview: RecordingOverview | None = None,
    ) -> None:
        """`break_rows` None: found here, on the GUI thread (fine for a short recording).
        `chat_pending`: the chat comes later through `add_chat`, `details_pending`: station
        breaks, chat statistics and tutorials through `add_details`; until then the view
        says it is still reading or looking. `overview` None: counted here (`overview_of`)."""
        super().__init__(parent)
        chat = chat or []
        windows = windows or []
        if overview is None:
            overview = overview_of(recording, segments, chat, windows)
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

        if details_pending:
            self.break_rows: list[int] = []
        else:
            self.break_rows = station_break_rows(segments) if break_rows is None else break_rows
        muted = QBrush(self.palette().color(QPalette.ColorRole.PlaceholderText))
        self.speaker_colours = speaker_colours(segments)
        self.transcript_model = TranscriptModel(
            segments, muted, BREAK_TIP, self.break_rows, speaker_colours=self.speaker_colours
        )
        self.transcript = WrappedRowsView()
        self.transcript.setModel(self.transcript_model)
        self.transcript.doubleClicked.connect(self._rename_clicked_speaker)
        self._size_columns()
        self.speaker_filter = QComboBox()
        self.speaker_filter.setToolTip("Show only what one speaker says")
        counts: dict[str, int] = {}
        for segment in segments:
            if segment.speaker:
                counts[segment.speaker] = counts.get(segment.speaker, 0) + 1
        self.speaker_filter.addItem(ALL_SPEAKERS, None)
        for name in self.speaker_colours:
            self.speaker_filter.addItem(f"{name} ({counts[name]})", name)
        self.speaker_filter.currentIndexChanged.connect(lambda _i: self._apply_hidden_rows())
        self.hide_breaks = QCheckBox()
        self.hide_breaks.setToolTip(BREAK_TIP)
        self.hide_breaks.toggled.connect(self._show_breaks)
        self._label_breaks(pending=details_pending)

        self.panels = QTabWidget()
        if summaries:
            self.summary_view = SummaryList(summaries)
            self.summary_view.jump.connect(self.jump_to)
            self.panels.addTab(self.summary_view, "Summary")
        else:
            self.summary_view = None
            self.panels.addTab(empty_state("No summary yet for this recording."), "Summary")
        if keywords or entities:
            self.keywords_view = KeywordsView(keywords or [], entities or [])
            self.keywords_view.jump.connect(self.jump_to)
            self.panels.addTab(self.keywords_view, "Keywords")
        else:
            self.keywords_view = None
            self.panels.addTab(empty_state("No keywords or entities yet."), "Keywords")
        self.chat_view: StoredChatView | None = None
        self.panels.addTab(QWidget(), "Chat")
        if chat_pending:
            self._replace_tab(CHAT_TAB, empty_state("Reading the chat…"), "Chat")
        else:
            self._show_chat(chat, overview)
        self.chat_stats_view: ChatStatsView | None = None
        self._add_chat_stats(chat_stats)
        self.tutorials_view: TutorialsView | None = None
        self.panels.addTab(QWidget(), "Tutorials")
        self._show_tutorials(tutorials, pending=details_pending)

        split = QSplitter(Qt.Orientation.Horizontal)
        transcript_box = QWidget()
        box = QVBoxLayout(transcript_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.transcript if segments else empty_state("No transcript."))
        if segments:
            below = QHBoxLayout()
            below.addWidget(self.hide_breaks, 1)
            if self.speaker_colours:
                below.addWidget(self.speaker_filter)
            box.addLayout(below)
        split.addWidget(transcript_box)
        split.addWidget(self.panels)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        self.chart = TimelineChart()
        self.chart.set_timeline(overview.timeline)
        self.chart.clicked.connect(self.jump_to)

        layout = QVBoxLayout(self)
        layout.addLayout(actions)
        layout.addWidget(self.chart)
        layout.addWidget(split, 1)

    def _size_columns(self) -> None:
        """Time and speaker as wide as their widest text, worked out once from the font (a
        ResizeToContents column measures a thousand rows on every layout); the text takes
        the rest."""
        head = self.transcript.horizontalHeader()
        metrics = self.transcript.fontMetrics()
        style = self.transcript.style()
        margin = style.pixelMetric(style.PixelMetric.PM_FocusFrameHMargin, None, self.transcript)
        pad = 2 * (margin + 1) + 8  # the text margins of a cell (as Qt's style), and air
        speakers = {s.speaker for s in self.segments if s.speaker}
        widths = {
            TIME: max(metrics.horizontalAdvance(t) for t in ("00:00:00", "Time")) + pad,
            SPEAKER: max(metrics.horizontalAdvance(t) for t in {"Speaker", *speakers}) + pad,
        }
        for column, width in widths.items():
            head.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            head.resizeSection(column, width)
        head.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)

    # --- details that arrive after the view is shown ----------------------------------------

    def add_chat(self, chat: RecordingChat | None) -> None:
        """Show the chat read after the view was shown (None: it could not be read)."""
        if chat is None:
            self._replace_tab(CHAT_TAB, empty_state("The chat could not be read."), "Chat")
            return
        self._show_chat(chat.messages, chat.overview)
        self.chart.set_timeline(chat.overview.timeline)

    def _show_chat(self, chat: list[ChatMessageRecord], overview: RecordingOverview) -> None:
        if not chat:
            empty = empty_state("No chat was captured for this recording.")
            self._replace_tab(CHAT_TAB, empty, "Chat")
            return
        self.chat_view = StoredChatView(chat, (overview.chat_messages, overview.chat_flagged))
        self.chat_view.jump.connect(self.jump_to)
        self._replace_tab(CHAT_TAB, self.chat_view, f"Chat ({self.chat_view.total})")

    def _replace_tab(self, index: int, widget: QWidget, title: str) -> None:
        """Put `widget` in the panel at `index`, keeping whichever panel is in front."""
        front = self.panels.currentIndex()
        old = self.panels.widget(index)
        self.panels.removeTab(index)
        old.deleteLater()
        self.panels.insertTab(index, widget, title)
        self.panels.setCurrentIndex(front)

    def add_details(self, details: RecordingDetails) -> None:
        """Show the station breaks, chat statistics and tutorials worked out after the view
        was shown."""
        self.break_rows = list(details.break_rows)
        self.transcript_model.set_break_rows(self.break_rows)
        self._label_breaks(pending=False)
        self._add_chat_stats(details.chat_stats)
        self._show_tutorials(details.tutorials, pending=False)

    def _label_breaks(self, pending: bool) -> None:
        if pending:
            self.hide_breaks.setText("Hide ads and station breaks (finding them…)")
        else:
            self.hide_breaks.setText(f"Hide ads and station breaks ({len(self.break_rows)})")
        self.hide_breaks.setEnabled(bool(self.break_rows))

    def _add_chat_stats(self, stats: ChatStats | None) -> None:
        if stats is None or not stats.messages or self.chat_stats_view is not None:
            return
        self.chat_stats_view = ChatStatsView(stats)
        self.chat_stats_view.jump.connect(self.jump_to)
        self.panels.insertTab(CHAT_TAB + 1, self.chat_stats_view, "Chat stats")

    def _show_tutorials(self, tutorials: list | None, pending: bool) -> None:
        """Fill the Tutorials tab (the last one), keeping whichever tab is in front."""
        if tutorials:
            self.tutorials_view = widget = TutorialsView(tutorials)
        elif pending:
            widget = empty_state("Looking for tutorial recommendations…")
        else:
            widget = empty_state("No tutorial recommendations yet.")
        self._replace_tab(self.panels.count() - 1, widget, "Tutorials")

    # --- the transcript -------------------------------------------------------------------

    def _show_breaks(self, _hidden: bool) -> None:
        self._apply_hidden_rows()

    def _apply_hidden_rows(self) -> None:
        """Rows hidden by *Hide ads and station breaks* and by the speaker filter, together."""
        breaks = set(self.break_rows) if self.hide_breaks.isChecked() else set()
        speaker = self.speaker_filter.currentData()
        for row, segment in enumerate(self.segments):
            hidden = row in breaks or (speaker is not None and segment.speaker != speaker)
            if self.transcript.isRowHidden(row) != hidden:
                self.transcript.setRowHidden(row, hidden)
        self.transcript.fit_later()

    def show_speaker(self, name: str | None) -> None:
        """Show only `name`'s segments (None: everyone's)."""
        self.speaker_filter.setCurrentIndex(max(0, self.speaker_filter.findData(name)))

    def _rename_clicked_speaker(self, index) -> None:
        if index.column() != SPEAKER:
            return
        speaker = self.segments[index.row()].speaker
        if speaker:
            self.speaker_rename_requested.emit(self.recording.id, speaker)

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
        self.transcript.scrollTo(
            self.transcript_model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter
        )

    @property
    def current_row(self) -> int:
        rows = self.transcript.selectionModel().selectedRows()
        return rows[0].row() if rows else -1
