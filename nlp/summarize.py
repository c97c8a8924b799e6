"""StreamHover-style extractive summaries: ~5-minute clips, their most salient utterances,
and a summary of the whole recording built from the clip summaries.

Every summary sentence is something that was said, with its time. Utterances shorter than
five words, or with fewer than three distinct content words ("We want to do that."), are
never picked, nor are station breaks (idents, promos, sponsor copy: `nlp.station_breaks`),
which stations repeat so often that they look central to any clip. Salience is a sentence
embedding's similarity to the clip's centroid (what the clip is mostly about), to the title
when the title says something ("Painting a mountain lake", not "KSRM 2024-07-11 02:19"), a
small bonus for early sentences and one for specific words (their IDF over the library:
"Great to be on your show" says less than "the canvassing board certified the ballots");
maximal marginal relevance keeps the picks from repeating each other.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from nlp.keywords import FILLERS, is_stop_word, tokens
from nlp.station_breaks import is_station_break, load_break_head, station_break_flags
from nlp.types import split_sentences

CLIP_S = 300.0
MIN_WORDS = 5
MIN_CONTENT_WORDS = 3  # distinct words that are not stop words or fillers
MMR_LAMBDA = 0.7
TITLE_WEIGHT = 1.0  # chosen on PsTuts train+dev (scripts/tune_summaries.py)
LEAD_WEIGHT = 0.4  # bonus for early utterances (what is said first often frames the rest)
INFO_WEIGHT = 0.1  # bonus for specific words (mean IDF, scaled to the clip's most specific)
LEAD_SCALE = 10.0  # the bonus halves about every this many utterances
DUPLICATE = 0.85  # an utterance this similar to one already picked is never picked
MAX_CANDIDATES = 40  # per clip, evenly spread in time: bounds the embedding cost
_TITLE_WORD = re.compile(r"[A-Za-z]{4,}")
_CLOSED = re.compile(r"[.!?…][\"'”’)\]]*$")  # a sentence that ends here
MERGE_GAP_S = 2.0
MAX_SENTENCE_WORDS = 80
BESIDE_S = 3.0  # a line this close to a station break is not picked while others are left
MIN_AWAY = 3  # … that is, while a clip has this many eligible lines away from breaks


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
    sentences = split_sentences(text)
    total = sum(len(s.split()) for s in sentences) or 1
    out, position = [], 0
    for sentence in sentences:
        s0 = start + (end - start) * position / total
        position += len(sentence.split())
        s1 = start + (end - start) * position / total
        out.append(Utterance(round(s0, 2), round(s1, 2), sentence))
    return out


def _carries_meaning(word: str) -> bool:
    return len(word) >= 3 and not is_stop_word(word) and word not in FILLERS


def content_words(text: str) -> set[str]:
    """The distinct words of a text that carry meaning: three letters or more, not a stop
    word or a filler."""
    return {w for w in tokens(text) if _carries_meaning(w)}


def worth_summarizing(utterance: Utterance) -> bool:
    """Whether an utterance may stand in a summary: long enough, saying something, and
    not the station talking about itself."""
    text = utterance.text
    return (
        len(text.split()) >= MIN_WORDS
        and len(content_words(text)) >= MIN_CONTENT_WORDS
        and not is_station_break(text)
    )


def clips(utterances: Sequence[Utterance], clip_s: float = CLIP_S) -> list[list[Utterance]]:
    """Consecutive ~`clip_s` stretches (by start time); empty stretches are skipped."""
    groups: dict[int, list[Utterance]] = {}
    for u in utterances:
        groups.setdefault(int(u.start_s // clip_s), []).append(u)
    return [groups[k] for k in sorted(groups)]


def says_something(title: str | None) -> bool:
    """Whether a title names a topic: a word of four letters or more that is not a code
    in capitals (a station's call sign) — not "KSRM 2024-07-11 02:19" or "Day 8"."""
    return bool(title) and any(not w.isupper() for w in _TITLE_WORD.findall(title))


def how_many(count: int) -> int:
    """3–5 picks per clip, more for busier clips; never more than there are."""
    return min(count, max(3, min(5, round(count / 12))))


def mmr(
    vectors: np.ndarray,
    salience: np.ndarray,
    k: int,
    lam: float = MMR_LAMBDA,
    groups: Sequence[int] | None = None,
    per_group: int = 0,
) -> list[int]:
    """Maximal marginal relevance; near-duplicates of a pick (streams repeat themselves)
    are dropped outright. With `groups` and `per_group`, no group gives more picks than
    that (the whole recording's summary takes from across its clips)."""
    chosen: list[int] = []
    candidates = list(range(len(vectors)))
    taken: dict[int, int] = {}
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
        if groups is not None and per_group:
            taken[groups[best]] = taken.get(groups[best], 0) + 1
            candidates = [c for c in candidates if taken.get(groups[c], 0) < per_group]
    return chosen


def _beside_breaks(clip: Sequence[Utterance], flags: Sequence[bool]) -> list[int]:
    """The ids of the unflagged utterances that follow or precede a station break within
    `BESIDE_S`: the lines that lead into or out of a break (a teaser, a spot's opening
    line, a sign-off's last words) more often than the programme's middle does."""
    out = []
    for i, u in enumerate(clip):
        if flags[i]:
            continue
        before = i > 0 and flags[i - 1] and u.start_s - clip[i - 1].end_s <= BESIDE_S
        after = i + 1 < len(clip) and flags[i + 1] and clip[i + 1].start_s - u.end_s <= BESIDE_S
        if before or after:
            out.append(id(u))
    return out


class Summarizer:
    def __init__(
        self,
        encoder=None,
        *,
        title_weight: float = TITLE_WEIGHT,
        lead_weight: float = LEAD_WEIGHT,
        info_weight: float = INFO_WEIGHT,
        lam: float = MMR_LAMBDA,
        idf: tuple[dict[str, float], int] | None = None,
        eligible: Callable[[Utterance], bool] | None = None,
        break_head: bool = True,
        break_blocks: bool = True,
    ) -> None:
        """`idf`: (IDF per word, documents) over the user's library (`app.keywords.
        library_idf`); without it, or with fewer than two documents, no word bonus.
        `eligible`: which utterances may be picked (`worth_summarizing` unless given; the
        benchmarks pass the older rule to measure what it changed). `break_head`: also leave
        out what the trained station-break head flags (sponsor copy and promos without a
        surface cue), when its weights are there. `break_blocks`: in a clip, also leave out
        what sits between two station breaks (`station_break_flags`)."""
        if encoder is None:
            from nlp.embeddings import load_sentence_encoder

            encoder = load_sentence_encoder()
        self.encoder = encoder
        self.title_weight = title_weight
        self.lead_weight = lead_weight
        self.info_weight = info_weight
        self.lam = lam
        self.idf = idf
        self.eligible = eligible or worth_summarizing
        self.break_head = load_break_head() if break_head else None
        self.break_blocks = break_blocks

    def salience(
        self,
        vectors: np.ndarray,
        title_vector: np.ndarray | None,
        specificity: np.ndarray | None = None,
        lead: bool = True,
    ) -> np.ndarray:
        centroid = vectors.mean(axis=0)
        centroid /= np.linalg.norm(centroid) + 1e-12
        score = vectors @ centroid
        if title_vector is not None:
            score = score + self.title_weight * (vectors @ title_vector)
        if lead and self.lead_weight:
            score = score + self.lead_weight * np.exp2(-np.arange(len(vectors)) / LEAD_SCALE)
        if specificity is not None and self.info_weight:
            score = score + self.info_weight * specificity
        return score

    def specificity(self, texts: Sequence[str]) -> np.ndarray | None:
        """Mean IDF of each text's content words, scaled so the most specific is 1."""
        if not self.idf or self.idf[1] < 2:
            return None
        table, documents = self.idf
        unseen = math.log(1 + documents) + 1.0  # a word no recording used yet
        means = []
        for text in texts:
            words = [w for w in tokens(text) if _carries_meaning(w)]
            means.append(sum(table.get(w, unseen) for w in words) / len(words) if words else 0.0)
        values = np.array(means)
        return values / (values.max() + 1e-9)

    def pick(
        self,
        utterances: Sequence[Utterance],
        k: int,
        title: str | None = None,
        lead: bool = True,
        groups: Sequence[int] | None = None,
        per_group: int = 0,
    ) -> list[Utterance]:
        """The `k` most salient, least redundant utterances, in time order. `lead`: the
        utterances open the recording, so the first ones get a bonus (what is said first
        frames the rest; a clip cut out of the middle has no such opening)."""
        keep = [i for i, u in enumerate(utterances) if self.eligible(u)]
        kept = [utterances[i] for i in keep]
        if not kept:
            return []
        vectors = self.encoder.encode([u.text for u in kept])
        if self.break_head is not None:
            sound = ~self.break_head.flags(vectors)
            keep = [i for i, ok in zip(keep, sound, strict=True) if ok]
            kept = [utterances[i] for i in keep]
            vectors = vectors[sound]
            if not kept:
                return []
        title_vector = self.encoder.encode([title])[0] if says_something(title) else None
        specificity = self.specificity([u.text for u in kept])
        salience = self.salience(vectors, title_vector, specificity, lead)
        kept_groups = [groups[i] for i in keep] if groups is not None else None
        chosen = mmr(vectors, salience, k, self.lam, kept_groups, per_group)
        return sorted((kept[i] for i in chosen), key=lambda u: u.start_s)

    def summarize_clip(
        self,
        clip: Sequence[Utterance],
        title: str | None = None,
        first: bool = True,
        breaks: Sequence[bool] | None = None,
    ) -> ClipSummary:
        """`first`: the clip opens the recording (its first sentences get the lead bonus).
        `breaks`: which of the clip's utterances are station breaks, read with the rest of
        the recording around it (a break block or ad spot that a clip boundary cuts); the
        clip alone is read where it is not given."""
        candidates = list(clip)
        if self.break_blocks:
            flags = breaks
            if flags is None:
                flags = station_break_flags([(u.start_s, u.end_s, u.text) for u in clip])
            candidates = [u for u, flagged in zip(clip, flags, strict=True) if not flagged]
            beside = set(_beside_breaks(clip, flags))
            away = [u for u in candidates if id(u) not in beside and self.eligible(u)]
            if len(away) >= MIN_AWAY:
                candidates = away
        kept = [u for u in candidates if self.eligible(u)]
        if len(kept) > MAX_CANDIDATES:
            step = len(kept) / MAX_CANDIDATES
            kept = [kept[int(i * step)] for i in range(MAX_CANDIDATES)]
        picks = self.pick(kept, how_many(len(kept)), title, lead=first)
        return ClipSummary(clip[0].start_s, clip[-1].end_s, picks)

    def summarize(
        self,
        utterances: Sequence[Utterance],
        title: str | None = None,
        overall: int = 5,
        clip_s: float = CLIP_S,
    ) -> tuple[list[ClipSummary], list[Utterance]]:
        """Clip summaries, and the recording's summary chosen among the clips' picks: no
        lead bonus there (it would crowd the summary into the start), and no clip gives
        more than its share (one each, when there are as many clips as picks)."""
        breaks: dict[int, bool] = {}
        if self.break_blocks:  # read across clip boundaries: a spot may straddle one
            flags = station_break_flags([(u.start_s, u.end_s, u.text) for u in utterances])
            breaks = {id(u): f for u, f in zip(utterances, flags, strict=True)}
        clip_summaries = [
            self.summarize_clip(
                c, title, first=i == 0, breaks=[breaks[id(u)] for u in c] if breaks else None
            )
            for i, c in enumerate(clips(utterances, clip_s))
        ]
        pool = [u for c in clip_summaries for u in c.picks]
        clip_of = [i for i, c in enumerate(clip_summaries) for _u in c.picks]
        per_clip = math.ceil(overall / max(1, len(clip_summaries)))  # spread across the stream
        return clip_summaries, self.pick(
            pool, min(overall, len(pool)), title, lead=False, groups=clip_of, per_group=per_clip
        )
