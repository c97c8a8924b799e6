"""Chat beside a recording: capture, moderate with context, store, publish.

A chat source (Twitch IRC, YouTube through yt-dlp) calls `ChatRecorder.submit` from its own
thread. The recorder's thread takes what has arrived every quarter second, classifies the
messages (with the channel's rolling context), stores them in one transaction and applies
moderation events (a deleted message, a ban's or timeout's messages), then publishes one
`ChatReceived` event for the GUI. Messages are placed on the recording's timeline by their
own timestamps, the same axis as the transcript.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from urllib.parse import urlparse

from app.config import Settings
from app.errors import USER_ERRORS
from app.events import ChatReceived, EventBus, SessionError
from ingest.chat.types import KIND_BAN, KIND_DELETE, KIND_MESSAGE, KIND_TIMEOUT, ChatEvent
from nlp.moderation import ChannelContextTracker, Moderator, load_moderation_model
from storage import Library
from storage.chat import CHAT_COLUMNS

log = logging.getLogger(__name__)

FLUSH_S = 0.25
MAX_BATCH = 2000


@dataclass(frozen=True)
class ChatItem:
    """What the GUI shows of one stored chat event."""

    offset_s: float
    kind: str
    author: str
    text: str
    violation: bool = False
    score: float | None = None
    category: str | None = None
    target: str | None = None
    first_message: bool = False
    emotes: int = 0
    message_id: str | None = None


@dataclass(frozen=True)
class ChatSpec:
    """Which chat to read: ("twitch", channel) or ("youtube", url)."""

    platform: str
    target: str


def chat_spec_for(choice: str | None, url: str, platform: str | None) -> ChatSpec | None:
    """The chat for a recording: `choice` is auto (from the platform), off, twitch:NAME or
    youtube:URL."""
    choice = (choice or "auto").strip()
    if choice.lower() in ("off", "none", "no"):
        return None
    if ":" in choice and choice.split(":", 1)[0].lower() in ("twitch", "youtube"):
        kind, target = choice.split(":", 1)
        return ChatSpec(kind.lower(), target.strip() or url)
    if choice.lower() != "auto":
        return None
    host = (urlparse(url).hostname or "").lower()
    plat = (platform or "").lower()
    if "twitch" in plat or host.endswith("twitch.tv"):
        channel = urlparse(url).path.strip("/").split("/")[0]
        return ChatSpec("twitch", channel) if channel else None
    if "youtube" in plat or host.endswith(("youtube.com", "youtu.be")):
        return ChatSpec("youtube", url)
    return None


class ChatRecorder:
    def __init__(
        self,
        library: Library,
        recording_id: int,
        started_at: datetime,
        bus: EventBus,
        *,
        channel: str = "",
        title: str = "",
        category: str = "",
        threshold: float | None = None,
        model: Moderator | None = None,
    ) -> None:
        self.library = library
        self.recording_id = recording_id
        self.started_at = (
            started_at.replace(tzinfo=UTC) if started_at.tzinfo is None else started_at
        )
        self.bus = bus
        self.channel = channel
        self.threshold = threshold
        self.tracker = ChannelContextTracker(title=title, category=category, streamer=channel)
        self._model = model
        self._queue: queue.Queue[ChatEvent] = queue.Queue()
        self._stop = threading.Event()
        self._model_tried = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="chat-recorder", daemon=True)
        self.received = 0
        self.stored = 0
        self.flagged = 0
        self.failures = 0

    def start(self) -> ChatRecorder:
        """Returns at once: the model loads on the recorder's thread (a process's first load
        takes seconds), and what arrives meanwhile waits in the queue."""
        self._thread.start()
        return self

    def ensure_model(self) -> None:
        """Load the moderation model once; without it chat is still stored, unflagged."""
        if self._model is None:
            try:
                self._model = load_moderation_model()
            except USER_ERRORS as exc:
                message = f"Chat is stored but not moderated: {exc}"
                self.bus.publish(SessionError(self.recording_id, message, False))

    def store_all(self, events: list[ChatEvent]) -> int:
        """Classify and store a whole replay (imports) in timeline order; returns new rows."""
        self.ensure_model()
        ordered = sorted(events, key=lambda e: (self.offset_of(e), e.at))
        for start in range(0, len(ordered), MAX_BATCH):
            self._store(ordered[start : start + MAX_BATCH])
        return self.stored

    def submit(self, event: ChatEvent) -> None:
        """Thread-safe; called by the chat source for each event."""
        self._queue.put(event)

    def stop(self, timeout: float = 10.0) -> None:
        """Store everything received so far, then end (`timeout` counts once the model is
        loaded)."""
        self._stop.set()
        if self._thread.is_alive():
            self._model_tried.wait()
        self._thread.join(timeout)

    def _loop(self) -> None:
        try:
            self.ensure_model()
        finally:
            self._model_tried.set()
        while True:
            stopping = self._stop.wait(FLUSH_S)
            batch = self._drain()
            if batch:
                self._store(batch)
            if stopping and self._queue.empty():
                break

    def _drain(self) -> list[ChatEvent]:
        batch: list[ChatEvent] = []
        while len(batch) < MAX_BATCH:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def offset_of(self, event: ChatEvent) -> float:
        if event.offset_s is not None:
            return event.offset_s
        return (event.at - self.started_at).total_seconds()

    def _store(self, batch: list[ChatEvent]) -> None:
        self.received += len(batch)
        messages = [e for e in batch if e.kind == KIND_MESSAGE]
        verdicts = {}
        if self._model is not None and messages:
            contexts = self.tracker.contexts_for_batch([(m.author, m.text) for m in messages])
            results = self._model.predict([m.text for m in messages], contexts, self.threshold)
            verdicts = {id(m): v for m, v in zip(messages, results, strict=True)}
        rows = []
        items = []
        for event in batch:
            verdict = verdicts.get(id(event))
            offset = self.offset_of(event)
            row = stored_fields(event, offset)
            if verdict is not None:
                row.update(
                    violation=verdict.violation,
                    score=round(verdict.score, 4),
                    category=verdict.category if verdict.violation else None,
                    target=verdict.target if verdict.violation else None,
                )
                self.flagged += verdict.violation
            rows.append(row)
            items.append(
                ChatItem(
                    offset_s=offset,
                    kind=event.kind,
                    author=event.display_name or event.author or (event.target_user or ""),
                    text=event.text,
                    violation=bool(verdict and verdict.violation),
                    score=verdict.score if verdict else None,
                    category=verdict.category if verdict and verdict.violation else None,
                    target=verdict.target if verdict and verdict.violation else None,
                    first_message=event.first_message,
                    emotes=len(event.emotes),
                    message_id=event.message_id,
                )
            )
        try:
            self.stored += self.library.chat.add_many(self.recording_id, rows)
            for event in batch:
                self._apply_moderation(event)
        except USER_ERRORS as exc:
            self.failures += 1
            log.warning("Could not store chat: %s", exc)
            self.bus.publish(SessionError(self.recording_id, f"Chat was not saved: {exc}", False))
            return
        self.bus.publish(ChatReceived(self.recording_id, tuple(items)))

    def _apply_moderation(self, event: ChatEvent) -> None:
        if event.kind == KIND_DELETE and event.target_message_id:
            self.library.chat.mark_deleted(self.recording_id, message_id=event.target_message_id)
        elif event.kind in (KIND_BAN, KIND_TIMEOUT) and event.target_user:
            self.library.chat.mark_deleted(self.recording_id, author=event.target_user)


class ChatCapture:
    """A chat source wired to a recorder, started and stopped together."""

    def __init__(
        self, spec: ChatSpec, recorder: ChatRecorder, settings: Settings, on_status
    ) -> None:
        self.spec = spec
        self.recorder = recorder
        if spec.platform == "twitch":
            from ingest.chat.twitch import TwitchChat

            self.source = TwitchChat(
                spec.target, recorder.submit, endpoint=settings.twitch_irc, on_status=on_status
            )
        else:
            from ingest.chat.youtube import YouTubeChat

            self.source = YouTubeChat(spec.target, recorder.submit, on_status=on_status)

    def start(self) -> ChatCapture:
        self.recorder.start()
        self.source.start()
        return self

    def stop(self) -> None:
        self.source.stop()
        self.recorder.stop()


# The stored chat columns a `ChatEvent` carries under the same name (all but the verdicts).
_FROM_EVENT = tuple(name for name in CHAT_COLUMNS if name in {f.name for f in fields(ChatEvent)})


def stored_fields(event: ChatEvent, offset_s: float) -> dict:
    """An event as the library stores it, field by field by name: a new field added to
    `ChatEvent` and to the stored record (with its migration) is carried without an edit
    here. `offset_s` is on the recording's timeline (`ChatCapture.offset_of`)."""
    row = {name: getattr(event, name) for name in _FROM_EVENT}
    row["offset_s"] = offset_s
    return row
