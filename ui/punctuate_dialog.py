"""Punctuate any text (the `punctuate` command in a window): paste a lower-case, unpunctuated
transcript, get it back with sentences, commas, questions and capitals."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout

from app.transcript_analysis import punctuate_text
from ui import workers
from ui.widgets import ErrorBanner


class PunctuateDialog(QDialog):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Punctuate text")
        self.resize(760, 560)
        self.worker: workers.Worker | None = None
        self.banner = ErrorBanner()
        self.source = QPlainTextEdit()
        self.source.setPlaceholderText(
            "Paste a transcript here (its own punctuation is ignored and predicted again)"
        )
        self.run_button = QPushButton("Punctuate")
        self.run_button.clicked.connect(self.punctuate)
        self.output = QPlainTextEdit()
        self.output.setReadOnly(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.source, 1)
        layout.addWidget(self.run_button)
        layout.addWidget(QLabel("Punctuated and capitalised:"))
        layout.addWidget(self.output, 1)

    def punctuate(self) -> None:
        text = self.source.toPlainText()
        if not text.strip():
            self.banner.show_error("Paste some text to punctuate first.")
            return
        self.banner.hide()
        self.run_button.setEnabled(False)
        self.worker = workers.Worker(punctuate_text, text)
        self.worker.signals.returned.connect(self.output.setPlainText)
        self.worker.signals.errored.connect(self.banner.show_error)
        self.worker.signals.finished.connect(lambda: self.run_button.setEnabled(True))
        workers.start(self.worker)
