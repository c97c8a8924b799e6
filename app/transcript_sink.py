"""Where committed words go: grouped into segments, saved at once, announced on the bus.

Every mode's transcript passes here, so this is where a segment's times are fitted to its
words and where a final segment is cut where the speaker changes (`app.speakers`).
"""

from __future__ import annotations

import itertools

from app.events import EventBus, SegmentCommitted
from app.speakers import SpeakerLabeller
from nlp.segmenter import SegmentAssembler, SegmentUpdate
from nlp.streaming import Commit
from nlp.types import Segment
from storage import Library


def fitted_to_words(segment: Segment) -> Segment:
    """`segment` from its first word's start to its last word's end. Whisper's segment
    bounds can claim far more time than was spoken (a lone "Yep" from 9.5 s to 28.8 s),
    and speaker turns and the transcript's times are only as good as these bounds."""
    if not segment.words:
        return segment
    start, end = segment.words[0].start, segment.words[-1].end
    if (start, end) == (segment.start, segment.end) or end <= start:
        return segment
    return Segment(
        start=start,
        end=end,
        text=segment.text,
        words=segment.words,
        confidence=segment.confidence,
        final=segment.final,
        language=segment.language,
    )


def words_as_json(segment: Segment) -> list[list]:
    return [
        [round(w.start, 3), round(w.end, 3), w.text, round(w.probability, 4)] for w in segment.words
    ]


class TranscriptSink:
    """Saves each segment update (insert, then grow in place) in its own transaction."""

    def __init__(
        self,
        library: Library,
        bus: EventBus,
        recording_id: int,
        speakers: SpeakerLabeller | None = None,
    ) -> None:
        """`speakers`: labels final segments with who speaks (None: no speakers)."""
        self._library = library
        self.speakers = speakers
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
            seg = fitted_to_words(update.segment)
            pieces: list[tuple[str | None, Segment]] = [(None, seg)]
            if seg.final and self.speakers is not None:
                pieces = self.speakers.split(seg)
            for index, (speaker, piece) in enumerate(pieces):
                self._save_one(update.key if index == 0 else None, piece, speaker)

    def _save_one(self, key: int | None, seg: Segment, speaker: str | None) -> None:
        segment_id = self._library.segments.save(
            self._recording_id,
            start_s=seg.start,
            end_s=seg.end,
            text=seg.text,
            words=words_as_json(seg),
            confidence=seg.confidence,
            speaker=speaker,
            final=seg.final,
            segment_id=self._ids.get(key) if key is not None else None,
        )
        if key is not None:
            self._ids[key] = segment_id
            if seg.final:
                self._ids.pop(key, None)
        self.committed_until = max(self.committed_until, seg.end)
        self._bus.publish(
            SegmentCommitted(
                recording_id=self._recording_id,
                segment_id=segment_id,
                start_s=seg.start,
                end_s=seg.end,
                text=seg.text,
                final=seg.final,
                speaker=speaker,
            )
        )
