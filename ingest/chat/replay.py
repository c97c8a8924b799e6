"""Chat replay files of archived streams: yt-dlp `live_chat.json`, chat-downloader JSON or
JSONL, and a plain CSV (`timestamp,author,message`). A bad line is counted, never fatal."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ingest.chat.types import KIND_BAN, KIND_DELETE, KIND_MESSAGE, KIND_NOTICE, ChatEvent
from ingest.errors import IngestError

FORMAT_YTDLP = "yt-dlp live_chat"
FORMAT_CHAT_DOWNLOADER = "chat-downloader"
FORMAT_CSV = "csv"


class ChatFormatError(IngestError):
    """A file that is not a chat replay in any known format."""


@dataclass
class ChatReplay:
    format: str
    events: list[ChatEvent] = field(default_factory=list)
    bad_lines: int = 0
    skipped: int = 0  # well-formed items that are not chat (e.g. viewer-count updates)

    def describe(self) -> str:
        bad = f", {self.bad_lines} unreadable line(s) skipped" if self.bad_lines else ""
        return f"{len(self.events)} chat events ({self.format}){bad}"


def read_chat_replay(path: Path) -> ChatReplay:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError as exc:
        raise ChatFormatError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    return parse_chat_replay(text, path.name)


def parse_chat_replay(text: str, name: str = "chat") -> ChatReplay:
    stripped = text.lstrip()
    if not stripped:
        raise ChatFormatError(f"{name} is empty.")
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ChatFormatError(f"{name} is not valid JSON (line {exc.lineno}).") from None
        replay = ChatReplay(FORMAT_CHAT_DOWNLOADER)
        for item in items if isinstance(items, list) else []:
            _add(replay, _chat_downloader(item))
        return replay
    if stripped.startswith("{"):
        return _json_lines(text, name)
    return _csv(text, name)


def _add(replay: ChatReplay, result: list[ChatEvent] | None) -> None:
    if result is None:
        replay.bad_lines += 1
    elif not result:
        replay.skipped += 1
    else:
        replay.events.extend(result)


def _json_lines(text: str, name: str) -> ChatReplay:
    replay: ChatReplay | None = None
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            if replay is not None:
                replay.bad_lines += 1
            else:
                replay = ChatReplay(FORMAT_YTDLP)
                replay.bad_lines += 1
            continue
        if replay is None or (
            replay.format == FORMAT_YTDLP and not replay.events and "message" in item
        ):
            kind = (
                FORMAT_CHAT_DOWNLOADER if "message" in item and "author" in item else FORMAT_YTDLP
            )
            bad = replay.bad_lines if replay else 0
            replay = ChatReplay(kind, bad_lines=bad)
        if replay.format == FORMAT_YTDLP:
            _add(replay, ytdlp_line_events(item))
        else:
            _add(replay, _chat_downloader(item))
    if replay is None or (not replay.events and replay.bad_lines and not replay.skipped):
        raise ChatFormatError(f"{name} holds no chat messages in a known format.")
    return replay


# --- yt-dlp live_chat.json (YouTube's own actions, one JSON object per line) -------------------


def ytdlp_line_events(item: dict) -> list[ChatEvent] | None:
    if not isinstance(item, dict):
        return None
    wrapper = item.get("replayChatItemAction") or {}
    actions = wrapper.get("actions") or item.get("actions") or [item]
    offset = _float(wrapper.get("videoOffsetTimeMsec") or item.get("videoOffsetTimeMsec"))
    events: list[ChatEvent] = []
    for action in actions:
        if not isinstance(action, dict):
            return None
        if "addChatItemAction" in action:
            event = _yt_item(action["addChatItemAction"].get("item") or {}, offset)
            if event is not None:
                events.append(event)
        elif "markChatItemAsDeletedAction" in action:
            target = action["markChatItemAsDeletedAction"].get("targetItemId")
            events.append(_yt_moderation(KIND_DELETE, offset, target_message_id=target))
        elif "markChatItemsByAuthorAsDeletedAction" in action:
            channel = action["markChatItemsByAuthorAsDeletedAction"].get("externalChannelId")
            events.append(_yt_moderation(KIND_BAN, offset, target_user=channel))
    return events


def _yt_item(item: dict, offset_ms: float | None) -> ChatEvent | None:
    for key, kind in (
        ("liveChatTextMessageRenderer", KIND_MESSAGE),
        ("liveChatPaidMessageRenderer", KIND_MESSAGE),
        ("liveChatMembershipItemRenderer", KIND_NOTICE),
    ):
        renderer = item.get(key)
        if renderer is None:
            continue
        runs = (renderer.get("message") or renderer.get("headerSubtext") or {}).get("runs") or []
        text, emotes = _runs(runs)
        usec = _float(renderer.get("timestampUsec"))
        return ChatEvent(
            at=datetime.fromtimestamp(usec / 1e6, UTC) if usec else datetime.now(UTC),
            kind=kind,
            text=text,
            author=renderer.get("authorExternalChannelId") or "",
            display_name=(renderer.get("authorName") or {}).get("simpleText", ""),
            message_id=renderer.get("id"),
            platform="youtube",
            badges=tuple(
                b.get("liveChatAuthorBadgeRenderer", {}).get("tooltip", "")
                for b in renderer.get("authorBadges") or []
            ),
            emotes=emotes,
            offset_s=offset_ms / 1000 if offset_ms is not None else None,
            extra={"paid": renderer.get("purchaseAmountText", {}).get("simpleText")}
            if key == "liveChatPaidMessageRenderer"
            else {},
        )
    return None


def _runs(runs: list) -> tuple[str, tuple[str, ...]]:
    parts: list[str] = []
    emotes: list[str] = []
    for run in runs:
        if "text" in run:
            parts.append(run["text"])
        elif "emoji" in run:
            emoji = run["emoji"]
            shortcut = (emoji.get("shortcuts") or [emoji.get("emojiId", "")])[0]
            parts.append(shortcut)
            emotes.append(shortcut)
    return "".join(parts), tuple(emotes)


def _yt_moderation(kind: str, offset_ms: float | None, **targets) -> ChatEvent:
    return ChatEvent(
        at=datetime.now(UTC),
        kind=kind,
        platform="youtube",
        offset_s=offset_ms / 1000 if offset_ms is not None else None,
        **targets,
    )


# --- chat-downloader (xenova/chat-downloader) JSON / JSONL ------------------------------------


def _chat_downloader(item: dict) -> list[ChatEvent] | None:
    if not isinstance(item, dict) or ("message" not in item and "message_type" not in item):
        return None
    message_type = item.get("message_type", "text_message")
    if message_type not in ("text_message", "paid_message", "membership_item"):
        return []
    author = item.get("author") or {}
    usec = _float(item.get("timestamp"))
    at = datetime.fromtimestamp(usec / 1e6, UTC) if usec else datetime.now(UTC)
    return [
        ChatEvent(
            at=at,
            kind=KIND_MESSAGE if message_type != "membership_item" else KIND_NOTICE,
            text=str(item.get("message") or ""),
            author=str(author.get("id") or author.get("name") or ""),
            display_name=str(author.get("display_name") or author.get("name") or ""),
            message_id=item.get("message_id"),
            platform=str(item.get("platform") or ""),
            badges=tuple(str(b.get("title", "")) for b in author.get("badges") or []),
            emotes=tuple(str(e.get("name", "")) for e in item.get("emotes") or []),
            offset_s=_float(item.get("time_in_seconds")),
        )
    ]


# --- CSV: timestamp,author,message -------------------------------------------------------------


def _csv(text: str, name: str) -> ChatReplay:
    reader = csv.reader(io.StringIO(text))
    replay = ChatReplay(FORMAT_CSV)
    header = next(reader, None)
    if not header or [h.strip().lower() for h in header[:3]] != ["timestamp", "author", "message"]:
        raise ChatFormatError(
            f"{name} is not a chat replay: expected yt-dlp live_chat.json, chat-downloader "
            "JSON/JSONL, or a CSV with the header timestamp,author,message."
        )
    for row in reader:
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) < 3:
            replay.bad_lines += 1
            continue
        when, author, message = row[0].strip(), row[1].strip(), ",".join(row[2:])
        at, offset = _csv_time(when)
        if at is None and offset is None:
            replay.bad_lines += 1
            continue
        replay.events.append(
            ChatEvent(
                at=at or datetime.now(UTC),
                kind=KIND_MESSAGE,
                text=message,
                author=author.lower(),
                display_name=author,
                offset_s=offset,
            )
        )
    return replay


def _csv_time(value: str) -> tuple[datetime | None, float | None]:
    """An ISO-8601 time (UTC unless it says otherwise), or seconds into the stream."""
    try:
        return None, float(value)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None, None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), None


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def iter_messages(replay: ChatReplay) -> Iterator[ChatEvent]:
    return (e for e in replay.events if e.is_message)
