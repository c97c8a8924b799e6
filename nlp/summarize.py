"""StreamHover-style extractive summaries: ~5-minute clips, their most salient utterances,
and a summary of the whole recording built from the clip summaries.

Every summary sentence is something that was said, with its time. Utterances shorter than
five words are dropped (greetings, fillers). Salience is a sentence embedding's similarity
to the clip's centroid (what the clip is mostly about) and, when the recording has a title,
to the title; maximal marginal relevance keeps the picks from repeating each other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

CLIP_S = 300.0
MIN_WORDS = 5
MMR_LAMBDA = 0.7
TITLE_WEIGHT = 1.0  # chosen on PsTuts train+dev (scripts/tune_summaries.py)
LEAD_WEIGHT = 0.2  # bonus for early utterances (what is said first often frames the rest)
LEAD_SCALE = 10.0  # the bonus halves about every this many utterances
DUPLICATE = 0.85  # an utterance this similar to one already picked is never picked
MAX_CANDIDATES = 40  # per clip, evenly spread in time: bounds the embedding cost
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_CLOSED = re.compile(r"[.!?…][\"'”’)\]]*$")  # a sentence that ends here
MERGE_GAP_S = 2.0
MAX_SENTENCE_WORDS = 80


@dataclass(frozen=True)
class Utterance:
    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class ClipSummary:
    start_s: float
    end_s: float
    picks: list[Utterance]


def utterances_from_segments(segments: Sequence[tuple[float, float, str]]) -> list[Utterance]:
    """Sentences, timed by their share of their segments' words.

    A sentence a segment leaves open (no final mark) continues into the next segment —
    subtitle-style transcripts cut sentences anywhere — unless a pause of more than
    `MERGE_GAP_S` comes first or it would pass `MAX_SENTENCE_WORDS`.
    """
    out: list[Utterance] = []
    pending: Utterance | None = None
    for start, end, text in segments:
        if pending is not None and start - pending.end_s > MERGE_GAP_S:
            out.append(pending)
            pending = None
        for piece in _timed_sentences(start, end, text):
            if pending is not None:
                if len(pending.text.split()) + len(piece.text.split()) <= MAX_SENTENCE_WORDS:
                    piece = Utterance(pending.start_s, piece.end_s, f"{pending.text} {piece.text}")
                else:
                    out.append(pending)
                pending = None
            if _CLOSED.search(piece.text):
                out.append(piece)
            else:
                pending = piece
    if pending is not None:
        out.append(pending)
    return out


def _timed_sentences(start: float, end: float, text: str) -> list[Utterance]:
    """The sentences of one segment, timed by their share of its words."""
    sentences = [s.strip() for s in _SENTENCE.split(text.strip()) if s.strip()]
    total = sum(len(s.split()) for s in sentences) or 1
    out, position = [], 0
    for sentence in sentences:
        s0 = start + (end - start) * position / total
        position += len(sentence.split())
        s1 = start + (end - start) * position / total
        out.append(Utterance(round(s0, 2), round(s1, 2), sentence))
    return out


def clips(utterances: Sequence[Utterance], clip_s: float = CLIP_S) -> list[list[Utterance]]:
    """Consecutive ~`clip_s` stretches (by start time); empty stretches are skipped."""
    groups: dict[int, list[Utterance]] = {}
    for u in utterances:
        groups.setdefault(int(u.start_s // clip_s), []).append(u)
    return [groups[k] for k in sorted(groups)]


def how_many(count: int) -> int:
    """3–5 picks per clip, more for busier clips; never more than there are."""
    return min(count, max(3, min(5, round(count / 12))))


def mmr(vectors: np.ndarray, salience: np.ndarray, k: int, lam: float = MMR_LAMBDA) -> list[int]:
    """Maximal marginal relevance; near-duplicates of a pick (streams repeat themselves)
    are dropped outright."""
    chosen: list[int] = []
    candidates = list(range(len(vectors)))
    while candidates and len(chosen) < k:
        if chosen:
            redundancy = (vectors[candidates] @ vectors[chosen].T).max(axis=1)
        else:
            redundancy = np.zeros(len(candidates))
        scores = lam * salience[candidates] - (1 - lam) * redundancy
        best = candidates[int(np.argmax(scores))]
        chosen.append(best)
        similar = vectors[candidates] @ vectors[best]
        candidates = [c for c, sim in zip(candidates, similar, strict=True) if sim < DUPLICATE]
    return chosen


class Summarizer:
    def __init__(
        self,
        encoder=None,
        *,
        title_weight: float = TITLE_WEIGHT,
        lead_weight: float = LEAD_WEIGHT,
        lam: float = MMR_LAMBDA,
    ) -> None:
        if encoder is None:
            from nlp.embeddings import load_sentence_encoder

            encoder = load_sentence_encoder()
        self.encoder = encoder
        self.title_weight = title_weight
        self.lead_weight = lead_weight
        self.lam = lam

    def salience(self, vectors: np.ndarray, title_vector: np.ndarray | None) -> np.ndarray:
        centroid = vectors.mean(axis=0)
        centroid /= np.linalg.norm(centroid) + 1e-12
        score = vectors @ centroid
        if title_vector is not None:
            score = score + self.title_weight * (vectors @ title_vector)
        if self.lead_weight:
            score = score + self.lead_weight * np.exp2(-np.arange(len(vectors)) / LEAD_SCALE)
        return score

    def pick(
        self, utterances: Sequence[Utterance], k: int, title: str | None = None
    ) -> list[Utterance]:
        """The `k` most salient, least redundant utterances, in time order."""
        kept = [u for u in utterances if len(u.text.split()) >= MIN_WORDS]
        if not kept:
            return []
        vectors = self.encoder.encode([u.text for u in kept])
        title_vector = self.encoder.encode([title])[0] if title else None
        chosen = mmr(vectors, self.salience(vectors, title_vector), k, self.lam)
        return sorted((kept[i] for i in chosen), key=lambda u: u.start_s)

    def summarize_clip(self, clip: Sequence[Utterance], title: str | None = None) -> ClipSummary:
        kept = [u for u in clip if len(u.text.split()) >= MIN_WORDS]
        if len(kept) > MAX_CANDIDATES:
            step = len(kept) / MAX_CANDIDATES
            kept = [kept[int(i * step)] for i in range(MAX_CANDIDATES)]
        picks = self.pick(kept, how_many(len(kept)), title)
        return ClipSummary(clip[0].start_s, clip[-1].end_s, picks)

    def summarize(
        self,
        utterances: Sequence[Utterance],
        title: str | None = None,
        overall: int = 5,
        clip_s: float = CLIP_S,
    ) -> tuple[list[ClipSummary], list[Utterance]]:
        """Clip summaries, and the recording's summary chosen among the clips' picks."""
        clip_summaries = [self.summarize_clip(c, title) for c in clips(utterances, clip_s)]
        pool = [u for c in clip_summaries for u in c.picks]
        return clip_summaries, self.pick(pool, min(overall, len(pool)), title)
