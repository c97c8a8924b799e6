"""Chat lists: live (appended as it arrives) and stored (with a moderation filter).

Flagged messages are tinted and carry their category; moderation events (bans, timeouts,
deletions) and community events (subs, raids) are set apart in grey italics.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.timefmt import hms

FLAG_BRUSH = QBrush(QColor(253, 226, 224))
FLAG_TEXT = QBrush(QColor(138, 28, 23))
OFFSET_ROLE = Qt.ItemDataRole.UserRole + 2
MAX_LIVE_ITEMS = 3000
FILTERS = ("All messages", "Flagged only", "Moderation events", "Deleted by moderators")


def chat_line(
    offset_s: float, kind: str, author: str, text: str, category: str | None, score, duration_s=None
) -> str:
    when = hms(offset_s)
    if kind == "message":
        flag = f"   ⚑ {category} ({score:.2f})" if category else ""
        return f"[{when}] {author}: {text}{flag}"
    extra = f" {duration_s:.0f} s" if duration_s else ""
    return f"[{when}] — {kind}{extra}: {author} {text}".rstrip()


def style_item(item: QListWidgetItem, kind: str, flagged: bool, deleted: bool = False) -> None:
    if flagged:
        item.setBackground(FLAG_BRUSH)
        item.setForeground(FLAG_TEXT)
    if kind != "message" or deleted:
        font = QFont()
        font.setItalic(True)
        if deleted:
            font.setStrikeOut(True)
        item.setFont(font)
        if kind != "message":
            item.setForeground(QBrush(QColor(120, 120, 120)))


class LiveChatView(QWidget):
    """The chat of a running session, newest at the bottom."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.state = QLabel("Chat: not captured for this stream")
        self.counts = QLabel()
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.messages = 0
        self.flagged = 0
        top = QHBoxLayout()
        top.addWidget(self.state, 1)
        top.addWidget(self.counts)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)

    def add_items(self, items) -> None:
        at_bottom = (
            self.list.verticalScrollBar().value() >= self.list.verticalScrollBar().maximum() - 4
        )
        for chat in items:
            item = QListWidgetItem(
                chat_line(
                    chat.offset_s, chat.kind, chat.author, chat.text, chat.category, chat.score
                )
            )
            item.setData(OFFSET_ROLE, chat.offset_s)
            style_item(item, chat.kind, chat.violation)
            self.list.addItem(item)
            self.messages += chat.kind == "message"
            self.flagged += chat.violation
        overflow = self.list.count() - MAX_LIVE_ITEMS
        for _ in range(max(0, overflow)):
            self.list.takeItem(0)
        self.counts.setText(f"{self.messages} messages · {self.flagged} flagged")
        if at_bottom:
            self.list.scrollToBottom()

    def set_state(self, text: str) -> None:
        self.state.setText(f"Chat: {text}")

    def lines(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]


class StoredChatView(QWidget):
    """A recording's chat with a moderation filter; a click jumps to that moment."""

    jump = Signal(float)

    def __init__(self, messages, parent=None) -> None:
        super().__init__(parent)
        self.messages = messages
        self.filter = QComboBox()
        self.filter.addItems(FILTERS)
        self.filter.currentIndexChanged.connect(self._fill)
        self.summary = QLabel()
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.itemClicked.connect(lambda item: self.jump.emit(float(item.data(OFFSET_ROLE))))
        top = QHBoxLayout()
        top.addWidget(self.filter)
        top.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        self._fill()

    def _fill(self) -> None:
        choice = self.filter.currentIndex()
        self.list.clear()
        shown = 0
        for m in self.messages:
            if choice == 1 and not m.violation:
                continue
            if choice == 2 and m.kind == "message":
                continue
            if choice == 3 and not m.deleted:
                continue
            author = m.display_name or m.author or (m.target_user or "")
            item = QListWidgetItem(
                chat_line(
                    m.offset_s,
                    m.kind,
                    author,
                    m.text,
                    m.category if m.violation else None,
                    m.score,
                    m.duration_s,
                )
            )
            item.setData(OFFSET_ROLE, m.offset_s)
            style_item(item, m.kind, bool(m.violation), m.deleted)
            self.list.addItem(item)
            shown += 1
        total = sum(m.kind == "message" for m in self.messages)
        flagged = sum(bool(m.violation) for m in self.messages)
        self.summary.setText(f"{shown} shown · {total} messages · {flagged} flagged")

    def lines(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]
