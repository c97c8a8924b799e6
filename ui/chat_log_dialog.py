"""Check a chat log from a file (the `moderate FILE` command in a window): every message
with its verdict, category and score; flagged ones tinted, optionally shown alone."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.chat_logs import ModeratedLog, moderate_log
from ui import workers
from ui.chat_view import FLAG_BRUSH, FLAG_TEXT
from ui.widgets import ErrorBanner

LOG_FILTER = "Chat logs (*.json *.jsonl *.csv *.txt);;All files (*)"


class ChatLogDialog(QDialog):
    def __init__(self, parent=None, threshold: float | None = None) -> None:
        """`threshold`: the user's "flag at score" (None: the model's own)."""
        super().__init__(parent)
        self.threshold = threshold
        self.setWindowTitle("Check a chat log")
        self.resize(900, 600)
        self.worker: workers.Worker | None = None
        self.banner = ErrorBanner()
        self.path = ""
        self.choose_button = QPushButton("Choose a file…")
        self.choose_button.clicked.connect(self._choose)
        self.use_context = QCheckBox("Judge each message with the chat before it")
        self.use_context.setChecked(True)
        self.flagged_only = QCheckBox("Flagged only")
        self.flagged_only.toggled.connect(self._filter)
        self.result = QLabel(
            "A chat replay (yt-dlp live_chat.json, chat-downloader JSON/JSONL, CSV) or JSONL "
            "with a message and its context per line."
        )
        self.result.setWordWrap(True)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            ["Message", "Violation", "Category", "Score", "Target"]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 5):
            head.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        controls = QHBoxLayout()
        controls.addWidget(self.choose_button)
        controls.addWidget(self.use_context)
        controls.addWidget(self.flagged_only)
        controls.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(controls)
        layout.addWidget(self.result)
        layout.addWidget(self.table, 1)

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Chat log", "", LOG_FILTER)
        if path:
            self.check(path)

    def check(self, path: str) -> None:
        """Classify the log at `path` off the GUI thread."""
        self.path = path
        self.banner.hide()
        self.choose_button.setEnabled(False)
        self.result.setText(f"Checking {path}…")
        self.worker = workers.Worker(moderate_log, path, None, self.use_context.isChecked())
        self.worker.signals.returned.connect(self._show)
        self.worker.signals.errored.connect(self._failed)
        self.worker.signals.finished.connect(lambda: self.choose_button.setEnabled(True))
        workers.start(self.worker)

    def _show(self, checked: ModeratedLog) -> None:
        flagged = sum(1 for _m, v in checked.results if v.violation)
        skipped = (
            f" {checked.skipped_lines} unreadable line(s) skipped." if checked.skipped_lines else ""
        )
        self.result.setText(
            f"{len(checked.results)} messages, {flagged} flagged, in {self.path}.{skipped}"
        )
        self.table.setRowCount(len(checked.results))
        for row, (message, verdict) in enumerate(checked.results):
            named = verdict.violation  # a category is only meaningful for a violation
            cells = [
                message,
                "yes" if verdict.violation else "",
                (verdict.category or "") if named else "",
                f"{verdict.score:.3f}",
                (verdict.target or "") if named else "",
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if verdict.violation:
                    item.setBackground(FLAG_BRUSH)
                    item.setForeground(FLAG_TEXT)
                self.table.setItem(row, column, item)
        self._filter()

    def _filter(self) -> None:
        only = self.flagged_only.isChecked()
        for row in range(self.table.rowCount()):
            violation = self.table.item(row, 1)
            self.table.setRowHidden(row, only and not (violation and violation.text()))

    def _failed(self, message: str) -> None:
        self.result.setText("")
        self.banner.show_error(message)
