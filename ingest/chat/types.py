"""`ChatEvent`: a chat message or a moderation/community event, from any platform."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

KIND_MESSAGE = "message"
KIND_BAN = "ban"
KIND_TIMEOUT = "timeout"
KIND_DELETE = "delete"  # one message removed by a moderator
KIND_CLEAR = "clear"  # the whole chat cleared
KIND_SUB = "sub"
KIND_RAID = "raid"
KIND_NOTICE = "notice"  # other community events (gift subs, announcements…)
MODERATION_KINDS = (KIND_BAN, KIND_TIMEOUT, KIND_DELETE, KIND_CLEAR)


@dataclass(frozen=True)
class ChatEvent:
    """`at` is an aware UTC time. For moderation events, `target_user` is who was acted on,
    `target_message_id` the deleted message, `duration_s` a timeout's length."""

    at: datetime
    kind: str
    text: str = ""
    author: str = ""  # login name (lower case on Twitch)
    display_name: str = ""
    message_id: str | None = None
    platform: str = ""
    channel: str = ""
    badges: tuple[str, ...] = ()
    emotes: tuple[str, ...] = ()  # one entry per emote occurrence, by name
    bits: int = 0
    first_message: bool = False
    target_user: str | None = None
    target_message_id: str | None = None
    duration_s: float | None = None
    offset_s: float | None = None  # seconds into the video, when a replay file says so
    extra: dict = field(default_factory=dict)

    @property
    def is_message(self) -> bool:
        return self.kind == KIND_MESSAGE


def utc_from_ms(value: str | int | float | None) -> datetime:
    try:
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    except (TypeError, ValueError):
        return datetime.now(UTC)
