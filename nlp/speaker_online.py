"""Speaker labels while a stream plays, and a refinement when it ends.

`OnlineClusterer` gives each new embedding the nearest speaker's label when that speaker's
centroid is within `threshold` (cosine distance), else a new label; the centroid then moves
towards it. Nothing is revisited, so a label is there as soon as the embedding is — within
seconds of the speech — but an early mistake (a first speaker split in two, two similar
voices merged) stays. `refine()` clusters everything seen so far as the offline pass does
(`nlp.diarization.cluster`) and maps the result onto the online labels (one-to-one, by
the speech time they share), so a speaker keeps the label the live transcript showed and
only the windows the online pass got wrong change.

`OnlineDiarizer` runs this over a stream's committed pieces of audio: windows, embeddings,
online labels, turns for that piece.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from nlp.diarization import (
    DiarizationOptions,
    SpeakerTurn,
    absorb_small,
    cluster,
    smooth_turns,
    turns_from_windows,
    window_spans,
)
from nlp.speaker_encoder import DIMENSIONS, SpeakerEncoder, unit

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
# Cosine distance to a centroid. Chosen on trn00–trn04 of the AMI excerpts
# (`benchmarks/diarization.py --tune`): 0.20 gave the lowest live DER but twice the
# speakers there are, 0.25 nearly the same DER with the best speaker count.
ONLINE_THRESHOLD = 0.25
# Average-linkage clustering holds all pairwise distances: 3,000 windows take 36 MB and a
# second or two; six hours of speech (28,800 windows) would take 3.3 GB. Past this many,
# `refine` clusters runs of consecutive windows that share an online label, pooled.
MAX_REFINE_ITEMS = 3000


class OnlineClusterer:
    """Incremental speaker labels for a stream of unit embeddings."""

    def __init__(self, threshold: float = ONLINE_THRESHOLD) -> None:
        self.threshold = threshold
        self._sums: list[np.ndarray] = []  # per label: weighted sum of its embeddings
        self.embeddings: list[np.ndarray] = []
        self.weights: list[float] = []
        self.labels: list[int] = []

    @property
    def centroids(self) -> dict[int, np.ndarray]:
        return {k: unit(s) for k, s in enumerate(self._sums)}

    def assign(self, embedding: np.ndarray, weight: float = 1.0) -> int:
        """The label of `embedding` (weight: e.g. the seconds of speech it stands for)."""
        embedding = unit(np.asarray(embedding, dtype=np.float32))
        label = self.nearest(embedding)
        if label is None:
            label = len(self._sums)
            self._sums.append(np.zeros_like(embedding))
        self._sums[label] += weight * embedding
        self.embeddings.append(embedding)
        self.weights.append(weight)
        self.labels.append(label)
        return label

    def relabel(self, labels: Sequence[int]) -> None:
        """Take `labels` (one per embedding, e.g. from `refine`) as the labels so far: the
        centroids are rebuilt from them, so later embeddings follow them. A label left
        without embeddings keeps its number, with no centroid."""
        self.labels = [int(x) for x in labels]
        size = max([len(self._sums) - 1, *self.labels]) + 1
        self._sums = [np.zeros(DIMENSIONS, np.float32) for _ in range(size)]
        for embedding, weight, label in zip(
            self.embeddings, self.weights, self.labels, strict=True
        ):
            self._sums[label] += weight * embedding

    def nearest(self, embedding: np.ndarray) -> int | None:
        """The label whose centroid is nearest and within the threshold, if any."""
        if not self._sums:
            return None
        centroids = np.stack([unit(s) for s in self._sums])
        similarities = centroids @ embedding
        best = int(np.argmax(similarities))
        return best if 1.0 - similarities[best] <= self.threshold else None

    def refine(
        self,
        threshold: float | None = None,
        spans: Sequence[tuple[float, float]] | None = None,
        min_speaker_s: float = 0.0,
    ) -> list[int]:
        """Every embedding's label after clustering them all at once, in the online
        labels' terms: each global cluster takes the online label it shares the most
        weight with (one-to-one); a cluster left over gets a new label. With the
        embeddings' `spans`, clusters covering less than `min_speaker_s` join their
        nearest, as offline (`nlp.diarization.absorb_small`)."""
        if not self.embeddings:
            return []
        limit = threshold if threshold is not None else DiarizationOptions().threshold
        embeddings = np.stack(self.embeddings)
        groups = pooled_groups(self.labels, MAX_REFINE_ITEMS)
        if len(groups) > 2 * MAX_REFINE_ITEMS:  # labels flip at almost every window
            log.warning("Too many speaker changes to refine: the live labels stay")
            return list(self.labels)
        pooled = np.stack([unit(embeddings[g].mean(axis=0)) for g in groups])
        found_pooled = cluster(pooled, limit)
        if spans is not None and min_speaker_s > 0:
            group_spans = [(spans[g[0]][0], spans[g[-1]][1]) for g in groups]
            found_pooled = absorb_small(pooled, found_pooled, group_spans, min_speaker_s)
        found = np.empty(len(embeddings), dtype=int)
        for group, label in zip(groups, found_pooled, strict=True):
            found[group] = label
        return map_labels(found, np.array(self.labels), np.array(self.weights))


def pooled_groups(labels: Sequence[int], max_items: int) -> list[list[int]]:
    """Indices grouped so that there are at most about `max_items` groups: one index per
    group when there are few; else runs of consecutive indices with one label, each run
    cut into pieces of `ceil(n / max_items)`."""
    n = len(labels)
    size = max(1, -(-n // max_items))
    groups: list[list[int]] = []
    for i, label in enumerate(labels):
        last = groups[-1] if groups else None
        if last is not None and labels[last[0]] == label and len(last) < size:
            last.append(i)
        else:
            groups.append([i])
    return groups


def map_labels(found: np.ndarray, reference: np.ndarray, weights: np.ndarray) -> list[int]:
    """`found` cluster labels renamed to the `reference` labels they overlap most (weighted,
    one-to-one, Hungarian); clusters without a partner get labels beyond the reference's."""
    from scipy.optimize import linear_sum_assignment

    clusters = sorted(set(found.tolist()))
    references = sorted(set(reference.tolist()))
    overlap = np.zeros((len(clusters), len(references)))
    for c, r, w in zip(found, reference, weights, strict=True):
        overlap[clusters.index(c), references.index(r)] += w
    rows, cols = linear_sum_assignment(-overlap)
    rename = {
        clusters[i]: references[j] for i, j in zip(rows, cols, strict=True) if overlap[i, j] > 0
    }
    spare = max(references) + 1
    for c in clusters:
        if c not in rename:
            rename[c] = spare
            spare += 1
    return [rename[int(c)] for c in found]


class OnlineDiarizer:
    """Speaker turns for each piece of a stream as it is committed (e.g. a transcript
    segment's audio), labels kept consistent across pieces; `refine()` at the end."""

    def __init__(
        self,
        encoder: SpeakerEncoder | None = None,
        options: DiarizationOptions | None = None,
        threshold: float = ONLINE_THRESHOLD,
    ) -> None:
        from nlp.speaker_encoder import load_speaker_encoder

        self.encoder = encoder or load_speaker_encoder()
        self.options = options or DiarizationOptions()
        self.clusterer = OnlineClusterer(threshold)
        self.windows: list[tuple[float, float]] = []  # one per clusterer embedding
        self._short: list[tuple[tuple[float, float], np.ndarray]] = []  # not clustered
        self._refined: list[int] | None = None

    def push(
        self,
        audio: np.ndarray,
        start_s: float,
        speech: Sequence[tuple[float, float]] | None = None,
    ) -> list[SpeakerTurn]:
        """Turns for `audio` (16 kHz mono, its first sample at `start_s` on the stream's
        timeline); `speech`: the spans inside it that are speech (absolute seconds; e.g.
        the words' span), all of it when None. Windows too short to carry a voice take
        the label of the piece's longest window, or the nearest speaker."""
        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        end_s = start_s + len(audio) / SAMPLE_RATE
        regions = [
            (max(s, start_s), min(e, end_s))
            for s, e in (speech if speech is not None else [(start_s, end_s)])
            if min(e, end_s) - max(s, start_s) > 0.05
        ]
        spans = window_spans(regions, self.options.window_s, self.options.hop_s)
        if not spans:
            return []
        relative = [(s - start_s, e - start_s) for s, e in spans]
        embeddings = self.encoder.embed_spans(audio, relative)
        labels: list[int | None] = []
        for (s, e), vector in zip(spans, embeddings, strict=True):
            if e - s >= self.options.min_window_s:
                labels.append(self.clusterer.assign(vector, weight=e - s))
                self.windows.append((s, e))
            else:
                labels.append(None)
        fallback = next((x for x in labels if x is not None), None)
        for i, vector in enumerate(embeddings):
            if labels[i] is not None:
                continue
            labels[i] = self.clusterer.nearest(unit(vector)) if fallback is None else fallback
            if labels[i] is None:  # nobody near yet: a short piece still opens a speaker
                labels[i] = self.clusterer.assign(vector, weight=spans[i][1] - spans[i][0])
                self.windows.append(spans[i])
            else:
                self._short.append((spans[i], unit(vector)))
        turns = turns_from_windows(spans, [int(x) for x in labels], regions)
        return smooth_turns(turns, self.options.min_turn_s, self.options.max_gap_s)

    def consolidate(self, threshold: float | None = None) -> None:
        """Cluster everything seen so far, as `refine` does, and let later live labels
        follow that: two live speakers that turn out to be one voice (a first short
        utterance whose voice print was rough) become one, under the label that has more
        speech. Nothing is absorbed for being small here: a voice just heard is not noise."""
        if len(self.clusterer.embeddings) > 1:
            self.clusterer.relabel(self.clusterer.refine(threshold))

    def refine(self, threshold: float | None = None) -> list[SpeakerTurn]:
        """All turns so far after a global clustering, in the online labels' terms; the
        windows too short to cluster take the nearest refined speaker."""
        labels = self.clusterer.refine(threshold, self.windows, self.options.min_speaker_s)
        self._refined = list(labels)
        spans = list(self.windows)
        if self._short and labels:
            embeddings = np.stack(self.clusterer.embeddings)
            keys = sorted(set(labels))
            centroids = np.stack(
                [unit(embeddings[np.array(labels) == k].mean(axis=0)) for k in keys]
            )
            for span, vector in self._short:
                spans.append(span)
                labels.append(keys[int(np.argmax(centroids @ vector))])
        turns = turns_from_windows(spans, labels, _union(spans))
        return smooth_turns(turns, self.options.min_turn_s, self.options.max_gap_s)

    def centroids(self) -> dict[int, np.ndarray]:
        """Each speaker's unit centroid (after `refine()`, its labels; the live ones before),
        to match against voice profiles (`nlp.speaker_profiles.match_speakers`)."""
        if not self.clusterer.embeddings:
            return {}
        labels = np.array(self._refined if self._refined is not None else self.clusterer.labels)
        embeddings = np.stack(self.clusterer.embeddings)
        weights = np.array(self.clusterer.weights)[:, None]
        return {
            int(k): unit((embeddings[labels == k] * weights[labels == k]).sum(axis=0))
            for k in np.unique(labels)
        }


def _union(spans: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The time the spans cover, as disjoint regions."""
    regions: list[tuple[float, float]] = []
    for s, e in sorted(spans):
        if regions and s <= regions[-1][1]:
            regions[-1] = (regions[-1][0], max(regions[-1][1], e))
        else:
            regions.append((s, e))
    return regions
