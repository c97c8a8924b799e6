"""What the nlp layer returns: words and segments on an absolute timeline (seconds)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str  # as Whisper wrote it, usually with a leading space
    probability: float = 1.0

    def shifted(self, offset: float) -> Word:
        return Word(self.start + offset, self.end + offset, self.text, self.probability)


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = field(default_factory=tuple)
    confidence: float | None = None
    final: bool = True
    language: str | None = None  # the language Whisper decoded it in, where known


def join_words(words: list[Word] | tuple[Word, ...]) -> str:
    return "".join(w.text for w in words).strip()


def mean_probability(words: list[Word] | tuple[Word, ...]) -> float | None:
    if not words:
        return None
    return sum(w.probability for w in words) / len(words)


def segment_from_words(
    words: list[Word] | tuple[Word, ...], final: bool = True, language: str | None = None
) -> Segment:
    """A segment of `words` (at least one), from the first's start to the last's end."""
    words = tuple(words)
    return Segment(
        start=words[0].start,
        end=words[-1].end,
        text=join_words(words),
        words=words,
        confidence=mean_probability(words),
        final=final,
        language=language,
    )


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")


def split_sentences(text: str) -> list[str]:
    """A punctuated text's sentences (a break after . ! or ? and a space), stripped."""
    return [s.strip() for s in _SENTENCE_BREAK.split(text.strip()) if s.strip()]
