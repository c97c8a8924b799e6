"""A plain-Python event bus: sessions publish, the CLI and the GUI bridge subscribe.

Handlers run in the publisher's thread; the GUI bridge re-emits them as Qt signals.
A failing handler is logged and never breaks the publisher.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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


@dataclass(frozen=True)
class SessionError:
    recording_id: int | None
    message: str
    fatal: bool


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
