"""A recording's transcript as an item model: time, speaker and text of each segment, made
only when a view first shows that row (a widget item per cell was 15,000 items for six hours
of radio, built on the GUI thread)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush

from app.records import SegmentRecord
from app.timefmt import hms
from ui.wrapped_rows import LazyRowsModel

HEADERS = ("Time", "Speaker", "Text")
TIME, SPEAKER, TEXT = range(len(HEADERS))

_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole.value
_TOP_LEFT = Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft


class TranscriptModel(LazyRowsModel):
    """Segments in time order; station-break rows are drawn with `muted` and carry
    `break_tip` as their tooltip; each speaker's name in its colour (`speaker_colours`)."""

    def __init__(
        self,
        segments: Sequence[SegmentRecord],
        muted: QBrush,
        break_tip: str,
        break_rows: Iterable[int] = (),
        parent=None,
        speaker_colours: dict[str, QBrush] | None = None,
    ) -> None:
        super().__init__(HEADERS, parent)
        self._speaker_colours = speaker_colours or {}
        self._segments = segments
        self._muted = muted
        self._tip = break_tip
        self._breaks = frozenset(break_rows)
        self.set_rows(len(segments), self._cells)

    def set_break_rows(self, rows: Iterable[int]) -> None:
        before, self._breaks = self._breaks, frozenset(rows)
        self.refill(sorted(before ^ self._breaks))

    def _speaker_look(self, speaker: str | None) -> dict[int, object]:
        brush = self._speaker_colours.get(speaker or "")
        if brush is None:
            return {}
        return {_FOREGROUND: brush, _TOOLTIP: "Double-click to name this voice"}

    def _cells(self, row: int) -> list[dict[int, object]]:
        segment = self._segments[row]
        look = {_ALIGNMENT: _TOP_LEFT}
        if row in self._breaks:
            look |= {_FOREGROUND: self._muted, _TOOLTIP: self._tip}
        return [
            {_DISPLAY: hms(segment.start_s), **look},
            {_DISPLAY: segment.speaker or "", **self._speaker_look(segment.speaker), **look},
            {_DISPLAY: segment.text, **look},
        ]
