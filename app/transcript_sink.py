"""Where committed words go: grouped into segments, saved at once, announced on the bus."""

from __future__ import annotations

import itertools

from app.events import EventBus, SegmentCommitted
from nlp.segmenter import SegmentAssembler, SegmentUpdate
from nlp.streaming import Commit
from nlp.types import Segment
from storage import Library


def words_as_json(segment: Segment) -> list[list]:
    return [
        [round(w.start, 3), round(w.end, 3), w.text, round(w.probability, 4)] for w in segment.words
    ]


class TranscriptSink:
    """Saves each segment update (insert, then grow in place) in its own transaction."""

    def __init__(self, library: Library, bus: EventBus, recording_id: int) -> None:
        self._library = library
        self._bus = bus
        self._recording_id = recording_id
        self._assembler = SegmentAssembler()
        self._ids: dict[int, int] = {}  # assembler key -> segment row id
        self._offline_keys = itertools.count(-1, -1)
        self.committed_until = 0.0
        self.words_committed = 0

    def add(self, commit: Commit) -> None:
        self.words_committed += len(commit.words)
        self._save(self._assembler.add(commit.words, utterance_end=commit.utterance_end))

    def add_segment(self, segment: Segment) -> None:
        """A finished segment (offline transcription)."""
        self.words_committed += len(segment.words)
        self._save([SegmentUpdate(next(self._offline_keys), segment)])

    def flush(self) -> None:
        self._save(self._assembler.flush())

    def _save(self, updates: list[SegmentUpdate]) -> None:
        for update in updates:
            seg = update.segment
            segment_id = self._library.segments.save(
                self._recording_id,
                start_s=seg.start,
                end_s=seg.end,
                text=seg.text,
                words=words_as_json(seg),
                confidence=seg.confidence,
                final=seg.final,
                segment_id=self._ids.get(update.key),
            )
            self._ids[update.key] = segment_id
            if seg.final:
                self._ids.pop(update.key, None)
            self.committed_until = max(self.committed_until, seg.end)
            self._bus.publish(
                SegmentCommitted(
                    recording_id=self._recording_id,
                    segment_id=segment_id,
                    start_s=seg.start,
                    end_s=seg.end,
                    text=seg.text,
                    final=seg.final,
                )
            )
