"""Batch import in the window: pick files, folders or URLs; watch each item land; cancel."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from app.config import Settings
from app.importer import FAILED, BatchImport, ImportOutcome, ImportReport, discover
from app.records import Library
from ui import workers
from ui.schedules_dialog import fill_table, make_table
from ui.widgets import ErrorBanner


class ImportDialog(QDialog):
    """Runs `BatchImport` off the GUI thread; progress arrives as signals."""

    imported = Signal()  # something new is in the library

    def __init__(self, library: Library, settings: Settings, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import archived streams")
        self.library = library
        self.settings = settings
        self.batch: BatchImport | None = None
        self.worker: workers.Worker | None = None
        self.outcomes: list[ImportOutcome] = []
        self.banner = ErrorBanner()
        self.inputs = QPlainTextEdit()
        self.inputs.setPlaceholderText(
            "One per line: files, folders, globs (archive/**/*.mp4), URL lists (.txt) or URLs "
            "(a playlist expands to its videos). Transcripts next to a video (NAME.srt, "
            "NAME.vtt, NAME.json) are used instead of transcribing."
        )
        add_files = QPushButton("Add files…")
        add_files.clicked.connect(self._add_files)
        add_folder = QPushButton("Add folder…")
        add_folder.clicked.connect(self._add_folder)
        self.retranscribe = QCheckBox("Transcribe media even when a transcript is beside it")
        self.workers_box = QSpinBox()
        self.workers_box.setRange(1, 8)
        self.workers_box.setValue(2)
        self.workers_box.setPrefix("at a time: ")
        self.start_button = QPushButton("Import")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.hide()
        self.summary = QLabel()
        self.results = make_table(["Item", "Status", "Recording", "Detail"])
        row = QHBoxLayout()
        for widget in (add_files, add_folder, self.retranscribe):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.workers_box)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.start_button)
        bottom.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.inputs, 1)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.results, 2)
        layout.addLayout(bottom)
        self.resize(900, 600)

    def add_inputs(self, paths: list[str]) -> None:
        existing = self.inputs.toPlainText().rstrip()
        self.inputs.setPlainText("\n".join([p for p in [existing, *paths] if p]))

    def _add_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Files to import")
        self.add_inputs(paths)

    def _add_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "A folder to import")
        if path:
            self.add_inputs([path])

    @property
    def running(self) -> bool:
        return self.worker is not None

    def start(self) -> None:
        inputs = [line.strip() for line in self.inputs.toPlainText().splitlines() if line.strip()]
        if not inputs or self.running:
            if not inputs:
                self.banner.show_error("Add files, folders or URLs to import first.")
            return
        self.banner.hide()
        self.outcomes = []
        self.batch = BatchImport(
            self.library,
            self.settings,
            retranscribe=self.retranscribe.isChecked(),
            workers=self.workers_box.value(),
        )
        self.progress.setRange(0, 0)  # busy until the items are known
        self.progress.show()
        self.summary.setText("Looking for items…")
        self.start_button.setEnabled(False)
        self.worker = workers.Worker(self._run, inputs)
        self.worker.signals.progress.connect(self._on_progress)
        self.worker.signals.returned.connect(self._finished)
        self.worker.signals.errored.connect(self._failed)
        workers.start(self.worker)

    def _run(self, inputs: list[str], report) -> ImportReport:
        items, problems = discover(inputs)
        for problem in problems:
            report(("outcome", problem, 0, len(items)))
        report(("total", None, 0, len(items)))
        result = self.batch.run(items, lambda o, done, total: report(("outcome", o, done, total)))
        return ImportReport(problems + result.outcomes)

    def _on_progress(self, message) -> None:
        kind, outcome, done, total = message
        if kind == "total":
            self.progress.setRange(0, max(1, total))
            self.progress.setValue(0)
            self.summary.setText(f"Importing {total} item(s)…")
            return
        self.outcomes.append(outcome)
        if total:
            self.progress.setValue(done)
        self._show_outcomes()

    def _show_outcomes(self) -> None:
        fill_table(
            self.results,
            [
                [
                    o.item.label,
                    o.status,
                    f"#{o.recording_id}" if o.recording_id else "",
                    o.detail,
                ]
                for o in self.outcomes
            ],
        )

    def _finished(self, report: ImportReport) -> None:
        self.outcomes = list(report.outcomes)
        self._show_outcomes()
        self._done(report.summary())
        if report.of("imported"):
            self.imported.emit()
        if report.of(FAILED):
            self.banner.show_error(
                f"{len(report.of(FAILED))} item(s) could not be imported; see the list."
            )

    def _failed(self, message: str) -> None:
        self.banner.show_error(message)
        self._done("Import stopped.")

    def _done(self, text: str) -> None:
        self.summary.setText(text)
        self.progress.hide()
        self.start_button.setEnabled(True)
        self.worker = None

    def cancel(self) -> None:
        """While running: start no further items (running ones finish). Otherwise close."""
        if self.running and self.batch is not None:
            self.batch.cancel()
            self.summary.setText("Cancelling: the items already running will finish…")
        else:
            self.reject()

    def closeEvent(self, event) -> None:
        if self.running and self.batch is not None:
            self.batch.cancel()
        super().closeEvent(event)
