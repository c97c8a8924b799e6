"""A transcript segment cut where the speaker changes, at word boundaries.

Whisper's segments follow pauses and sentences, not speakers: one segment can hold the end
of one speaker's turn and the start of the next. Each word takes the speaker whose turns
cover most of it (the nearest turn when none does); runs of words of one speaker become
segments, each from its first word's start to its last word's end. A run shorter than
`min_run_s` between two runs of one speaker (a word the windows could not place) joins
them, so a segment is not cut for a single stray word.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nlp.diarization import SpeakerTurn
from nlp.types import Segment, Word, segment_from_words


@dataclass(frozen=True)
class SpeakerSegment:
    speaker: int | None  # None: no speaker could be found (no turns at all)
    segment: Segment


def speaker_at(start: float, end: float, turns: Sequence[SpeakerTurn]) -> int | None:
    """The speaker who covers most of [start, end]; the nearest turn's if none covers it."""
    if not turns:
        return None
    cover: dict[int, float] = {}
    for t in turns:
        overlap = min(end, t.end) - max(start, t.start)
        if overlap > 0:
            cover[t.speaker] = cover.get(t.speaker, 0.0) + overlap
    if cover:
        return max(cover, key=lambda k: cover[k])
    middle = (start + end) / 2
    nearest = min(turns, key=lambda t: max(t.start - middle, middle - t.end, 0.0))
    return nearest.speaker


def split_by_speaker(
    segment: Segment, turns: Sequence[SpeakerTurn], min_run_s: float = 0.3
) -> list[SpeakerSegment]:
    """`segment` as one piece per speaker run (one piece when nobody changes)."""
    if not segment.words:
        return [SpeakerSegment(speaker_at(segment.start, segment.end, turns), segment)]
    words = list(segment.words)
    owners = [speaker_at(w.start, w.end, turns) for w in words]
    runs = _runs(owners)
    runs = _absorb_short(runs, words, min_run_s)
    out: list[SpeakerSegment] = []
    for speaker, first, last in runs:
        piece = tuple(words[first : last + 1])
        out.append(SpeakerSegment(speaker, _segment_of(segment, piece)))
    return out


def _runs(owners: list[int | None]) -> list[tuple[int | None, int, int]]:
    runs: list[tuple[int | None, int, int]] = []
    for i, owner in enumerate(owners):
        if runs and runs[-1][0] == owner:
            runs[-1] = (owner, runs[-1][1], i)
        else:
            runs.append((owner, i, i))
    return runs


def _absorb_short(
    runs: list[tuple[int | None, int, int]], words: list[Word], min_run_s: float
) -> list[tuple[int | None, int, int]]:
    changed = True
    while changed and len(runs) > 2:
        changed = False
        for k in range(1, len(runs) - 1):
            _speaker, first, last = runs[k]
            short = words[last].end - words[first].start < min_run_s
            if short and runs[k - 1][0] == runs[k + 1][0]:
                runs[k - 1 : k + 2] = [(runs[k - 1][0], runs[k - 1][1], runs[k + 1][2])]
                changed = True
                break
    return runs


def _segment_of(segment: Segment, words: tuple[Word, ...]) -> Segment:
    return segment_from_words(words, final=segment.final, language=segment.language)


def speech_spans(words: Sequence[Word], bridge_s: float = 0.6) -> list[tuple[float, float]]:
    """Where a segment's speech is, for the speaker encoder: its words' spans, joined across
    pauses up to `bridge_s`. Word by word, the windows would be a word long, too short for a
    voice print (two espeak-ng voices taking turns came out as one speaker); Whisper's word
    ends are early, too, so the pause between two words is mostly speech."""
    spans: list[tuple[float, float]] = []
    for word in sorted(words, key=lambda w: w.start):
        if spans and word.start - spans[-1][1] <= bridge_s:
            spans[-1] = (spans[-1][0], max(spans[-1][1], word.end))
        else:
            spans.append((word.start, word.end))
    return spans
