"""Keywords, entities and tutorial recommendations of a recording."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.timefmt import hms

TIME_ROLE = Qt.ItemDataRole.UserRole + 4


class KeywordsView(QWidget):
    """The recording's keywords and named entities, then each window's keywords."""

    jump = Signal(float)

    def __init__(self, keywords, entities, parent=None) -> None:
        super().__init__(parent)
        overall = [k for k in keywords if k.scope == "recording"]
        people = [e for e in entities if e.scope == "recording"]
        self.summary = QLabel(
            "<b>Keywords:</b> "
            + (", ".join(html.escape(k.term) for k in overall) or "—")
            + "<br><b>Mentioned:</b> "
            + (
                ", ".join(
                    f"{html.escape(e.name)} <i>({e.kind}, ×{e.mentions})</i>" for e in people[:20]
                )
                or "—"
            )
        )
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.windows = QListWidget()
        self.windows.setWordWrap(True)
        self.windows.itemClicked.connect(lambda item: self.jump.emit(float(item.data(TIME_ROLE))))
        by_window: dict[float, list] = {}
        for k in keywords:
            if k.scope == "window":
                by_window.setdefault(k.start_s, []).append(k.term)
        for start in sorted(by_window):
            item = QListWidgetItem(f"[{hms(start)}] " + " · ".join(by_window[start]))
            item.setData(TIME_ROLE, start)
            self.windows.addItem(item)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.windows, 1)


class TutorialsView(QScrollArea):
    """Recommended tutorials as links, with the tools they matched."""

    def __init__(self, recommendations, parent=None) -> None:
        super().__init__(parent)
        rows = []
        for r in recommendations:
            tools = (
                f" — <i>{html.escape(', '.join(r.matched_tools))}</i>" if r.matched_tools else ""
            )
            rows.append(
                f'<p><a href="{html.escape(r.tutorial.url)}">{html.escape(r.tutorial.title)}</a>'
                f" <small>({html.escape(r.tutorial.software or 'general')}){tools}</small><br>"
                f"{html.escape(r.tutorial.description)}</p>"
            )
        self.label = QLabel("".join(rows))
        self.label.setWordWrap(True)
        self.label.setOpenExternalLinks(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.setWidget(self.label)
        self.setWidgetResizable(True)
