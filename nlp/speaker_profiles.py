"""Recurring voices: a profile per known speaker (a centroid of their embeddings), and the
matching of a recording's speakers against them.

The same host on another day should get the same name. A profile is the unit mean of the
speaker's embeddings; a recording's speaker matches the profile whose centroid is nearest
when the cosine similarity reaches `threshold`. Speakers and profiles are paired one-to-one
(Hungarian assignment on the similarities), so two speakers of one recording never take the
same name. Pure functions: where profiles are kept is the caller's business.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from nlp.speaker_encoder import unit

# Cosine similarity between two recordings' centroids of one voice. Measured on the AMI
# excerpts (centroids of each reference speaker's clean speech, ≥ 3 s, in different files):
# the one speaker found in two files scored 0.936; 27 pairs of different speakers at most
# 0.905 (mean 0.771) — close voices on one meeting's microphones. Too few same-speaker
# pairs to tune on: 0.92 keeps different AMI speakers apart and, on espeak-ng voices,
# the same voice in another recording together (tests/nlp/test_diarization.py).
PROFILE_THRESHOLD = 0.92


@dataclass(frozen=True)
class VoiceProfile:
    key: str  # the caller's id or name for the voice
    centroid: np.ndarray  # unit vector
    weight: float = 1.0  # seconds of speech (or recordings) behind the centroid


def profile_from(
    key: str, embeddings: np.ndarray, weights: Sequence[float] | None = None
) -> VoiceProfile:
    """A profile from a speaker's embeddings [n, 256] (weights: e.g. seconds of each)."""
    embeddings = np.atleast_2d(np.asarray(embeddings, dtype=np.float32))
    w = np.ones(len(embeddings)) if weights is None else np.asarray(weights, dtype=np.float64)
    return VoiceProfile(key, unit((embeddings * w[:, None]).sum(axis=0)), float(w.sum()))


def updated(profile: VoiceProfile, centroid: np.ndarray, weight: float) -> VoiceProfile:
    """`profile` after another recording of the same voice (its centroid, with its weight):
    the weighted mean, so a long history is not overturned by one recording."""
    total = profile.weight + weight
    mixed = profile.centroid * profile.weight + unit(np.asarray(centroid)) * weight
    return VoiceProfile(profile.key, unit(mixed), total)


def match_speakers(
    centroids: Mapping[int, np.ndarray],
    profiles: Sequence[VoiceProfile],
    threshold: float = PROFILE_THRESHOLD,
) -> dict[int, tuple[str, float]]:
    """Each speaker (label → unit centroid) that matches a profile: label → (profile key,
    cosine similarity). One-to-one; pairs below `threshold` are left out."""
    if not centroids or not profiles:
        return {}
    from scipy.optimize import linear_sum_assignment

    labels = list(centroids)
    speakers = np.stack([unit(np.asarray(centroids[k])) for k in labels])
    known = np.stack([unit(p.centroid) for p in profiles])
    similarity = speakers @ known.T
    rows, cols = linear_sum_assignment(-similarity)
    return {
        labels[i]: (profiles[j].key, float(similarity[i, j]))
        for i, j in zip(rows, cols, strict=True)
        if similarity[i, j] >= threshold
    }
