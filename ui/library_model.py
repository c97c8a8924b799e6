"""The library table: recordings as a Qt item model (widgets never touch SQL)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt

from app.records import RecordingRecord
from app.timefmt import hms

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
    """One row per recording. Sorting reads `sort_key` (Python values) through
    `RecordingsProxy`: handing datetimes to Qt as sort data made Qt compare them as opaque
    objects, so *Started* showed its arrow but left the rows in load order."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[RecordingRecord] = []

    def set_recordings(self, rows: list[RecordingRecord]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def recording_at(self, row: int) -> RecordingRecord:
        return self._rows[row]

    def sort_key(self, row: int, column: int):
        """What `column` sorts by in `row`: the value itself (a datetime, seconds, a count),
        never its text, so dates sort as dates and 10 comes after 9. None for no value."""
        r = self._rows[row]
        return (
            r.id,
            r.url.casefold(),
            (r.title or "").casefold() or None,
            r.started_at,
            r.duration_s,
            r.status,
            r.segment_count,
            r.chat_count,
            r.flagged_count,
        )[column]

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
        if role == Qt.ItemDataRole.ToolTipRole and r.error:
            return r.error
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 4, 6, 7, 8):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class RecordingsProxy(QSortFilterProxyModel):
    """Sorts by the model's `sort_key`; rows without a value go last in either order."""

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:
        model = self.sourceModel()
        a = model.sort_key(left.row(), left.column())
        b = model.sort_key(right.row(), right.column())
        if a is None or b is None:
            # Qt reverses the result for a descending sort; keep empty values at the bottom.
            ascending = self.sortOrder() == Qt.SortOrder.AscendingOrder
            return (a is not None) if ascending else (a is None and b is not None)
        if a == b:
            return left.row() < right.row()  # stable: equal values keep the library's order
        return a < b
