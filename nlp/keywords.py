"""Keywords per time window and per recording, weighted by audience engagement (IDF-LDA).

A term's weight in a window multiplies three signals, as in the IDF-LDA study of social
streams: how specific the term is (IDF over the library's recordings), how much it belongs
to the topics that window is about (LDA over the recording's windows), and how strongly the
audience reacted to that window (chat rate against its rolling baseline). Terms are words
and phrases of up to three words that neither start nor end with a stop word; fillers
("uh", "you know", "like") never count.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

WINDOW_S = 300.0
MAX_PHRASE = 3
_WORD = re.compile(r"[a-z0-9][a-z0-9'’-]*[a-z0-9]|[a-z0-9]")

FILLERS = {
    "uh",
    "um",
    "uhm",
    "er",
    "ah",
    "oh",
    "hmm",
    "mm",
    "yeah",
    "yep",
    "okay",
    "ok",
    "like",
    "gonna",
    "wanna",
    "gotta",
    "kinda",
    "sorta",
    "right",
    "so",
    "well",
    "actually",
    "basically",
    "literally",
    "really",
    "just",
    "thing",
    "things",
    "stuff",
    "guys",
    "guy",
    "lot",
    "lots",
    "yes",
    "no",
    "hey",
    "hi",
    "hello",
    "bye",
    "thank",
    "thanks",
    "please",
    "sure",
    "alright",
    "anyway",
    "maybe",
    "probably",
    "pretty",
    "little",
    "bit",
    "kind",
    "sort",
    "way",
    "time",
    "today",
    "now",
    "know",
    "think",
    "mean",
    "say",
    "said",
    "says",
    "get",
    "got",
    "go",
    "going",
    "gone",
    "come",
    "coming",
    "want",
    "need",
    "make",
    "made",
    "see",
    "look",
    "let",
    "lets",
    "let's",
    "good",
    "great",
    "nice",
    "cool",
    "awesome",
    "one",
    "two",
    "three",
}
# The only stop words a phrase may hold inside it: they join names and titles ("secretary of
# state", "law and order", "de la cruz"). Any other ("bottom to lighter", "going to make")
# marks a stretch of a sentence rather than a term.
JOINERS = {"of", "and", "&", "de", "la", "von", "van", "der"}
FILLER_PHRASES = {"you know", "i mean", "kind of", "sort of", "a lot", "right now", "you guys"}
STOP_WORDS = {
    "a",
    "an",
    "the",
    "and",
    "or",
    "but",
    "if",
    "then",
    "than",
    "of",
    "to",
    "in",
    "on",
    "at",
    "by",
    "for",
    "with",
    "about",
    "as",
    "from",
    "into",
    "over",
    "after",
    "before",
    "up",
    "down",
    "out",
    "off",
    "again",
    "there",
    "here",
    "when",
    "where",
    "why",
    "how",
    "all",
    "any",
    "both",
    "each",
    "few",
    "more",
    "most",
    "other",
    "some",
    "such",
    "only",
    "own",
    "same",
    "too",
    "very",
    "can",
    "will",
    "would",
    "should",
    "could",
    "may",
    "might",
    "must",
    "shall",
    "do",
    "does",
    "did",
    "doing",
    "done",
    "be",
    "is",
    "am",
    "are",
    "was",
    "were",
    "been",
    "being",
    "have",
    "has",
    "had",
    "having",
    "i",
    "me",
    "my",
    "we",
    "our",
    "us",
    "you",
    "your",
    "he",
    "him",
    "his",
    "she",
    "her",
    "it",
    "its",
    "they",
    "them",
    "their",
    "this",
    "that",
    "these",
    "those",
    "what",
    "which",
    "who",
    "whom",
    "whose",
    "not",
    "don't",
    "doesn't",
    "didn't",
    "isn't",
    "aren't",
    "wasn't",
    "weren't",
    "won't",
    "can't",
    "i'm",
    "you're",
    "we're",
    "they're",
    "it's",
    "that's",
    "there's",
    "he's",
    "she's",
    "i've",
    "we've",
    "you've",
    "i'll",
    "we'll",
    "you'll",
    "i'd",
    "you'd",
    "also",
    "because",
    "while",
    "just",
    "even",
    "still",
    "yet",
    "ever",
    "every",
    "much",
    "many",
    "another",
    "through",
    "during",
    "under",
    "further",
    "once",
    "something",
    "anything",
    "everything",
    "nothing",
    "someone",
    "anyone",
    "everyone",
    "people",
    "going",
    "way",
    "back",
    "well",
    "got",
    "get",
    "here's",
    "what's",
    "who's",
    "where's",
    "how's",
    "last",
    "next",
    "first",
    "couple",
    "against",
    "com",
    "www",
    "http",
    "https",
    "half",
    "around",
    "though",
    "without",
    "within",
    "since",
    "until",
    "among",
    "across",
    "along",
    "behind",
    "near",
    "per",
    "whether",
    "either",
    "neither",
    "else",
    "enough",
    "almost",
    "already",
    "always",
    "never",
    "often",
    "sometimes",
    "together",
    "away",
    "ago",
    "less",
    "least",
    "quite",
    "rather",
    "whole",
    "able",
    "okay",
    "yes",
    "yeah",
} | FILLERS


@dataclass(frozen=True)
class Keyword:
    term: str
    score: float
    count: int


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


_CLAUSE = re.compile(r"[.!?,;:()\[\]\n]+")


def candidate_terms(text: str, max_len: int = MAX_PHRASE) -> list[str]:
    """Words and phrases (≤ `max_len` words, never across punctuation) that start and end
    on a content word."""
    terms: list[str] = []
    for clause in _CLAUSE.split(text):
        terms += _clause_terms(clause, max_len)
    return terms


def _clause_terms(text: str, max_len: int) -> list[str]:
    words = tokens(text)
    terms = []
    for i, first in enumerate(words):
        if is_stop_word(first) or len(first) < 3 or first.isdigit():
            continue
        for n in range(1, max_len + 1):
            if i + n > len(words):
                break
            last = words[i + n - 1]
            if n > 1 and (is_stop_word(last) or len(last) < 3 or last.isdigit()):
                continue
            if any(is_stop_word(w) and w not in JOINERS for w in words[i + 1 : i + n - 1]):
                continue
            phrase = " ".join(words[i : i + n])
            if phrase in FILLER_PHRASES or any(w in FILLERS for w in words[i : i + n]):
                continue
            terms.append(phrase)
    return terms


_CONTRACTION = ("n't", "'ve", "'ll", "'re", "'m", "'d")


def is_stop_word(word: str) -> bool:
    """Stop words, and every contraction ("couldn't", "they've") whether listed or not."""
    return word in STOP_WORDS or word.endswith(_CONTRACTION)


def idf_table(documents: Iterable[Iterable[str]]) -> tuple[dict[str, float], int]:
    """Smoothed IDF of each term over documents (each an iterable of its terms)."""
    df: Counter[str] = Counter()
    n = 0
    for terms in documents:
        df.update(set(terms))
        n += 1
    return {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in df.items()}, n


def engagement_weights(chat_counts: Sequence[float], baseline_windows: int = 6) -> np.ndarray:
    """1 for an ordinary window, up to 3 for one the chat reacted to far above its baseline."""
    weights = np.ones(len(chat_counts))
    for i, count in enumerate(chat_counts):
        previous = [c for c in chat_counts[max(0, i - baseline_windows) : i]]
        if not previous:
            previous = [c for j, c in enumerate(chat_counts) if j != i] or [count]
        base = float(np.median(previous))
        z = (count - base) / math.sqrt(base + 1.0)
        weights[i] = 1.0 + min(2.0, max(0.0, z) / 3.0)
    return weights


def window_keywords(
    windows: Sequence[str],
    idf: dict[str, float],
    idf_docs: int,
    chat_counts: Sequence[float] | None = None,
    top: int = 8,
    topics: int | None = None,
) -> tuple[list[list[Keyword]], list[Keyword]]:
    """Top keywords of each window and of the whole (windows' scores summed)."""
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer

    term_lists = [candidate_terms(text) for text in windows]
    if not any(term_lists):
        return [[] for _ in windows], []
    vectorizer = CountVectorizer(analyzer=lambda terms: terms, min_df=1)
    counts = vectorizer.fit_transform(term_lists)
    vocabulary = vectorizer.get_feature_names_out()
    unseen = math.log(1 + idf_docs) + 1.0  # a term new to the library is maximally specific
    idf_vector = np.array([idf.get(t, unseen) for t in vocabulary])
    tf = counts.toarray().astype(float)
    tf = np.log1p(tf)
    n_topics = topics or max(1, min(8, len(windows) // 2))
    if n_topics > 1 and len(windows) > 2:
        lda = LatentDirichletAllocation(
            n_components=n_topics, random_state=0, learning_method="batch"
        )
        theta = lda.fit_transform(counts)  # windows x topics
        phi = lda.components_ / lda.components_.sum(axis=1, keepdims=True)  # topics x terms
        topicality = theta @ phi  # windows x terms
        topicality = topicality / (topicality.max(axis=1, keepdims=True) + 1e-12)
    else:
        topicality = np.ones_like(tf)
    engagement = (
        engagement_weights(chat_counts) if chat_counts is not None else np.ones(len(windows))
    )
    # Multi-word phrases are rarer by nature: a small length bonus keeps them competitive.
    length_bonus = np.array([1.0 + 0.25 * (t.count(" ")) for t in vocabulary])
    scores = tf * idf_vector * (0.5 + topicality) * length_bonus * engagement[:, None]
    per_window = []
    for i in range(len(windows)):
        per_window.append(_top(vocabulary, scores[i], counts[i].toarray()[0], top))
    overall = _top(vocabulary, scores.sum(axis=0), np.asarray(counts.sum(axis=0))[0], top * 2)
    return per_window, overall


def _top(vocabulary, scores, counts, top: int) -> list[Keyword]:
    order = np.argsort(-scores)
    chosen: list[Keyword] = []
    for j in order:
        if scores[j] <= 0 or len(chosen) >= top:
            break
        term = vocabulary[j]
        # A phrase and the words inside it say the same thing: keep the better-scored one.
        if any(term in k.term or k.term in term for k in chosen):
            continue
        chosen.append(Keyword(term, round(float(scores[j]), 4), int(counts[j])))
    return chosen


@dataclass(frozen=True)
class Burst:
    term: str
    recent: int  # recent documents (recordings) that mention it
    baseline: int  # earlier documents that mention it
    score: float  # how far its recent share stands above its earlier share (z-like)


REBROADCAST_JACCARD = 0.25  # unrelated radio shows share ~8 % of their terms; simulcasts ≥ 50 %


def merge_rebroadcasts(
    documents: Sequence[set[str]], threshold: float = REBROADCAST_JACCARD
) -> list[set[str]]:
    """Documents that share much of their terms (a simulcast on several stations, a rerun,
    one syndicated show) merged into one, so a term counts once per broadcast.

    On the 100 WavePulse shows the median pair shares 8 % of its terms and the 99th
    percentile 50 %; byte-identical simulcasts share 100 %.
    """
    parent = list(range(len(documents)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in itertools.combinations(range(len(documents)), 2):
        a, b = documents[i], documents[j]
        if a and b and len(a & b) / len(a | b) >= threshold:
            parent[root(i)] = root(j)
    merged: dict[int, set[str]] = {}
    for i, terms in enumerate(documents):
        merged.setdefault(root(i), set()).update(terms)
    return list(merged.values())


def bursts(
    recent_docs: Sequence[Iterable[str]],
    baseline_docs: Sequence[Iterable[str]],
    min_recent: int = 3,
    top: int = 20,
) -> list[Burst]:
    """Terms mentioned by a far larger share of recent documents than of earlier ones.

    Counting documents, not occurrences, keeps one talkative show (or one programme
    simulcast on several stations, repeating a word fifty times) from drowning out what
    many sources talk about. The score is a z of the recent document count against what
    the earlier share predicts (one pseudo-document of smoothing).
    """
    recent = Counter(t for doc in recent_docs for t in set(doc))
    baseline = Counter(t for doc in baseline_docs for t in set(doc))
    n_recent = max(1, len(recent_docs))
    n_baseline = len(baseline_docs)
    found = []
    for term, count in recent.items():
        if count < min_recent:
            continue
        share = (baseline.get(term, 0) + 0.5) / (n_baseline + 1)
        expected = share * n_recent
        score = (count - expected) / math.sqrt(expected * (1 - min(share, 0.99)))
        if count >= 2 * expected and score > 3:
            found.append(Burst(term, count, baseline.get(term, 0), round(score, 2)))
    found.sort(key=lambda b: (-b.score, -b.term.count(" "), b.term))  # phrases win ties
    kept: list[Burst] = []
    for b in found:
        if any(b.term in k.term or k.term in b.term for k in kept):
            continue
        kept.append(b)
        if len(kept) >= top:
            break
    return kept


def window_bursts(
    window_terms: Sequence[Sequence[str]], min_count: int = 3, z: float = 3.0
) -> list[tuple[int, Burst]]:
    """Within one recording: terms that burst in a window against all windows before it
    (occurrence counts, Poisson z with one pseudo-count), e.g. a breaking story."""
    found: list[tuple[int, Burst]] = []
    seen: Counter[str] = Counter()
    seen_total = 0
    for index, terms in enumerate(window_terms):
        counts = Counter(terms)
        total = max(1, len(terms))
        for term, count in counts.items():
            if count < min_count or index == 0:
                continue
            expected = (seen.get(term, 0) + 1) / (seen_total + 1) * total
            score = (count - expected) / math.sqrt(expected)
            if count >= 3 * expected and score >= z:
                found.append((index, Burst(term, count, seen.get(term, 0), round(score, 2))))
        seen.update(counts)
        seen_total += len(terms)
    return found
