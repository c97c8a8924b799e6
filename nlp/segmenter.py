"""Groups committed words into readable transcript segments.

Streaming commits arrive a few words at a time; analysts read sentences. A segment stays open
while words are appended and closes at a sentence end, a pause, or a length limit. Every
change is reported, so a crash loses at most what was never committed.
"""

from __future__ import annotations

from dataclasses import dataclass

from nlp.types import Segment, Word, segment_from_words

SENTENCE_END = (".", "?", "!")
MIN_WORDS_BEFORE_SENTENCE_BREAK = 3
PAUSE_BREAK_S = 1.2
MAX_WORDS = 40
MAX_SECONDS = 25.0


@dataclass(frozen=True)
class SegmentUpdate:
    """`key` identifies a segment across updates; `segment.final` is true when it closes."""

    key: int
    segment: Segment


class SegmentAssembler:
    def __init__(self) -> None:
        self._words: list[Word] = []
        self._key = 0

    def add(self, words: list[Word], utterance_end: bool = False) -> list[SegmentUpdate]:
        updates: list[SegmentUpdate] = []
        for word in words:
            if self._words and self._should_break_before(word):
                updates.append(self._close())
            self._words.append(word)
            if self._ends_sentence(word) and len(self._words) >= MIN_WORDS_BEFORE_SENTENCE_BREAK:
                updates.append(self._close())
        if utterance_end and self._words:
            updates.append(self._close())
        elif self._words:
            updates.append(SegmentUpdate(self._key, self._segment(final=False)))
        return _last_per_key(updates)

    def flush(self) -> list[SegmentUpdate]:
        return [self._close()] if self._words else []

    def _should_break_before(self, word: Word) -> bool:
        last = self._words[-1]
        return (
            word.start - last.end >= PAUSE_BREAK_S
            or len(self._words) >= MAX_WORDS
            or word.end - self._words[0].start > MAX_SECONDS
        )

    @staticmethod
    def _ends_sentence(word: Word) -> bool:
        return word.text.rstrip().endswith(SENTENCE_END)

    def _segment(self, final: bool) -> Segment:
        return segment_from_words(self._words, final=final)

    def _close(self) -> SegmentUpdate:
        update = SegmentUpdate(self._key, self._segment(final=True))
        self._words = []
        self._key += 1
        return update


def _last_per_key(updates: list[SegmentUpdate]) -> list[SegmentUpdate]:
    latest: dict[int, SegmentUpdate] = {}
    for update in updates:
        latest[update.key] = update
    return list(latest.values())
