"""Chat lists: live (appended as it arrives) and stored (with a moderation filter).

Flagged messages are tinted and carry their category; moderation events (bans, timeouts,
deletions) and community events (subs, raids) are set apart in grey italics. Both lists are a
`ChatModel` in a `WrappedRowsView`: a row's line is made and measured only when it is on
screen, so a recording's 50,000 messages open, filter and scroll without stalling the window.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.chat_model import (
    FILTERS,
    FLAG_BRUSH,
    FLAG_TEXT,
    OFFSET_ROLE,
    ChatModel,
    chat_line,
)
from ui.wrapped_rows import WrappedRowsView

__all__ = [
    "FILTERS",
    "FLAG_BRUSH",
    "FLAG_TEXT",
    "MAX_LIVE_ITEMS",
    "OFFSET_ROLE",
    "ChatList",
    "LiveChatView",
    "StoredChatView",
    "chat_line",
]

MAX_LIVE_ITEMS = 3000


class ChatList(WrappedRowsView):
    """One column of chat lines, wrapped, without grid or header."""

    def __init__(self, model: ChatModel, parent=None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setShowGrid(False)
        self.horizontalHeader().hide()

    def lines(self) -> list[str]:
        model = self.model()
        return [model.line(row) for row in range(model.rowCount())]


class LiveChatView(QWidget):
    """The chat of a running session, newest at the bottom."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.state = QLabel("Chat: not captured for this stream")
        self.counts = QLabel()
        self.model = ChatModel()
        self.list = ChatList(self.model)
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
        bar = self.list.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 4
        self.model.append(list(items), keep=MAX_LIVE_ITEMS)
        for chat in items:
            self.messages += chat.kind == "message"
            self.flagged += chat.violation
        self.counts.setText(f"{self.messages} messages · {self.flagged} flagged")
        if at_bottom:
            self.list.scrollToBottom()

    def set_state(self, text: str) -> None:
        self.state.setText(f"Chat: {text}")

    def lines(self) -> list[str]:
        return self.list.lines()


class StoredChatView(QWidget):
    """A recording's chat with a moderation filter; a click jumps to that moment."""

    jump = Signal(float)

    def __init__(self, messages, totals: tuple[int, int] | None = None, parent=None) -> None:
        """`totals`: (messages, flagged) when already counted, off the GUI thread."""
        super().__init__(parent)
        self.model = ChatModel(messages)
        self.messages = self.model.messages
        if totals is None:
            totals = (
                sum(m.kind == "message" for m in self.messages),
                sum(bool(m.violation) for m in self.messages),
            )
        self.total, self.flagged = totals
        self.filter = QComboBox()
        self.filter.addItems(FILTERS)
        self.filter.currentIndexChanged.connect(self._filter)
        self.summary = QLabel()
        self.list = ChatList(self.model)
        self.list.clicked.connect(self._clicked)
        top = QHBoxLayout()
        top.addWidget(self.filter)
        top.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        self._filter()

    def _filter(self) -> None:
        self.model.set_filter(self.filter.currentIndex())
        self.list.scrollToTop()
        self.summary.setText(
            f"{self.model.rowCount()} shown · {self.total} messages · {self.flagged} flagged"
        )

    def _clicked(self, index: QModelIndex) -> None:
        self.jump.emit(float(self.model.message_at(index.row()).offset_s))

    def lines(self) -> list[str]:
        return self.list.lines()
