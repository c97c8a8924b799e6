"""Turns app events (published on any thread) into Qt signals (handled on the GUI thread)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.events import EventBus, SegmentCommitted, SessionError, SessionStatus


class EventBridge(QObject):
    segment = Signal(object)  # SegmentCommitted
    status = Signal(object)  # SessionStatus
    error = Signal(object)  # SessionError

    def __init__(self, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe = [
            bus.subscribe(self.segment.emit, SegmentCommitted),
            bus.subscribe(self.status.emit, SessionStatus),
            bus.subscribe(self.error.emit, SessionError),
        ]

    def detach(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
