"""Who speaks, for every transcription: labels as segments are committed, the speakers
settled against the source's voice profiles when the pass ends.

One path for every mode. `SpeakerLabeller.hear` is given the audio the transcriber is given
(a live stream's chunks, a whole file, a resumed run); each final segment is cut where the
speaker changes (`split`) from that audio, by the online clusterer, so a live transcript
shows a speaker as soon as the segment is final. `settle` refines the labels with a global
clustering when the pass ends, matches each speaker to the source's voice profiles (the
same host on another day gets the same name), creates profiles for new voices, and rewrites
the transcript's speaker column for the pass.

Diarization is an extra: when the speaker model is missing or fails, the transcript is
saved without speakers and the user is told once.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass

import numpy as np

from nlp.diarization import SpeakerTurn
from nlp.errors import ModelUnavailable
from nlp.speaker_profiles import PROFILE_THRESHOLD, VoiceProfile, match_speakers, updated
from nlp.speaker_segments import speaker_at, speech_spans, split_by_speaker
from nlp.types import Segment
from storage import Library
from storage.speakers import FoundSpeaker

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
KEEP_AUDIO_S = 180.0  # audio kept for live segments: far more than a segment's commit lag
# The live labels are consolidated (a global clustering of what was heard, `OnlineDiarizer.
# consolidate`) after this much new speech, or this share of all speech so far when more:
# often while a voice's first rough print can split it in two, rarely on a long stream
# (clustering an hour's windows takes a second or two).
CONSOLIDATE_EVERY_S = 8.0
CONSOLIDATE_SHARE = 0.25
# A profile from less speech than this is kept (it can be named) but not matched against:
# a few seconds give too rough a voice print to recognise someone by on another day.
MIN_PROFILE_S = 8.0


def as_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32).copy()


class RecentAudio:
    """The last `keep_s` seconds a transcriber was given (all of it when None), by time."""

    def __init__(self, keep_s: float | None = KEEP_AUDIO_S) -> None:
        self.keep_s = keep_s
        self._pieces: deque[tuple[float, np.ndarray]] = deque()
        self._lock = threading.Lock()

    def add(self, samples: np.ndarray, start_s: float) -> None:
        with self._lock:
            self._pieces.append((start_s, np.asarray(samples, dtype=np.float32).reshape(-1)))
            if self.keep_s is None:
                return
            newest = start_s + len(samples) / SAMPLE_RATE
            while self._pieces:
                first_start, first = self._pieces[0]
                if first_start + len(first) / SAMPLE_RATE >= newest - self.keep_s:
                    break
                self._pieces.popleft()

    def between(self, start_s: float, end_s: float) -> tuple[np.ndarray, float] | None:
        """The audio from `start_s` to `end_s` that is kept, and where it starts; None when
        none is. A gap in the stream is left out (its later audio follows at once), so
        the caller's times stay right only up to the gap: enough to label a segment."""
        with self._lock:
            parts: list[np.ndarray] = []
            first: float | None = None
            for piece_start, samples in self._pieces:
                piece_end = piece_start + len(samples) / SAMPLE_RATE
                if piece_end <= start_s or piece_start >= end_s:
                    continue
                a = max(0, round((start_s - piece_start) * SAMPLE_RATE))
                b = min(len(samples), round((end_s - piece_start) * SAMPLE_RATE))
                if first is None:
                    first = piece_start + a / SAMPLE_RATE
                parts.append(samples[a:b])
        if first is None or not parts:
            return None
        return np.concatenate(parts), first


@dataclass(frozen=True)
class SettledSpeakers:
    speakers: list[FoundSpeaker]
    segments: dict[int, str | None]  # segment id → the name it shows


class SpeakerLabeller:
    """Speaker labels for one pass over one recording (`app.transcript_sink` calls it)."""

    def __init__(
        self,
        library: Library,
        recording_id: int,
        source_id: int | None,
        keep_audio_s: float | None = KEEP_AUDIO_S,
        model: str | None = None,
    ) -> None:
        """`model`: a speaker encoder of the user's (None: the bundled one). Raises
        `ModelUnavailable` when the speaker encoder cannot be loaded."""
        from nlp.speaker_encoder import load_speaker_encoder
        from nlp.speaker_online import OnlineDiarizer

        self.library = library
        self.recording_id = recording_id
        self.source_id = source_id
        self.audio = RecentAudio(keep_audio_s)
        self._diarizer = OnlineDiarizer(load_speaker_encoder(model))
        self._profiles = (
            {p.id: p for p in library.speakers.profiles(source_id)} if source_id else {}
        )
        self._next_number = library.speakers.next_number(source_id)
        self._names: dict[int, str] = {}  # live label → the name shown while live
        self._new_voices = 0
        self._span: list[float] = []  # [first, last] second labelled in this pass
        self._lock = threading.Lock()
        self._heard_s = 0.0  # speech labelled so far
        self._consolidated_s = 0.0  # ... when the live labels were last consolidated
        self.failed: str | None = None

    def hear(self, samples: np.ndarray, start_s: float) -> None:
        self.audio.add(samples, start_s)

    def split(self, segment: Segment) -> list[tuple[str | None, Segment]]:
        """`segment` cut where the speaker changes, each piece with the name to show."""
        if self.failed is not None:
            return [(None, segment)]
        clip = self.audio.between(segment.start, segment.end)
        if clip is None:
            return [(None, segment)]
        audio, clip_start = clip
        speech = speech_spans(segment.words) or [(segment.start, segment.end)]
        try:
            with self._lock:
                turns = self._diarizer.push(audio, clip_start, speech=speech)
                pieces = split_by_speaker(segment, turns)
                self._heard_s += sum(e - s for s, e in speech)
                if self._heard_s - self._consolidated_s >= max(
                    CONSOLIDATE_EVERY_S, CONSOLIDATE_SHARE * self._heard_s
                ):
                    self._diarizer.consolidate()
                    self._consolidated_s = self._heard_s
                named = [(self._live_name(p.speaker), p.segment) for p in pieces]
        except Exception as exc:  # an extra: the transcript goes on without speakers
            log.exception("Speaker labelling failed")
            self.failed = f"Speakers were not found: {exc}"
            return [(None, segment)]
        self._span = [
            min([segment.start, *self._span[:1]]),
            max([segment.end, *self._span[1:]]),
        ]
        return named

    def _live_name(self, label: int | None) -> str | None:
        if label is None:
            return None
        if label not in self._names:
            centroid = self._diarizer.clusterer.centroids.get(label)
            known = self._match({label: centroid}) if centroid is not None else {}
            if label in known:
                self._names[label] = self._profiles[known[label][0]].display
            else:
                self._names[label] = f"Speaker {self._next_number + self._new_voices}"
                self._new_voices += 1
        return self._names[label]

    def _live_number(self, label: int) -> int | None:
        """The number the live transcript showed for `label` ("Speaker 4" → 4), if any: the
        refinement keeps the live labels, so a new voice keeps the name it was shown with."""
        name = self._names.get(label, "")
        number = name.removeprefix("Speaker ")
        return int(number) if name.startswith("Speaker ") and number.isdigit() else None

    def _match(self, centroids: dict[int, np.ndarray]) -> dict[int, tuple[int, float]]:
        candidates = [
            VoiceProfile(str(p.id), from_bytes(p.centroid), p.weight_s)
            for p in self._profiles.values()
            if p.weight_s >= MIN_PROFILE_S
        ]
        found = match_speakers(centroids, candidates, PROFILE_THRESHOLD)
        return {label: (int(key), similarity) for label, (key, similarity) in found.items()}

    def settle(self) -> str | None:
        """Refine the labels, match them to the source's profiles, and rewrite this pass's
        speakers in the library. Returns a note for the user when speakers could not be
        found, else None."""
        if self.failed is not None:
            return self.failed
        if not self._span:
            return None
        try:
            with self._lock:
                turns = self._diarizer.refine()
                centroids = self._diarizer.centroids()
            settled = self._settled(turns, centroids)
        except Exception as exc:
            log.exception("Settling the speakers failed")
            return f"Speakers were not settled (the live labels stay): {exc}"
        self.library.speakers.replace_for_recording(
            self.recording_id, settled.speakers, settled.segments
        )
        return None

    def _settled(
        self, turns: list[SpeakerTurn], centroids: dict[int, np.ndarray]
    ) -> SettledSpeakers:
        speech: dict[int, float] = {}
        for t in turns:
            speech[t.speaker] = speech.get(t.speaker, 0.0) + (t.end - t.start)
        centroids = {k: v for k, v in centroids.items() if speech.get(k, 0.0) > 0}
        earlier = self.library.speakers.for_recording(self.recording_id)
        # A resumed recording: a voice of an earlier pass keeps its label.
        again = match_speakers(
            centroids,
            [
                VoiceProfile(str(i), from_bytes(s.centroid), s.speech_s)
                for i, s in enumerate(earlier)
            ],
        )
        known = self._match({k: v for k, v in centroids.items() if k not in again})
        found: list[FoundSpeaker] = []
        names: dict[int, str] = {}
        kept = {int(i) for i, _ in again.values()}
        for i, speaker in enumerate(earlier):
            if i not in kept:
                found.append(_same(speaker))
        for label in sorted(centroids, key=lambda k: min(t.start for t in turns if t.speaker == k)):
            centroid, seconds = centroids[label], speech[label]
            if label in again:
                before = earlier[int(again[label][0])]
                mixed = updated(
                    VoiceProfile("", from_bytes(before.centroid), before.speech_s),
                    centroid,
                    seconds,
                )
                found.append(
                    FoundSpeaker(
                        before.label,
                        before.profile_id,
                        before.speech_s + seconds,
                        before.similarity,
                        as_bytes(mixed.centroid),
                    )
                )
                names[label] = before.display
                profile = self._profiles.get(before.profile_id) if before.profile_id else None
                if profile is not None:
                    self._learn(profile, centroid, seconds)
                continue
            if label in known:
                profile_id, similarity = known[label]
                profile = self._profiles[profile_id]
                self._learn(profile, centroid, seconds)
            else:
                profile = self.library.speakers.create_profile(
                    self.source_id, as_bytes(centroid), seconds, self._live_number(label)
                )
                similarity = None
            found.append(
                FoundSpeaker(
                    f"Speaker {profile.number}", profile.id, seconds, similarity, as_bytes(centroid)
                )
            )
            names[label] = profile.display
        segments = {
            s.id: names.get(speaker_at(s.start_s, s.end_s, turns))
            for s in self.library.segments.for_recording(self.recording_id)
            if s.end_s > self._span[0] - 0.01 and s.start_s < self._span[1] + 0.01
        }
        return SettledSpeakers(found, segments)

    def _learn(self, profile, centroid: np.ndarray, seconds: float) -> None:
        mixed = updated(
            VoiceProfile(str(profile.id), from_bytes(profile.centroid), profile.weight_s),
            centroid,
            seconds,
        )
        self.library.speakers.update_profile(profile.id, as_bytes(mixed.centroid), mixed.weight)


def _same(speaker) -> FoundSpeaker:
    return FoundSpeaker(
        speaker.label, speaker.profile_id, speaker.speech_s, speaker.similarity, speaker.centroid
    )


def start_labelling(
    library: Library,
    recording_id: int,
    source_id: int | None,
    keep_audio_s: float | None = KEEP_AUDIO_S,
    model: str | None = None,
) -> tuple[SpeakerLabeller | None, str | None]:
    """A labeller for a pass, or None and why not (the speaker model is missing)."""
    try:
        return SpeakerLabeller(library, recording_id, source_id, keep_audio_s, model), None
    except ModelUnavailable as exc:
        log.info("No speaker labels: %s", exc)
        return None, f"Speakers were not found: {exc}"
