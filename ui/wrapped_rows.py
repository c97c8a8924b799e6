"""Rows of wrapped text for hours of data: filled in and measured only when they come into view.

Qt's own ways to fit rows to wrapped text measure every row: `resizeRowsToContents` all at
once, a vertical header in ResizeToContents mode on every layout. For a six-hour recording
(5,000 transcript rows, 50,000 chat messages) that is seconds on the GUI thread, again after
every filter change or column resize. `WrappedRowsView` scrolls by whole rows
(`ScrollPerItem`), so where a row is drawn depends only on the rows between the top of the
viewport and it, never on the thousands above: each row gets its height when it first comes
into view (about 30 rows, a few milliseconds), rows not yet seen keep a one-line height, and
a change of column width forgets the heights measured for the old width. A jump measures the
rows around its target first, so the row lands where it was asked to be.

`LazyRowsModel` keeps the cells in Qt's own item storage, filled from Python only when a view
first needs a row. Not a Python `data()`: a view calls it from C++ for each role of each cell
it paints, and every such call must take Python's GIL, which a busy worker thread (the chat
statistics of a long recording, seconds of Python) hands over only every 5 ms (the
interpreter's switch interval) — a repaint of a screenful of rows then stalled the window for
up to 400 ms. Painting here reads C++ only. `benchmarks/gui_large.py` measures all of this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QFont, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

_SIZE_ROLES = {
    Qt.ItemDataRole.DisplayRole.value,
    Qt.ItemDataRole.FontRole.value,
    Qt.ItemDataRole.SizeHintRole.value,
}


class Cell:
    """One cell read through the model, with the read accessors of `QTableWidgetItem` (what
    callers and tests of the item widgets this view replaced read from a cell)."""

    def __init__(self, index: QModelIndex) -> None:
        self.index = index

    def data(self, role: int | Qt.ItemDataRole):
        return self.index.data(role)

    def text(self) -> str:
        return self.index.data(Qt.ItemDataRole.DisplayRole) or ""

    def toolTip(self) -> str:
        return self.index.data(Qt.ItemDataRole.ToolTipRole) or ""

    def foreground(self) -> QBrush:
        return self.index.data(Qt.ItemDataRole.ForegroundRole) or QBrush()

    def background(self) -> QBrush:
        return self.index.data(Qt.ItemDataRole.BackgroundRole) or QBrush()

    def font(self) -> QFont:
        return self.index.data(Qt.ItemDataRole.FontRole) or QFont()


Cells = Callable[[int], Sequence[Mapping[int, object]]]  # row -> per column, role -> value


class LazyRowsModel(QStandardItemModel):
    """Rows in Qt's item storage whose cells are made from Python when first needed (see the
    module): `cells(row)` gives, for each column, the value of each role."""

    def __init__(self, headers: Sequence[str] = (), parent=None) -> None:
        super().__init__(0, max(1, len(headers)), parent)
        if headers:
            self.setHorizontalHeaderLabels(list(headers))
        self._describe: Cells = lambda _row: ()
        self._filled = bytearray()

    def set_rows(self, count: int, cells: Cells) -> None:
        """Replace every row by `count` rows that `cells` describes."""
        self.removeRows(0, self.rowCount())
        self._describe = cells
        self._filled = bytearray(count)
        self.insertRows(0, count)

    def append_rows(self, count: int) -> None:
        """`count` more rows at the end (`cells` knows them already)."""
        if count > 0:
            self._filled.extend(bytes(count))
            self.insertRows(self.rowCount(), count)

    def drop_first_rows(self, count: int) -> None:
        if count > 0:
            del self._filled[:count]
            self.removeRows(0, count)

    def fill(self, first: int, last: int | None = None) -> None:
        """Make the cells of rows `first`..`last` that have not been made yet."""
        last = min(first if last is None else last, len(self._filled) - 1)
        rows = [row for row in range(max(first, 0), last + 1) if not self._filled[row]]
        if rows:
            self._make(rows)

    def refill(self, rows: Iterable[int]) -> None:
        """Make again the cells of these rows, where they were made (their data changed)."""
        rows = [row for row in rows if 0 <= row < len(self._filled) and self._filled[row]]
        if rows:
            self._make(rows, clear=True)

    def _make(self, rows: list[int], clear: bool = False) -> None:
        """Set the rows' cells with one `dataChanged` for them all: `setItem` would have
        announced a layout change for each cell (1 ms each with 50,000 rows in a view)."""
        blocked = self.blockSignals(True)
        try:
            for row in rows:
                self._filled[row] = 1
                for column, roles in enumerate(self._describe(row)):
                    index = self.index(row, column)
                    if clear:
                        self.clearItemData(index)
                    self.setItemData(index, {r: v for r, v in roles.items() if v is not None})
        finally:
            self.blockSignals(blocked)
        self.dataChanged.emit(
            self.index(min(rows), 0), self.index(max(rows), self.columnCount() - 1)
        )


class WrappedRowsView(QTableView):
    """Rows of wrapped text, each measured when it first comes into view (see the module)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.setWordWrap(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)  # one line, until measured
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().sectionResized.connect(self._forget_heights)
        self.verticalScrollBar().actionTriggered.connect(self._drop_anchor)
        self._measured: set[int] = set()
        self._width = -1
        self._anchor: QPersistentModelIndex | None = None  # a row to keep centred

    # --- the model ------------------------------------------------------------------------

    def setModel(self, model) -> None:
        old = self.model()
        if old is not None:
            for signal, slot in self._model_slots(old):
                signal.disconnect(slot)
        super().setModel(model)
        self._measured.clear()
        if model is not None:
            for signal, slot in self._model_slots(model):
                signal.connect(slot)
        self.fit_later()

    def _model_slots(self, model) -> list:
        return [
            (model.modelReset, self._forget_heights),
            (model.layoutChanged, self._forget_heights),
            (model.rowsInserted, self._rows_inserted),
            (model.rowsRemoved, self._rows_removed),
            (model.dataChanged, self._data_changed),
        ]

    def rowCount(self) -> int:
        """The model's rows (as `QTableWidget.rowCount`)."""
        model = self.model()
        return model.rowCount() if model is not None else 0

    def item(self, row: int, column: int = 0) -> Cell | None:
        """The cell at (row, column), read-only; None outside the model."""
        model = self.model()
        index = model.index(row, column) if model is not None else QModelIndex()
        if not index.isValid():
            return None
        if isinstance(model, LazyRowsModel):
            model.fill(row)
        return Cell(index)

    # --- measuring rows -------------------------------------------------------------------

    def fit_later(self) -> None:
        """Fill and measure the rows in view before they are next painted."""
        self.viewport().update()

    def _forget_heights(self, *_args) -> None:
        self._measured.clear()
        self.fit_later()

    def _rows_inserted(self, _parent, first: int, last: int) -> None:
        count = last - first + 1
        if any(row >= first for row in self._measured):
            self._measured = {row + count if row >= first else row for row in self._measured}
        self.fit_later()

    def _rows_removed(self, _parent, first: int, last: int) -> None:
        count = last - first + 1
        self._measured = {
            row - count if row > last else row for row in self._measured if not first <= row <= last
        }
        self.fit_later()

    def _data_changed(self, top: QModelIndex, bottom: QModelIndex, roles=()) -> None:
        if roles and not _SIZE_ROLES.intersection(int(getattr(r, "value", r)) for r in roles):
            return  # a colour or a tooltip: the heights still hold
        self._measured.difference_update(range(top.row(), bottom.row() + 1))
        self.fit_later()

    def paintEvent(self, event) -> None:
        """Rows come into view by scrolling, resizing, filtering or hiding rows: whichever it
        was, they are filled and measured here, before they are drawn (a height set now is
        used by this very paint; the extra repaint it asks for finds nothing left to do)."""
        self._fit()
        super().paintEvent(event)

    def _fit(self) -> None:
        """Measure the rows on screen, and the last screenful (where the scroll range ends)."""
        count = self.rowCount()
        if not count:
            return
        height = self.viewport().height()
        self._measure(max(0, self.rowAt(0)), height, 1)
        self._measure(count - 1, height, -1)

    def _measure(self, row: int, height: int, step: int) -> None:
        """Measure rows from `row` in direction `step` until they fill `height` pixels."""
        count = self.rowCount()
        model = self.model()
        lazy = isinstance(model, LazyRowsModel)
        if lazy:  # a screenful of one-line rows in one go (one `dataChanged`)
            reach = height // max(1, self.verticalHeader().defaultSectionSize()) + 1
            model.fill(*sorted((max(0, row), min(count - 1, row + step * reach))))
        covered = 0
        while 0 <= row < count and covered < height:
            if not self.isRowHidden(row):
                if lazy:
                    model.fill(row)  # beyond that screenful when rows in it are hidden
                if row not in self._measured:
                    self._measured.add(row)
                    hint = self.sizeHintForRow(row)
                    if hint > 0 and hint != self.rowHeight(row):
                        self.setRowHeight(row, hint)
                covered += self.rowHeight(row)
            row += step

    # --- scrolling ------------------------------------------------------------------------

    def scrollTo(self, index: QModelIndex, hint=QAbstractItemView.ScrollHint.EnsureVisible) -> None:
        """Measure the rows that will share the screen with `index` before placing it; a
        centred row is kept centred while the view is still being laid out, until the user
        scrolls."""
        if index.isValid():
            height = max(self.viewport().height(), 1)
            self._measure(index.row(), height, -1)
            self._measure(index.row(), height, 1)
            self.updateGeometries()
            centred = hint == QAbstractItemView.ScrollHint.PositionAtCenter
            self._anchor = QPersistentModelIndex(index) if centred else None
        super().scrollTo(index, hint)

    def scrollToBottom(self) -> None:
        """Measure the last screenful first, so the scroll range ends where the real heights
        of its rows put it (a live chat scrolled to the bottom stays there)."""
        count = self.rowCount()
        if count:
            self._measure(count - 1, max(self.viewport().height(), 1), -1)
            self.updateGeometries()
        super().scrollToBottom()

    def _drop_anchor(self, *_args) -> None:
        self._anchor = None

    def wheelEvent(self, event) -> None:
        self._anchor = None
        super().wheelEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != self._width:
            self._width = event.size().width()
            self._measured.clear()
        if self._anchor is not None and self._anchor.isValid():
            self.scrollTo(QModelIndex(self._anchor), QAbstractItemView.ScrollHint.PositionAtCenter)
        self.fit_later()
