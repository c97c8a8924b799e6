"""Summaries as a list: the whole recording first, then each clip; a click jumps there."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.timefmt import hms

TIME_ROLE = Qt.ItemDataRole.UserRole + 3


class SummaryList(QWidget):
    jump = Signal(float)

    def __init__(self, summaries=(), parent=None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.itemClicked.connect(self._clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        self._clips: dict[float, list] = {}
        self._overall: list = []
        for summary in summaries:
            self.update_summary(summary.kind, summary.start_s, summary.end_s, summary.sentences)

    def update_summary(self, kind: str, start_s: float, end_s: float, sentences) -> None:
        if kind == "recording":
            self._overall = list(sentences)
        else:
            self._clips[start_s] = [end_s, list(sentences)]
        self._fill()

    def _fill(self) -> None:
        self.list.clear()
        if self._overall:
            self._heading("Whole recording")
            self._sentences(self._overall)
        for start in sorted(self._clips):
            end, sentences = self._clips[start]
            if not sentences:
                continue  # nothing worth summarizing: station breaks, music, small talk
            self._heading(f"Clip {hms(start)}–{hms(end)}")
            self._sentences(sentences)

    def _heading(self, text: str) -> None:
        item = QListWidgetItem(text)
        font = QFont()
        font.setBold(True)
        item.setFont(font)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self.list.addItem(item)

    def _sentences(self, sentences) -> None:
        for start, _end, text in sentences:
            item = QListWidgetItem(f"[{hms(start)}] {text}")
            item.setData(TIME_ROLE, float(start))
            self.list.addItem(item)

    def _clicked(self, item: QListWidgetItem) -> None:
        seconds = item.data(TIME_ROLE)
        if seconds is not None:
            self.jump.emit(float(seconds))

    def lines(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]
