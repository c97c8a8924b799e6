"""Classifying a chat log from a file: a chat replay (any format `ingest.chat.replay`
reads), whose context is rebuilt message by message as it was in the channel, or JSONL of
`{"message": ..., "context": [...]}` with the context given explicitly."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import UsageError

BATCH = 512


@dataclass
class ModeratedLog:
    results: list[tuple[str, object]] = field(default_factory=list)  # (message, Verdict)
    skipped_lines: int = 0  # lines of a replay that could not be read


def read_moderation_input(path: str) -> tuple[list, int]:
    """(message, ChatContext) pairs from a replay file or JSONL with explicit context, and
    how many lines could not be read."""
    from ingest.chat.replay import ChatFormatError, parse_chat_replay
    from nlp.moderation import ChannelContextTracker, ChatContext

    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"Cannot read {path}: {exc.strerror or exc}") from None
    lines = [line for line in text.splitlines() if line.strip()]
    explicit = []
    for line in lines:
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            explicit = None
            break
        if (
            not isinstance(item, dict)
            or "message" not in item
            or ("author" in item and isinstance(item["author"], dict))
        ):
            explicit = None
            break
        explicit.append(item)
    if explicit:
        pairs = []
        for item in explicit:
            previous = []
            for entry in item.get("context") or []:
                if isinstance(entry, dict):
                    previous.append((str(entry.get("author", "")), str(entry.get("message", ""))))
                else:
                    previous.append(("", str(entry)))
            author = str(item.get("author", ""))
            history = tuple(m for a, m in previous if author and a == author)
            context = ChatContext(
                previous=tuple(previous),
                author_history=history,
                title=str(item.get("title", "")),
                category=str(item.get("category", "")),
                streamer=str(item.get("streamer", "")),
            )
            pairs.append((str(item["message"]), context))
        return pairs, 0
    try:
        replay = parse_chat_replay(text, Path(path).name)
    except ChatFormatError as exc:
        raise UsageError(str(exc)) from None
    tracker = ChannelContextTracker()
    messages = [e for e in replay.events if e.is_message]
    contexts = tracker.contexts_for_batch([(e.author, e.text) for e in messages])
    return [(e.text, c) for e, c in zip(messages, contexts, strict=True)], replay.bad_lines


def moderate_log(
    path: str,
    threshold: float | None = None,
    use_context: bool = True,
) -> ModeratedLog:
    """A verdict for every message of the log at `path` (`-` for stdin), in order."""
    from nlp.moderation import load_moderation_model

    items, skipped = read_moderation_input(path)
    model = load_moderation_model()
    results: list[tuple[str, object]] = []
    for start in range(0, len(items), BATCH):
        chunk = items[start : start + BATCH]
        contexts = [c for _m, c in chunk] if use_context else None
        verdicts = model.predict([m for m, _c in chunk], contexts, threshold)
        results.extend((m, v) for (m, _c), v in zip(chunk, verdicts, strict=True))
    return ModeratedLog(results, skipped)
