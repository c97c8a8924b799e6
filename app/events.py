"""A plain-Python event bus and every event on it: sessions, chat capture, live analysis and
the scheduler publish; the CLI and the GUI bridge subscribe.

Handlers run in the publisher's thread; the GUI bridge re-emits them as Qt signals.
A failing handler is logged and never breaks the publisher.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.chat_capture import ChatItem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionStatus:
    recording_id: int | None
    state: str  # resolving, connecting, live, reconnecting, lagging, stopping, ended, failed
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SegmentCommitted:
    recording_id: int
    segment_id: int
    start_s: float
    end_s: float
    text: str
    final: bool
    speaker: str | None = None  # who speaks, once the segment is final (when known)


@dataclass(frozen=True)
class SessionError:
    recording_id: int | None
    message: str
    fatal: bool


@dataclass(frozen=True)
class ChatStatus:
    recording_id: int | None
    state: str  # connected, reconnecting, error, ended
    detail: dict


@dataclass(frozen=True)
class ChatReceived:
    recording_id: int
    items: tuple[ChatItem, ...]


@dataclass(frozen=True)
class SummaryUpdated:
    recording_id: int
    kind: str  # clip or recording
    start_s: float
    end_s: float
    sentences: tuple  # (start_s, end_s, text)


@dataclass(frozen=True)
class KeywordsUpdated:
    recording_id: int
    start_s: float
    end_s: float
    terms: tuple[str, ...]


@dataclass(frozen=True)
class TutorialsUpdated:
    recording_id: int
    at_s: float
    recommendations: tuple  # nlp.tutorials.Recommendation


@dataclass(frozen=True)
class ScheduledRun:
    """Published on the bus whenever a planned start is decided or a run ends."""

    schedule_id: str
    name: str
    url: str
    status: str  # started, late, missed, skipped, complete, failed
    scheduled_at: datetime
    recording_id: int | None = None
    detail: str | None = None


Handler = Callable[[Any], None]


class EventBus:
    def __init__(self) -> None:
        self._handlers: list[tuple[type | None, Handler]] = []
        self._lock = threading.Lock()

    def subscribe(self, handler: Handler, event_type: type | None = None) -> Callable[[], None]:
        """Call `handler` for events of `event_type` (all when None); returns an unsubscribe."""
        entry = (event_type, handler)
        with self._lock:
            self._handlers.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._handlers:
                    self._handlers.remove(entry)

        return unsubscribe

    def publish(self, event: Any) -> None:
        with self._lock:
            handlers = list(self._handlers)
        for event_type, handler in handlers:
            if event_type is None or isinstance(event, event_type):
                try:
                    handler(event)
                except Exception:
                    log.exception("Event handler failed for %r", event)
