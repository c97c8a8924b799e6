"""What a moderator sees besides the message, and how a channel's context is kept up to date."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

CONTEXT_MESSAGES = 20  # channel messages before this one that the model looks at
AUTHOR_MESSAGES = 10  # the author's own earlier messages it looks at
MAX_AUTHORS = 50_000  # a long stream: past this many authors, the oldest are forgotten


@dataclass(frozen=True)
class ChatContext:
    """What a moderator sees besides the message. All optional: empty means unknown."""

    previous: Sequence[tuple[str, str]] = ()  # (author, message), oldest first
    author_history: Sequence[str] = ()  # this author's earlier messages, oldest first
    title: str = ""
    category: str = ""  # the stream's game/category, e.g. "Just Chatting"
    streamer: str = ""


class ChannelContextTracker:
    """The rolling context of one channel: its last messages and each author's recent ones.

    Fed with every message in order; `context_for(author)` is what the model sees for the
    next message of that author.
    """

    def __init__(self, title: str = "", category: str = "", streamer: str = "") -> None:
        self.title = title
        self.category = category
        self.streamer = streamer
        self._recent: deque[tuple[str, str]] = deque(maxlen=CONTEXT_MESSAGES)
        self._authors: dict[str, deque[str]] = {}

    def context_for(self, author: str) -> ChatContext:
        history = self._authors.get(author.lower())
        return ChatContext(
            previous=tuple(self._recent),
            author_history=tuple(history) if history else (),
            title=self.title,
            category=self.category,
            streamer=self.streamer,
        )

    def add(self, author: str, text: str) -> None:
        self._recent.append((author, text))
        key = author.lower()
        history = self._authors.get(key)
        if history is None:
            if len(self._authors) > MAX_AUTHORS:
                self._authors.pop(next(iter(self._authors)))
            history = self._authors[key] = deque(maxlen=AUTHOR_MESSAGES)
        history.append(text)

    def contexts_for_batch(self, messages: Sequence[tuple[str, str]]) -> list[ChatContext]:
        """Contexts for consecutive (author, text) messages, adding each after its context."""
        contexts = []
        for author, text in messages:
            contexts.append(self.context_for(author))
            self.add(author, text)
        return contexts
