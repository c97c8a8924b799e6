"""Grouping committed words into readable segments."""

from __future__ import annotations

from nlp.segmenter import MAX_WORDS, SegmentAssembler
from nlp.types import Word


def words(text: str, start: float = 0.0, step: float = 0.3) -> list[Word]:
    return [
        Word(start + i * step, start + i * step + 0.25, f" {w}") for i, w in enumerate(text.split())
    ]


def test_open_segment_grows_then_closes_at_sentence_end():
    asm = SegmentAssembler()
    first = asm.add(words("the council will"))
    assert [(u.key, u.segment.text, u.segment.final) for u in first] == [
        (0, "the council will", False)
    ]
    second = asm.add(words("vote today. Next", start=0.9))
    assert [(u.key, u.segment.text, u.segment.final) for u in second] == [
        (0, "the council will vote today.", True),
        (1, "Next", False),
    ]


def test_pause_starts_a_new_segment_and_utterance_end_closes():
    asm = SegmentAssembler()
    asm.add(words("hello there"))
    updates = asm.add(words("after a pause", start=5.0), utterance_end=True)
    assert [(u.segment.text, u.segment.final) for u in updates] == [
        ("hello there", True),
        ("after a pause", True),
    ]
    assert asm.flush() == []


def test_long_run_without_punctuation_is_split():
    asm = SegmentAssembler()
    updates = asm.add(words(" ".join(["word"] * (MAX_WORDS + 5))))
    finals = [u for u in updates if u.segment.final]
    assert len(finals) == 1 and len(finals[0].segment.words) == MAX_WORDS
    assert finals[0].segment.start == 0.0
    assert updates[-1].segment.start > finals[0].segment.end - 0.3
