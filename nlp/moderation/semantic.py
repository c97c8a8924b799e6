"""What a chat message means: MiniLM sentence vectors of the message and of its context.

Full MiniLM (`nlp/embeddings.py`) encodes 150–380 chat messages a second on this 2-core
machine, too slow for a chat flood (the app classifies ≥ 1,000 messages/s in batches). So
the moderation models read a static distillation of it, as Model2Vec does: each vocabulary
token's MiniLM output vector on its own (`[CLS] token [SEP]`, mean pooled), reduced by PCA
and stored as int8 rows (`resources/models/moderation_tokens.npz`, built by
`scripts/train_moderation.py`). A message's vector is the weighted mean of its tokens'
rows (frequent tokens weigh less: SIF weights from NormVio train), unit length; tokenizing
is MiniLM's own WordPiece (the bundled package's `tokenizer.json`).

Each text is encoded once and kept (`MeaningEncoder`'s bounded cache): in a live channel a
message's vector is computed when it arrives and reused while it is context for the ones
after it. The context's vector is the mean of the last `MEANING_CONTEXT` channel messages'
vectors, unit length whatever their number, so how much context there is does not show in
it (NormVio's negatives all have full context: a length signal would leak the label).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from nlp.errors import ModelUnavailable
from nlp.moderation.context import ChatContext

TOKEN_VECTORS = (
    Path(__file__).resolve().parents[2] / "resources" / "models" / "moderation_tokens.npz"
)
MEANING_CONTEXT = 10  # the channel messages whose mean vector is the context's meaning
MAX_TOKENS = 64
CACHE_SIZE = 50_000  # texts whose vectors are kept (50,000 x 256 floats: 51 MB)
# Columns of `meaning_features`: the message's vector, the context's, the author's earlier
# messages', then how close the message is to them.
SCALARS = ("cos_context", "max_cos_previous", "cos_author")


class MeaningEncoder:
    """Unit sentence vectors from MiniLM's static token vectors, each text encoded once."""

    def __init__(self, vectors: np.ndarray, weights: np.ndarray, tokenizer) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)  # [vocab, dims]
        self.weights = np.asarray(weights, dtype=np.float32)  # [vocab]
        self.dims = self.vectors.shape[1]
        self.tokenizer = tokenizer
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode_uncached(self, texts: Sequence[str]) -> np.ndarray:
        """[n, dims] unit vectors (zero for a text without tokens)."""
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        lengths = np.array([len(e.ids) for e in encodings])
        cols = np.fromiter((i for e in encodings for i in e.ids), dtype=np.int64)
        rows = np.repeat(np.arange(len(texts)), lengths)
        pooling = sp.csr_matrix(
            (self.weights[cols], (rows, cols)), shape=(len(texts), len(self.weights))
        )
        out = np.asarray(pooling @ self.vectors, dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Like `encode_uncached`, computing only texts not seen lately."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            fresh = self.encode_uncached(missing)
            with self._lock:
                for text, vector in zip(missing, fresh, strict=True):
                    self._cache[text] = vector
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        with self._lock:
            for i, text in enumerate(texts):
                vector = self._cache.get(text)
                if vector is None:  # pushed out by another thread's texts meanwhile
                    vector = self.encode_uncached([text])[0]
                else:
                    self._cache.move_to_end(text)
                out[i] = vector
        return out

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()


def _unit_mean(vectors: np.ndarray) -> np.ndarray:
    if not len(vectors):
        return np.zeros(vectors.shape[1], dtype=np.float32)
    mean = vectors.mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-9)


def meaning_features(
    encoder: MeaningEncoder,
    messages: Sequence[str],
    contexts: Sequence[ChatContext | None],
) -> np.ndarray:
    """[n, 3 * dims + 3]: the message's vector, its context's and its author's earlier
    messages' (zeros without context), and the cosines of `SCALARS`."""
    recent = [
        [t for _a, t in list(c.previous)[-MEANING_CONTEXT:]] if c is not None else []
        for c in contexts
    ]
    history = [list(c.author_history)[-MEANING_CONTEXT:] if c is not None else [] for c in contexts]
    texts = list(messages) + [t for r in recent for t in r] + [t for h in history for t in h]
    vectors = encoder.encode(texts)
    n, d = len(messages), encoder.dims
    out = np.zeros((n, 3 * d + len(SCALARS)), dtype=np.float32)
    out[:, :d] = vectors[:n]
    at = n
    for i in range(n):
        previous = vectors[at : at + len(recent[i])]
        at += len(recent[i])
        out[i, d : 2 * d] = _unit_mean(previous)
        if len(previous):
            out[i, 3 * d + 1] = float((previous @ vectors[i]).max())
    for i in range(n):
        own = vectors[at : at + len(history[i])]
        at += len(history[i])
        out[i, 2 * d : 3 * d] = _unit_mean(own)
    out[:, 3 * d] = (out[:, :d] * out[:, d : 2 * d]).sum(1)
    out[:, 3 * d + 2] = (out[:, :d] * out[:, 2 * d : 3 * d]).sum(1)
    return out


def message_columns(dims: int) -> slice:
    return slice(0, dims)


def load_token_vectors(path: Path = TOKEN_VECTORS) -> tuple[np.ndarray, np.ndarray]:
    """The int8 token rows times their scales, and the token weights."""
    try:
        with np.load(path) as data:
            vectors = (
                data["vectors"].astype(np.float32) * data["scales"].astype(np.float32)[:, None]
            )
            return vectors, data["weights"].astype(np.float32)
    except (OSError, KeyError, ValueError) as exc:
        raise ModelUnavailable(f"Cannot load the moderation token vectors {path}: {exc}") from None


def minilm_tokenizer():
    from tokenizers import Tokenizer

    from nlp.models import minilm_folder

    try:
        tokenizer = Tokenizer.from_file(str(minilm_folder() / "tokenizer.json"))
    except Exception as exc:  # the tokenizers library raises plain Exceptions
        raise ModelUnavailable(f"Cannot load the MiniLM tokenizer: {exc}") from None
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)
    return tokenizer


@lru_cache(maxsize=2)
def load_meaning_encoder(path: str | None = None) -> MeaningEncoder:
    """The encoder every moderation model of the process shares (one cache)."""
    vectors, weights = load_token_vectors(Path(path) if path else TOKEN_VECTORS)
    return MeaningEncoder(vectors, weights, minilm_tokenizer())
