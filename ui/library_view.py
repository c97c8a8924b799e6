"""The library: every recording in a sortable, filterable table, and full-text search."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.records import STATUS_FAILED, STATUS_INTERRUPTED, RecordingRecord, SearchHit
from app.timefmt import hms
from ui.library_model import RecordingsModel, RecordingsProxy

HIT_ROLE = Qt.ItemDataRole.UserRole + 1
DEFAULT_SORT = (3, Qt.SortOrder.DescendingOrder)  # newest recording first

# What a new user can do first, on the empty library: (button, what it does, signal name).
FIRST_STEPS = (
    (
        "Start the demo",
        "A short painting livestream with its chat, served on this computer: watch the "
        "transcript, flagged chat and summaries arrive within a minute. No internet needed.",
        "demo_requested",
    ),
    (
        "Add a source…",
        "Follow a Twitch channel, a YouTube Live stream, a radio station or any stream URL, "
        "then record it now or on a schedule.",
        "add_source_requested",
    ),
    (
        "Import an archive…",
        "Transcribe and analyse recordings you already have: files, folders or URLs.",
        "import_requested",
    ),
    (
        "Open Settings…",
        "Choose the speech model, where recordings are kept and whether chat is captured.",
        "settings_requested",
    ),
)


class LibraryView(QWidget):
    open_recording = Signal(int, float)  # recording id, seconds into it
    search_requested = Signal(str)
    resume_requested = Signal(int)  # transcribe what an interrupted recording archived
    analysis_requested = Signal(int, object)  # recording id, punctuate (True/None)
    export_requested = Signal()
    sort_changed = Signal(int, object)  # column, Qt.SortOrder: remembered across restarts
    demo_requested = Signal()  # the first-run steps
    add_source_requested = Signal()
    import_requested = Signal()
    settings_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(
            'Search all transcripts — words, "a phrase", prefix*  (Ctrl+F)'
        )
        self.search_box.setClearButtonEnabled(True)
        self.search_box.returnPressed.connect(self._search)
        self.search_box.textChanged.connect(self._text_changed)
        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText("Filter recordings by source, title or status")
        self.filter_box.setClearButtonEnabled(True)

        self.model = RecordingsModel(self)
        self.proxy = RecordingsProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.filter_box.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(*DEFAULT_SORT)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self.sort_changed.emit)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(1, 320)
        self.table.doubleClicked.connect(self._open_row)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(
            lambda pos: self.menu_for(self.table.indexAt(pos)).exec(
                self.table.viewport().mapToGlobal(pos)
            )
        )

        self.hits = QListWidget()
        self.hits.itemActivated.connect(self._open_hit)
        self.hits.itemDoubleClicked.connect(self._open_hit)
        self.hits_label = QLabel()
        hits_box = QWidget()
        hits_layout = QVBoxLayout(hits_box)
        hits_layout.setContentsMargins(0, 0, 0, 0)
        hits_layout.addWidget(self.hits_label)
        hits_layout.addWidget(self.hits)
        self.hits_box = hits_box
        hits_box.hide()

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(hits_box)
        split.addWidget(self.table)
        browse = QWidget()
        browse_layout = QVBoxLayout(browse)
        browse_layout.setContentsMargins(0, 0, 0, 0)
        browse_layout.addWidget(self.search_box)
        browse_layout.addWidget(split, 1)
        browse_layout.addWidget(self.filter_box)
        self.welcome = self._welcome_pane()
        self.pages = QStackedWidget()
        self.pages.addWidget(self.welcome)
        self.pages.addWidget(browse)
        self.pages.setCurrentWidget(browse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

    def _welcome_pane(self) -> QWidget:
        """What to do first, instead of an empty table (shown while the library is empty)."""
        pane = QWidget()
        pane.setObjectName("welcome")
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(12)
        self.first_step_buttons: dict[str, QPushButton] = {}
        for row, (text, explanation, signal_name) in enumerate(FIRST_STEPS):
            button = QPushButton(text)
            button.setFixedWidth(180)
            button.setMinimumHeight(34)
            button.clicked.connect(getattr(self, signal_name).emit)
            self.first_step_buttons[text.rstrip("…")] = button
            label = QLabel(explanation)
            label.setWordWrap(True)
            grid.addWidget(button, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(label, row, 1)
        grid.setColumnStretch(1, 1)
        title = QLabel("<h2>Welcome to Streamlens</h2>")
        intro = QLabel(
            "Your library is empty. Streamlens records livestreams and radio, transcribes "
            "them as they play, reads the chat and keeps everything here to search and export. "
            "Start with one of these:"
        )
        intro.setWordWrap(True)
        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(title)
        column.addWidget(intro)
        column.addSpacing(8)
        column.addLayout(grid)
        column.addStretch(2)
        box = QWidget()
        box.setMinimumWidth(680)
        box.setMaximumWidth(760)
        box.setLayout(column)
        outer = QVBoxLayout(pane)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        return pane

    @property
    def showing_welcome(self) -> bool:
        return self.pages.currentWidget() is self.welcome

    def set_sort(self, column: int, order: Qt.SortOrder) -> None:
        """Sort by `column` (an unknown column falls back to newest first)."""
        if not 0 <= column < self.model.columnCount():
            column, order = DEFAULT_SORT
        self.table.sortByColumn(column, order)

    def selected_ids(self) -> list[int]:
        rows = {self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()}
        return [self.model.recording_at(r).id for r in sorted(rows)]

    def set_recordings(self, rows: list[RecordingRecord]) -> None:
        self.model.set_recordings(rows)
        self.pages.setCurrentIndex(0 if not rows else 1)

    def show_hits(self, query: str, hits: list[SearchHit]) -> None:
        self.hits.clear()
        self.hits_label.setText(
            f"{len(hits)} match{'es' if len(hits) != 1 else ''} for “{query}” — "
            "double-click to open the recording at that moment"
            if hits
            else f"No matches for “{query}”."
        )
        for hit in hits:
            title = hit.recording_title or f"recording {hit.recording_id}"
            where = "chat  " if hit.source == "chat" else ""
            who = f"{hit.speaker}: " if hit.speaker and hit.source != "chat" else ""
            item = QListWidgetItem(
                f"#{hit.recording_id} {title}  [{hms(hit.start_s)}]  {where}{who}{hit.snippet}"
            )
            item.setData(HIT_ROLE, (hit.recording_id, hit.start_s))
            self.hits.addItem(item)
        self.hits_box.show()

    def _search(self) -> None:
        query = self.search_box.text().strip()
        if query:
            self.search_requested.emit(query)

    def _text_changed(self, text: str) -> None:
        if not text.strip():
            self.hits_box.hide()

    def _open_row(self, index) -> None:
        recording = self.model.recording_at(self.proxy.mapToSource(index).row())
        self.open_recording.emit(recording.id, 0.0)

    def menu_for(self, index) -> QMenu:
        """What can be done with the recording under the pointer (right-click)."""
        menu = QMenu(self)
        if not index.isValid():
            menu.addAction("Export…", self.export_requested.emit)
            return menu
        recording = self.model.recording_at(self.proxy.mapToSource(index).row())
        rid = recording.id
        menu.addAction("Open", lambda: self.open_recording.emit(rid, 0.0))
        resume = menu.addAction("Resume transcription", lambda: self.resume_requested.emit(rid))
        resume.setEnabled(recording.status in (STATUS_INTERRUPTED, STATUS_FAILED))
        resume.setToolTip("Transcribe the archived audio the recording did not get to")
        menu.addAction("Restore punctuation", lambda: self.analysis_requested.emit(rid, True))
        menu.addAction("Analyse again", lambda: self.analysis_requested.emit(rid, None))
        menu.addSeparator()
        menu.addAction("Export…", self.export_requested.emit)
        return menu

    def _open_hit(self, item: QListWidgetItem) -> None:
        recording_id, start = item.data(HIT_ROLE)
        self.open_recording.emit(recording_id, start)
