"""Who speaks when, offline: speech regions → windows → speaker embeddings → clusters → turns.

`diarize(audio)` runs the whole chain on 16 kHz mono audio. Speech comes from Silero VAD
(`nlp/vad.py`) unless the caller already knows it (`speech=`: VAD regions, or the spans of
word-timed segments). Each region is cut into overlapping windows (`window_s`, `hop_s`), each
window embedded by the speaker encoder (`nlp/speaker_encoder.py`), and the embeddings
clustered by agglomerative clustering with average linkage under a cosine-distance
threshold, which also decides how many speakers there are; a cluster covering under
`min_speaker_s` joins its nearest. Every instant of speech takes the label of the window
whose centre is nearest; turns shorter than `min_turn_s` are given to a neighbour.

The numbers in `DiarizationOptions` were chosen on five of the ten AMI excerpts in
`../shared/data/diarization` (`benchmarks/diarization.py --tune`, trn00–trn04) and on
espeak-ng conversations (tests/nlp/test_diarization.py): the threshold is the middle of
the 0.30–0.35 plateau of equal DER there; `min_window_s` 1.0 and `min_speaker_s` 2.0 cost
0.013 DER on those files (0.162 → 0.175) but keep the DER flat from 0.275 to 0.375 and
stop a sentence's end or a lone "Well," from becoming a speaker of its own. The threshold
is fragile on 30-s meeting excerpts (held-out DER by threshold in resources/MODELS.md).

Labels are small integers in order of first appearance; the centroids (unit vectors) let a
caller match speakers to known voices (`nlp/speaker_profiles.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from nlp.speaker_encoder import DIMENSIONS, SpeakerEncoder, unit

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class SpeakerTurn:
    start: float  # seconds on the audio's timeline
    end: float
    speaker: int


@dataclass(frozen=True)
class DiarizationOptions:
    window_s: float = 1.5  # one embedding per window: long enough for a stable voice print
    hop_s: float = 0.75  # turns change at a resolution of about half this
    min_window_s: float = 1.0  # shorter speech is given the nearest speaker, not clustered
    threshold: float = 0.325  # cosine distance at which clusters stop merging (average linkage)
    min_turn_s: float = 0.5  # a shorter turn goes to a neighbour
    min_speaker_s: float = 2.0  # a cluster covering less speech joins its nearest
    max_gap_s: float = 0.5  # one speaker's turns closer than this are joined
    vad_threshold: float = 0.35  # Silero speech probability (see `speech_regions`)
    vad_pad_s: float = 0.2
    vad_min_silence_s: float = 0.15  # a shorter pause does not end a speech region


@dataclass(frozen=True)
class Diarization:
    turns: tuple[SpeakerTurn, ...]
    centroids: dict[int, np.ndarray] = field(default_factory=dict)  # speaker → unit vector

    @property
    def speakers(self) -> list[int]:
        return sorted({t.speaker for t in self.turns})


@dataclass(frozen=True)
class Windows:
    """Embedded windows: their spans (seconds), unit embeddings, and which were long enough
    to cluster."""

    spans: list[tuple[float, float]]
    embeddings: np.ndarray  # [n, 256]
    clusterable: np.ndarray  # [n] bool


def speech_regions(
    audio: np.ndarray,
    threshold: float = 0.35,
    pad_s: float = 0.2,
    min_silence_s: float = 0.15,
) -> list[tuple[float, float]]:
    """Where there is speech (seconds), by the Silero VAD of `nlp/vad.py`, each region
    widened by `pad_s` on both sides; pauses shorter than `min_silence_s` stay inside a
    region. The threshold is below the transcriber's 0.5: meeting and radio speech that is
    quiet or far from the microphone scores low, and speech the VAD misses can never be
    attributed. On the five AMI excerpts tuned on, 0.5 without padding missed 30 % of the
    speech frames, 0.35 with 0.2 s of padding 16 % (1 % false alarm), 0.2 with padding
    10 % (5 %); with the clustering, 0.35 gave the lowest DER."""
    from nlp.vad import GateOptions, SpeechGate, StreamingVad

    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    duration = len(audio) / SAMPLE_RATE
    vad = StreamingVad()
    gate = SpeechGate(
        GateOptions(
            threshold=threshold,
            neg_threshold=max(0.01, threshold - 0.15),
            min_silence_s=min_silence_s,
            min_speech_s=0.2,
        )
    )
    found: list[tuple[float, float]] = []
    start: int | None = None
    for event in gate.push(vad.feed(audio)):
        if event.kind == "start":
            start = event.sample
        elif start is not None:
            found.append((start / SAMPLE_RATE, event.sample / SAMPLE_RATE))
            start = None
    if start is not None:
        found.append((start / SAMPLE_RATE, duration))
    return widen(found, pad_s, duration)


def widen(
    regions: Sequence[tuple[float, float]], pad_s: float, duration: float
) -> list[tuple[float, float]]:
    """Each region `pad_s` wider on both sides, but never into its neighbour: a pause
    shorter than twice the padding is split at its middle rather than closed, since
    speakers change at pauses and a region is cut into windows on its own."""
    out: list[tuple[float, float]] = []
    for i, (s, e) in enumerate(regions):
        before = regions[i - 1][1] if i else -np.inf
        after = regions[i + 1][0] if i + 1 < len(regions) else np.inf
        start = max(0.0, s - pad_s, (before + s) / 2 if i else 0.0)
        end = min(duration, e + pad_s, (e + after) / 2 if i + 1 < len(regions) else duration)
        out.append((start, end))
    return out


def window_spans(
    regions: Sequence[tuple[float, float]], window_s: float, hop_s: float
) -> list[tuple[float, float]]:
    """Windows of `window_s` every `hop_s` inside each region, the last one ending at the
    region's end; a region shorter than a window is one window."""
    spans: list[tuple[float, float]] = []
    for start, end in regions:
        if end - start <= window_s:
            spans.append((start, end))
            continue
        count = int(np.ceil((end - start - window_s) / hop_s)) + 1
        for i in range(count):
            s = min(start + i * hop_s, end - window_s)
            spans.append((s, s + window_s))
    return spans


def embed_windows(
    encoder: SpeakerEncoder,
    audio: np.ndarray,
    regions: Sequence[tuple[float, float]],
    options: DiarizationOptions,
) -> Windows:
    spans = window_spans(regions, options.window_s, options.hop_s)
    embeddings = (
        encoder.embed_spans(audio, spans) if spans else np.zeros((0, DIMENSIONS), np.float32)
    )
    lengths = np.array([e - s for s, e in spans])
    return Windows(spans, embeddings, lengths >= options.min_window_s)


def cluster(embeddings: np.ndarray, threshold: float) -> np.ndarray:
    """Cluster labels (0, 1, … in order of first appearance) of unit embeddings:
    agglomerative, average linkage, merging while the cosine distance is below
    `threshold`."""
    n = len(embeddings)
    if n == 0:
        return np.zeros(0, dtype=int)
    if n == 1:
        return np.zeros(1, dtype=int)
    from sklearn.cluster import AgglomerativeClustering

    model = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=threshold
    )
    return first_appearance(model.fit_predict(embeddings))


def first_appearance(labels: np.ndarray) -> np.ndarray:
    """The same partition, renumbered 0, 1, … in order of first appearance."""
    order: dict[int, int] = {}
    return np.array([order.setdefault(int(x), len(order)) for x in labels], dtype=int)


def centroids_of(embeddings: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    return {int(k): unit(embeddings[labels == k].mean(axis=0)) for k in np.unique(labels)}


def label_all(
    windows: Windows, threshold: float, min_speaker_s: float = 0.0
) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """A label per window: the clusterable ones clustered, clusters covering less than
    `min_speaker_s` of speech merged into the nearest larger one (`absorb_small`), the
    short windows given the nearest centroid."""
    labels = np.full(len(windows.spans), -1, dtype=int)
    core = np.flatnonzero(windows.clusterable)
    if len(core) == 0:
        core = np.arange(len(windows.spans))
    found = cluster(windows.embeddings[core], threshold)
    spans = [windows.spans[i] for i in core]
    labels[core] = absorb_small(windows.embeddings[core], found, spans, min_speaker_s)
    centroids = centroids_of(windows.embeddings[core], labels[core])
    rest = np.flatnonzero(labels < 0)
    if len(rest) and centroids:
        keys = sorted(centroids)
        matrix = np.stack([centroids[k] for k in keys])
        labels[rest] = np.array(keys)[np.argmax(windows.embeddings[rest] @ matrix.T, axis=1)]
    return labels, centroids


def absorb_small(
    embeddings: np.ndarray,
    labels: np.ndarray,
    spans: Sequence[tuple[float, float]],
    min_speaker_s: float,
) -> np.ndarray:
    """Clusters whose windows cover less than `min_speaker_s` joined to the nearest other
    cluster (by centroid), smallest first, while more than one is left: a sentence's end
    or a laugh that strays from its speaker's cluster is not a new speaker."""
    labels = labels.copy()
    while len(set(labels.tolist())) > 1:
        covered = {
            k: _covered([spans[i] for i in np.flatnonzero(labels == k)])
            for k in set(labels.tolist())
        }
        smallest = min(covered, key=lambda k: covered[k])
        if covered[smallest] >= min_speaker_s:
            break
        centroids = centroids_of(embeddings, labels)
        others = [k for k in centroids if k != smallest]
        nearest = max(others, key=lambda k: float(centroids[k] @ centroids[smallest]))
        labels[labels == smallest] = nearest
    return first_appearance(labels)


def _covered(spans: Sequence[tuple[float, float]]) -> float:
    """Seconds covered by the union of `spans`."""
    total, reach = 0.0, -np.inf
    for s, e in sorted(spans):
        if e > reach:
            total += e - max(s, reach)
            reach = e
    return total


def turns_from_windows(
    spans: Sequence[tuple[float, float]],
    labels: Sequence[int],
    regions: Sequence[tuple[float, float]],
) -> list[SpeakerTurn]:
    """Speaker turns covering `regions`: each instant takes the label of the window, among
    those of its region, whose centre is nearest (boundaries fall halfway between window
    centres)."""
    turns: list[SpeakerTurn] = []
    items = sorted(zip(spans, labels, strict=True), key=lambda x: x[0][0] + x[0][1])
    for start, end in regions:
        inside = [
            ((s + e) / 2, int(label))
            for (s, e), label in items
            if s >= start - 1e-6 and e <= end + 1e-6
        ]
        if not inside:
            continue
        cursor = start
        for i, (centre, label) in enumerate(inside):
            stop = end if i == len(inside) - 1 else (centre + inside[i + 1][0]) / 2
            if stop > cursor:
                turns.append(SpeakerTurn(cursor, stop, label))
                cursor = stop
    return merge_turns(turns, max_gap_s=0.0)


def merge_turns(turns: Sequence[SpeakerTurn], max_gap_s: float) -> list[SpeakerTurn]:
    """Adjacent turns of one speaker with at most `max_gap_s` between them, joined."""
    out: list[SpeakerTurn] = []
    for turn in sorted(turns, key=lambda t: t.start):
        if out and out[-1].speaker == turn.speaker and turn.start - out[-1].end <= max_gap_s:
            out[-1] = SpeakerTurn(out[-1].start, max(out[-1].end, turn.end), turn.speaker)
        else:
            out.append(turn)
    return out


def smooth_turns(
    turns: Sequence[SpeakerTurn], min_turn_s: float, max_gap_s: float
) -> list[SpeakerTurn]:
    """Short turns (under `min_turn_s`) relabelled as the longer of their neighbours (a
    window or two that strayed to another cluster), shortest first, then one speaker's
    close turns joined. A short turn with no neighbour within `max_gap_s` keeps its label."""
    turns = merge_turns(turns, max_gap_s)
    settled: set[tuple[float, float]] = set()
    while True:
        short = [
            i
            for i, t in enumerate(turns)
            if t.end - t.start < min_turn_s and (t.start, t.end) not in settled
        ]
        if not short:
            return turns
        i = min(short, key=lambda k: turns[k].end - turns[k].start)
        turn = turns[i]
        neighbours = [
            j
            for j in (i - 1, i + 1)
            if 0 <= j < len(turns)
            and max(turns[j].start - turn.end, turn.start - turns[j].end) <= max_gap_s
        ]
        if not neighbours:
            settled.add((turn.start, turn.end))
            continue
        j = max(neighbours, key=lambda k: turns[k].end - turns[k].start)
        turns[i] = SpeakerTurn(turn.start, turn.end, turns[j].speaker)
        turns = merge_turns(turns, max_gap_s)


def renumber(turns: Sequence[SpeakerTurn]) -> tuple[list[SpeakerTurn], dict[int, int]]:
    """Labels renumbered 0, 1, … in order of first turn; the mapping old → new."""
    order: dict[int, int] = {}
    for t in sorted(turns, key=lambda t: t.start):
        order.setdefault(t.speaker, len(order))
    return [SpeakerTurn(t.start, t.end, order[t.speaker]) for t in turns], order


def diarize(
    audio: np.ndarray,
    *,
    speech: Sequence[tuple[float, float]] | None = None,
    encoder: SpeakerEncoder | None = None,
    options: DiarizationOptions | None = None,
) -> Diarization:
    """Speaker turns of 16 kHz mono `audio` (times in seconds from its first sample).
    `speech`: where speech is, if known (VAD regions or word-timed segments); found by VAD
    otherwise. Silence or too little speech gives no turns or one speaker, never an error."""
    from nlp.speaker_encoder import load_speaker_encoder

    options = options or DiarizationOptions()
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    duration = len(audio) / SAMPLE_RATE
    regions = sorted(
        (max(0.0, s), min(duration, e))
        for s, e in (
            speech
            if speech is not None
            else speech_regions(
                audio, options.vad_threshold, options.vad_pad_s, options.vad_min_silence_s
            )
        )
        if min(duration, e) - max(0.0, s) > 0.05
    )
    if not regions:
        return Diarization(())
    encoder = encoder or load_speaker_encoder()
    windows = embed_windows(encoder, audio, regions, options)
    labels, _ = label_all(windows, options.threshold, options.min_speaker_s)
    turns = turns_from_windows(windows.spans, labels, regions)
    turns = smooth_turns(turns, options.min_turn_s, options.max_gap_s)
    turns, order = renumber(turns)
    kept = np.isin(labels, list(order))
    centroids = {
        order[k]: v for k, v in centroids_of(windows.embeddings[kept], labels[kept]).items()
    }
    return Diarization(tuple(turns), centroids)
