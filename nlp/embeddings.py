"""Sentence embeddings from the bundled all-MiniLM-L6-v2 (mean pooling, unit length), run by
the numpy encoder: the same vectors sentence-transformers gives, without torch."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

MAX_TOKENS = 64  # enough for a sentence's gist; halves the cost on long radio sentences
BATCH = 32


class SentenceEncoder:
    def __init__(self) -> None:
        from tokenizers import Tokenizer

        from nlp.bert_numpy import BertEncoder
        from nlp.punctuation import base_model_folder

        folder = base_model_folder()
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.encoder = BertEncoder.from_folder(folder)

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """Unit vectors [n, 384]; sorted by length inside so batches pad little."""
        if not sentences:
            return np.zeros((0, 384), dtype=np.float32)
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        out = np.zeros((len(sentences), 384), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            encodings = [self.tokenizer.encode(sentences[i]) for i in rows]
            length = max(len(e.ids) for e in encodings)
            ids = np.zeros((len(rows), length), dtype=np.int64)
            mask = np.zeros((len(rows), length), dtype=np.int64)
            for r, e in enumerate(encodings):
                ids[r, : len(e.ids)] = e.ids
                mask[r, : len(e.ids)] = 1
            states = self.encoder(ids, mask)
            pooled = (states * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            pooled /= np.linalg.norm(pooled, axis=1, keepdims=True) + 1e-12
            out[rows] = pooled
        return out


@lru_cache(maxsize=1)
def load_sentence_encoder() -> SentenceEncoder:
    return SentenceEncoder()
