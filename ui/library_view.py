"""The library: every recording in a sortable, filterable table, and full-text search."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.timefmt import hms
from storage import RecordingRecord, SearchHit
from storage.recordings import STATUS_FAILED, STATUS_INTERRUPTED
from ui.library_model import RecordingsModel

HIT_ROLE = Qt.ItemDataRole.UserRole + 1


class LibraryView(QWidget):
    open_recording = Signal(int, float)  # recording id, seconds into it
    search_requested = Signal(str)
    resume_requested = Signal(int)  # transcribe what an interrupted recording archived
    analysis_requested = Signal(int, object)  # recording id, punctuate (True/None)
    export_requested = Signal()

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
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.filter_box.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
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
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_box)
        layout.addWidget(split, 1)
        layout.addWidget(self.filter_box)

    def selected_ids(self) -> list[int]:
        rows = {self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()}
        return [self.model.recording_at(r).id for r in sorted(rows)]

    def set_recordings(self, rows: list[RecordingRecord]) -> None:
        self.model.set_recordings(rows)

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
            item = QListWidgetItem(
                f"#{hit.recording_id} {title}  [{hms(hit.start_s)}]  {where}{hit.snippet}"
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
