"""The NormVio corpus (moderated Twitch chat) as training and evaluation examples.

Positives are the moderated messages with their majority category. Negatives are the
messages of the same channel windows that nobody moderated (by users who were not acted
on). Every example gets the same kind of context — the channel messages before it and the
author's own messages among them — so the model cannot tell positives from negatives by
how much context they have: negatives are drawn only where a full context exists, and
positives' longer per-user histories (`single_user`) are not used.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nlp.moderation import CONTEXT_MESSAGES, ChatContext

TARGET_NAMES = {
    "Broadcaster": "Broadcaster",
    "Others in broadcast": "Others in broadcast",
    "Others outside of bradcast": "Others outside of broadcast",
    "Others outside of broadcast": "Others outside of broadcast",
}


@dataclass(frozen=True)
class Example:
    message: str
    context: ChatContext
    violation: bool
    category: str | None
    target: str | None
    window: str  # the moderated item this example comes from


def read_split(path: Path) -> list[Example]:
    examples: list[Example] = []
    seen: set[tuple] = set()
    for item in _items(path):
        examples.extend(_examples(item, seen))
    return examples


def _items(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _examples(item: dict, seen: set[tuple]) -> Iterator[Example]:
    setting = item.get("channel_setting") or {}
    title = setting.get("title") or ""
    category = setting.get("game_name") or ""
    streamer = item.get("streamer") or setting.get("streamer") or ""
    window = item.get("multi_user_last50") or []
    user = item["user"]
    before = _before(window, user, item["message"], item.get("timestamp"))
    label = item.get("label") or {}
    yield Example(
        message=item["message"],
        context=_context(before, user, title, category, streamer),
        violation=True,
        category=label.get("step_3"),
        target=TARGET_NAMES.get(label.get("target_3") or ""),
        window=item["id"],
    )
    acted_on = {e.get("user") for e in item.get("moderation_events") or []} | {user}
    for index in range(CONTEXT_MESSAGES, len(before)):
        entry = before[index]
        key = (streamer, entry.get("timestamp"), entry.get("user"), entry.get("message"))
        if entry.get("user") in acted_on or key in seen or not entry.get("message"):
            continue
        seen.add(key)
        yield Example(
            message=entry["message"],
            context=_context(before[:index], entry["user"], title, category, streamer),
            violation=False,
            category=None,
            target=None,
            window=item["id"],
        )


def _before(window: list[dict], user: str, message: str, timestamp: str | None) -> list[dict]:
    """The channel messages before the moderated one.

    The moderated message sits in its own window, sometimes logged twice and sometimes
    followed by messages of the same second: everything from its first appearance on is
    cut, so the model never sees the message itself as "context" (that would leak).
    """
    for index, entry in enumerate(window):
        if (
            entry.get("user") == user
            and entry.get("message") == message
            and (timestamp is None or entry.get("timestamp") == timestamp)
        ):
            return window[:index]
    return window


def _context(
    before: list[dict], user: str, title: str, category: str, streamer: str
) -> ChatContext:
    recent = before[-CONTEXT_MESSAGES:]
    return ChatContext(
        previous=tuple((m.get("user") or "", m.get("message") or "") for m in recent),
        author_history=tuple(m.get("message") or "" for m in before if m.get("user") == user),
        title=title,
        category=category,
        streamer=streamer,
    )
