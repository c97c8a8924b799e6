"""Sentence embeddings from the bundled all-MiniLM-L6-v2 (mean pooling, unit length), run by
ONNX Runtime (`resources/models/minilm.onnx`, its weights read from the MiniLM package at
load): the vectors sentence-transformers gives, without torch."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from nlp.errors import ModelUnavailable
from nlp.live_priority import pause_for_live

MAX_TOKENS = 64  # enough for a sentence's gist; halves the cost on long radio sentences
BATCH = 32
DIMENSIONS = 384
GRAPH = Path(__file__).resolve().parent.parent / "resources" / "models" / "minilm.onnx"


class SentenceEncoder:
    def __init__(
        self, base_folder: Path | None = None, *, graph: Path = GRAPH, cpu_threads: int = 0
    ) -> None:
        from tokenizers import Tokenizer

        from nlp.models import default_cpu_threads, minilm_folder
        from nlp.onnx_bert import open_graph, read_safetensors

        folder = Path(base_folder) if base_folder else minilm_folder()
        try:
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as exc:  # the tokenizers library raises plain Exceptions
            raise ModelUnavailable(f"Cannot load the MiniLM tokenizer: {exc}") from None
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=self.tokenizer.token_to_id("[PAD]") or 0)
        weights = read_safetensors(folder / "model.safetensors")
        self.session = open_graph(graph, weights, cpu_threads or default_cpu_threads())

    def hidden_states(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """MiniLM's last hidden states [batch, tokens, 384] for token ids and a 0/1 mask."""
        (states,) = self.session.run(
            ["last_hidden_state"], {"input_ids": ids, "attention_mask": mask}
        )
        return states

    def encode(self, sentences: Sequence[str], tokenizer=None, batch: int = BATCH) -> np.ndarray:
        """Unit vectors [n, 384]; sorted by length inside so batches pad little.
        `tokenizer`: one truncating elsewhere than this encoder's (chat messages)."""
        if not sentences:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        tokenizer = tokenizer or self.tokenizer
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        out = np.zeros((len(sentences), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), batch):
            pause_for_live()  # in background analyses: the live stream's decode first
            rows = order[start : start + batch]
            encodings = tokenizer.encode_batch([sentences[i] for i in rows])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            states = self.hidden_states(ids, mask)
            pooled = (states * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            pooled /= np.linalg.norm(pooled, axis=1, keepdims=True) + 1e-12
            out[rows] = pooled
        return out


@lru_cache(maxsize=2)
def load_sentence_encoder(cpu_threads: int = 0) -> SentenceEncoder:
    """The sentence encoder, loaded once; `cpu_threads` 0 lets the machine choose."""
    return SentenceEncoder(cpu_threads=cpu_threads)
