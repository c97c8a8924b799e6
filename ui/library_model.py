"""The library table: recordings as a Qt item model (widgets never touch SQL)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from app.timefmt import hms
from storage import RecordingRecord

_ROOT = QModelIndex()
COLUMNS = (
    "ID",
    "Source",
    "Title",
    "Started (UTC)",
    "Duration",
    "Status",
    "Segments",
    "Chat",
    "Flagged",
)


class RecordingsModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[RecordingRecord] = []

    def set_recordings(self, rows: list[RecordingRecord]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def recording_at(self, row: int) -> RecordingRecord:
        return self._rows[row]

    def rowCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=_ROOT) -> int:
        return len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                r.id,
                r.url,
                r.title or "",
                r.started_at.strftime("%Y-%m-%d %H:%M"),
                hms(r.duration_s),
                r.status,
                r.segment_count,
                r.chat_count or "",
                r.flagged_count or "",
            )[column]
        if role == Qt.ItemDataRole.UserRole:  # sort key
            return (
                r.id,
                r.url,
                r.title or "",
                r.started_at,
                r.duration_s,
                r.status,
                r.segment_count,
                r.chat_count,
                r.flagged_count,
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole and r.error:
            return r.error
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 4, 6, 7, 8):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
