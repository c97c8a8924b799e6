"""What a chat message means: all-MiniLM-L6-v2 sentence embeddings of the message and of
the chat before it (ONNX Runtime, offline; `nlp/embeddings.py`).

Each text is encoded once: a bounded cache, shared by both moderation models, keeps the
vectors of recent texts, so in a live channel a message is encoded when it arrives and
reused while it is context for the next ones (and a repeated line — an emote, "LUL" — is
encoded once). The context vector is the unit mean of the last `CONTEXT_FOR_MEANING`
channel messages' vectors, so how much context there is does not show in its length; the
context is `ChatContext.previous`, the messages before this one, never the message itself.

`MEANING_NAMES` are the cosine signals the violation trees get besides the vectors' own
linear scores.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from nlp.moderation.context import ChatContext

DIMENSIONS = 384
MAX_TOKENS = 32  # chat messages: 12 tokens on average, 99 % under 64; the gist is early
BATCH = 64
CONTEXT_FOR_MEANING = 10  # channel messages whose mean vector is the context's meaning
CACHE_SIZE = 50_000  # texts whose vectors are kept (about 77 MB)
MEANING_NAMES = ["meaning_vs_context", "meaning_vs_closest_recent", "meaning_vs_author"]


class MeaningEncoder:
    """MiniLM sentence vectors of chat texts, each text encoded once while it is cached."""

    def __init__(self, encoder=None, cache_size: int = CACHE_SIZE) -> None:
        from tokenizers import Tokenizer

        from nlp.embeddings import load_sentence_encoder

        self.encoder = encoder or load_sentence_encoder()
        # A tokenizer of our own (shorter truncation), the encoder's ONNX session shared.
        self.tokenizer = Tokenizer.from_str(self.encoder.tokenizer.to_str())
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.cache_size = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def _encode_new(self, texts: list[str]) -> np.ndarray:
        return self.encoder.encode(texts, tokenizer=self.tokenizer, batch=BATCH)

    def vectors(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Unit vectors of `texts` (distinct texts encoded once, cached ones not again)."""
        with self._lock:
            found = {t: self._cache[t] for t in set(texts) if t in self._cache}
            for t in found:
                self._cache.move_to_end(t)
        missing = sorted({t for t in texts if t not in found})
        if missing:
            encoded = self._encode_new(missing)
            with self._lock:
                for text, vector in zip(missing, encoded, strict=True):
                    found[text] = vector
                    self._cache[text] = vector
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return found

    def preload(self, vectors: dict[str, np.ndarray]) -> None:
        """Vectors computed elsewhere (the training script's cache on disk)."""
        with self._lock:
            self._cache.update(vectors)
            self.cache_size = max(self.cache_size, len(self._cache))


@lru_cache(maxsize=1)
def load_meaning_encoder() -> MeaningEncoder:
    return MeaningEncoder()


def _unit_mean(rows: list[np.ndarray]) -> np.ndarray:
    if not rows:
        return np.zeros(DIMENSIONS, dtype=np.float32)
    mean = np.mean(rows, axis=0)
    return mean / (np.linalg.norm(mean) + 1e-12)


def meaning(
    messages: Sequence[str],
    contexts: Sequence[ChatContext | None],
    encoder: MeaningEncoder | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The messages' vectors [n, 384], their contexts' vectors [n, 384] (zeros without
    context) and the cosine signals [n, 3] (`MEANING_NAMES`)."""
    encoder = encoder or load_meaning_encoder()
    texts = list(messages)
    for c in contexts:
        if c is not None:
            texts += [t for _a, t in list(c.previous)[-CONTEXT_FOR_MEANING:]]
            texts += list(c.author_history)[-CONTEXT_FOR_MEANING:]
    vectors = encoder.vectors(texts)
    n = len(messages)
    own = np.zeros((n, DIMENSIONS), dtype=np.float32)
    around = np.zeros((n, DIMENSIONS), dtype=np.float32)
    signals = np.zeros((n, len(MEANING_NAMES)), dtype=np.float32)
    for i, (message, context) in enumerate(zip(messages, contexts, strict=True)):
        own[i] = vectors[message]
        if context is None:
            continue
        recent = [vectors[t] for _a, t in list(context.previous)[-CONTEXT_FOR_MEANING:]]
        mine = [vectors[t] for t in list(context.author_history)[-CONTEXT_FOR_MEANING:]]
        around[i] = _unit_mean(recent)
        signals[i, 0] = float(own[i] @ around[i])
        signals[i, 1] = max((float(own[i] @ r) for r in recent), default=0.0)
        signals[i, 2] = float(own[i] @ _unit_mean(mine)) if mine else 0.0
    return own, around, signals
