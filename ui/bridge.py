"""Turns app events (published on any thread) into Qt signals (handled on the GUI thread)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.events import (
    ChatReceived,
    ChatStatus,
    EventBus,
    KeywordsUpdated,
    ScheduledRun,
    SegmentCommitted,
    SessionError,
    SessionStatus,
    SummaryUpdated,
    TutorialsUpdated,
)


class EventBridge(QObject):
    segment = Signal(object)  # SegmentCommitted
    status = Signal(object)  # SessionStatus
    error = Signal(object)  # SessionError
    scheduled = Signal(object)  # ScheduledRun
    chat = Signal(object)  # ChatReceived
    chat_status = Signal(object)  # ChatStatus
    summary = Signal(object)  # SummaryUpdated
    keywords = Signal(object)  # KeywordsUpdated
    tutorials = Signal(object)  # TutorialsUpdated
    session_started = Signal(object)  # a LiveSession the scheduler started (from any thread)

    def __init__(self, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe = [
            bus.subscribe(self.segment.emit, SegmentCommitted),
            bus.subscribe(self.status.emit, SessionStatus),
            bus.subscribe(self.error.emit, SessionError),
            bus.subscribe(self.scheduled.emit, ScheduledRun),
            bus.subscribe(self.chat.emit, ChatReceived),
            bus.subscribe(self.chat_status.emit, ChatStatus),
            bus.subscribe(self.summary.emit, SummaryUpdated),
            bus.subscribe(self.keywords.emit, KeywordsUpdated),
            bus.subscribe(self.tutorials.emit, TutorialsUpdated),
        ]

    def detach(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
