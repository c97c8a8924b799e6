"""The Streams wall: every running session at a glance, for an analyst following many.

One row a session (name, state, how far transcription is behind, the last committed line,
chat messages per minute, flagged messages, where it runs), sortable by any column; Stop
ends the selected sessions, Open (or a double-click) shows a session's own tab. Rows follow
the sessions' events, so the wall costs nothing while nothing happens.

With `watch_remote`, recordings running in other processes (Celery workers on any machine,
sharing the library) are shown too, read from the library every few seconds off the GUI
thread; Stop on one of them leaves a stop request its worker honours.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.events import ChatReceived, SegmentCommitted, SessionStatus
from ui import workers

COLUMNS = ("Name", "Mode", "State", "Behind (s)", "Last line", "Chat / min", "Flags", "Host")
NAME, MODE, STATE, LAG, LAST, CHAT, FLAGS, HOST = range(len(COLUMNS))
THIS_COMPUTER = "this computer"
REMOTE_REFRESH_MS = 5000
CHAT_WINDOW_S = 60.0
_ROOT = QModelIndex()
STATE_WORDS = {
    "resolving": "Connecting",
    "connecting": "Connecting",
    "live": "Live",
    "reconnecting": "Reconnecting",
    "lagging": "Behind (from the archive)",
    "ended": "Ended",
    "failed": "Failed",
}


@dataclass
class StreamRow:
    recording_id: int
    name: str
    mode: str
    state: str = "Live"
    lag_s: float = 0.0
    last_line: str = ""
    flags: int = 0
    chat_times: deque = field(default_factory=deque)  # monotonic arrival times
    host: str = THIS_COMPUTER
    remote: bool = False  # run by another process (a worker), read from the library
    stoppable: bool = True

    def chat_per_minute(self, now: float) -> int:
        while self.chat_times and now - self.chat_times[0] > CHAT_WINDOW_S:
            self.chat_times.popleft()
        return len(self.chat_times)


class StreamsModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[StreamRow] = []

    def rowCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.UserRole:  # what sorting compares
            return self._value(row, column)
        if role == Qt.ItemDataRole.DisplayRole:
            value = self._value(row, column)
            if column == LAG:
                return f"{value:.0f}"
            return str(value)
        if role == Qt.ItemDataRole.ToolTipRole and column == LAST:
            return row.last_line
        return None

    @staticmethod
    def _value(row: StreamRow, column: int):
        return (
            row.name,
            row.mode,
            row.state,
            row.lag_s,
            row.last_line,
            row.chat_per_minute(time.monotonic()),
            row.flags,
            row.host,
        )[column]

    def add(self, recording_id: int, name: str, mode: str, **details) -> None:
        existing = self.find(recording_id)
        if existing is not None:
            if self.rows[existing].remote and not details.get("remote"):
                # Read from the library a moment before this process announced it as its own.
                self.update(recording_id, remote=False, host=THIS_COMPUTER, stoppable=True)
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
        self.rows.append(StreamRow(recording_id, name, mode, **details))
        self.endInsertRows()

    def show_remote(self, sessions: list) -> None:
        """The rows of recordings running elsewhere become `sessions` (RemoteSession)."""
        wanted = {s.recording_id: s for s in sessions}
        for row in [r for r in self.rows if r.remote and r.recording_id not in wanted]:
            self.remove(row.recording_id)
        for session in sessions:
            details = {
                "state": session.state,
                "lag_s": session.lag_s,
                "host": session.host,
                "stoppable": session.stoppable,
            }
            if self.find(session.recording_id) is None:
                self.add(session.recording_id, session.name, session.mode, remote=True, **details)
            elif self.rows[self.find(session.recording_id)].remote:
                self.update(session.recording_id, **details)

    def remove(self, recording_id: int) -> None:
        row = self.find(recording_id)
        if row is not None:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.rows[row]
            self.endRemoveRows()

    def find(self, recording_id: int) -> int | None:
        for i, row in enumerate(self.rows):
            if row.recording_id == recording_id:
                return i
        return None

    def update(self, recording_id: int, **changes) -> None:
        i = self.find(recording_id)
        if i is None:
            return
        row = self.rows[i]
        for name, value in changes.items():
            setattr(row, name, value)
        self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

    def add_chat(self, recording_id: int, messages: int, flagged: int) -> None:
        i = self.find(recording_id)
        if i is None:
            return
        row = self.rows[i]
        now = time.monotonic()
        row.chat_times.extend([now] * messages)
        row.flags += flagged
        self.dataChanged.emit(self.index(i, CHAT), self.index(i, FLAGS))


class _SortByValue(QSortFilterProxyModel):
    def lessThan(self, left, right) -> bool:
        a = left.data(Qt.ItemDataRole.UserRole)
        b = right.data(Qt.ItemDataRole.UserRole)
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)


class StreamsView(QWidget):
    """`open_requested(recording_id)`, `stop_requested(recording_ids)`."""

    open_requested = Signal(int)
    stop_requested = Signal(list)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model = StreamsModel(self)
        self.proxy = _SortByValue(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setDynamicSortFilter(True)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(LAST, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._open)
        self.summary = QLabel()
        open_button = QPushButton("Open")
        open_button.clicked.connect(self._open)
        stop_button = QPushButton("Stop")
        stop_button.setToolTip("Stop the selected recordings (what was transcribed is kept)")
        stop_button.clicked.connect(self._stop)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(open_button)
        buttons.addWidget(stop_button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        self._remote = None
        self._refreshing = False
        self._timer = QTimer(self)
        self._timer.setInterval(REMOTE_REFRESH_MS)
        self._timer.timeout.connect(self.refresh_remote)
        self._summarise()

    def watch_remote(self, remote) -> None:
        """Show recordings running elsewhere: `remote` is an `app.distributed.monitor.
        RemoteSessions` (`running(exclude)`, `request_stop(ids)`), read every few seconds."""
        self._remote = remote
        self.refresh_remote()
        self._timer.start()

    def refresh_remote(self) -> None:
        if self._remote is None or self._refreshing:
            return
        self._refreshing = True
        local = [r.recording_id for r in self.model.rows if not r.remote]
        worker = workers.Worker(self._remote.running, local)
        worker.signals.returned.connect(self._show_remote)
        worker.signals.finished.connect(self._refreshed)
        workers.start(worker)

    def _refreshed(self) -> None:
        self._refreshing = False

    def _show_remote(self, sessions: list) -> None:
        self.model.show_remote(sessions)
        self._summarise()

    # --- sessions come and go ----------------------------------------------------------

    def add_session(self, recording_id: int, name: str, mode: str) -> None:
        self.model.add(recording_id, name, mode)
        self._summarise()

    def remove_session(self, recording_id: int) -> None:
        self.model.remove(recording_id)
        self._summarise()

    # --- events ------------------------------------------------------------------------

    def on_segment(self, event: SegmentCommitted) -> None:
        if event.final:
            self.model.update(event.recording_id, last_line=event.text)

    def on_status(self, event: SessionStatus) -> None:
        if event.recording_id is None:
            return
        changes = {"state": STATE_WORDS.get(event.state, event.state)}
        if "lag_s" in event.detail:
            changes["lag_s"] = float(event.detail["lag_s"])
        self.model.update(event.recording_id, **changes)
        self._summarise()

    def on_chat(self, event: ChatReceived) -> None:
        messages = [item for item in event.items if item.kind == "message"]
        flagged = sum(bool(item.violation) for item in messages)
        self.model.add_chat(event.recording_id, len(messages), flagged)

    # --- the user ------------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        rows = {self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()}
        return [self.model.rows[r].recording_id for r in sorted(rows)]

    def _open(self, *_args) -> None:
        for recording_id in self.selected_ids()[:1]:
            self.open_requested.emit(recording_id)

    def _stop(self) -> None:
        ids = self.selected_ids()
        rows = {r.recording_id: r for r in self.model.rows}
        remote = [i for i in ids if rows[i].remote and rows[i].stoppable]
        local = [i for i in ids if not rows[i].remote]
        if remote and self._remote is not None:
            for recording_id in remote:
                self.model.update(recording_id, state="Stopping")
            workers.start(workers.Worker(self._remote.request_stop, remote))
        if local:
            self.stop_requested.emit(local)

    def _summarise(self) -> None:
        rows = self.model.rows
        running = sum(r.state not in ("Ended", "Failed") for r in rows)
        behind = sum(r.lag_s >= 10 for r in rows)
        self.summary.setText(
            f"{running} running" + (f", {behind} behind by 10 s or more" if behind else "")
            if rows
            else "No recordings running. Start one from Sources (select several to record "
            "them at once) or with New recording."
        )
