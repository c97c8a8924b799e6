"""Speaker embeddings: Resemblyzer's GE2E voice encoder, run by ONNX Runtime without torch.

The network (three LSTM layers 40 → 256, a 256 → 256 linear layer, ReLU, unit length) is
`resources/models/speaker_encoder.onnx`, structure only (a few kB, written by
`scripts/export_speaker_encoder.py`); its weights are read at load from the `pretrained.pt`
that ships in the `resemblyzer==0.1.4` wheel (`nlp.torch_checkpoint`, no torch) and handed to
ONNX Runtime, as the MiniLM graphs get theirs (`nlp/onnx_bert.py`). Resemblyzer itself is
never imported: its package imports torch, librosa and webrtcvad. Nothing is downloaded and
nothing is written to disk.

A user may give their own encoder instead (`SpeakerEncoder(model=PATH)`): a checkpoint of
the same architecture (`.pt` with a `model_state`, as Resemblyzer and Real-Time-Voice-Cloning
save them) or a complete ONNX model taking `mels` [batch, frames, 40] to unit `embeddings`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from nlp.errors import ModelUnavailable
from nlp.speaker_features import (
    HOP,
    N_MELS,
    PARTIAL_FRAMES,
    SAMPLE_RATE,
    mel_spectrogram,
    partial_starts,
)

log = logging.getLogger(__name__)

GRAPH = Path(__file__).resolve().parent.parent / "resources" / "models" / "speaker_encoder.onnx"
DIMENSIONS = 256
LAYERS = 3
BATCH = 64  # partials per ONNX Runtime call: bounds memory on hours of audio
# PyTorch keeps an LSTM's gates as (input, forget, cell, output); ONNX as (input, output,
# forget, cell).
_GATE_ORDER = (0, 3, 1, 2)


def graph_weights(state: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The ONNX graph's initializers from a PyTorch `VoiceEncoder` state dict: per LSTM
    layer `W{k}` [1, 4H, in], `R{k}` [1, 4H, H], `B{k}` [1, 8H] (gates reordered), and
    the linear layer as `linear_w` [256, 256] (transposed for MatMul) and `linear_b`."""
    out: dict[str, np.ndarray] = {}
    try:
        for k in range(LAYERS):
            parts = []
            for name in (f"weight_ih_l{k}", f"weight_hh_l{k}", f"bias_ih_l{k}", f"bias_hh_l{k}"):
                value = np.asarray(state[f"lstm.{name}"], dtype=np.float32)
                gates = np.split(value, 4, axis=0)
                parts.append(np.concatenate([gates[g] for g in _GATE_ORDER], axis=0))
            w_ih, w_hh, b_ih, b_hh = parts
            out[f"W{k}"] = w_ih[None]
            out[f"R{k}"] = w_hh[None]
            out[f"B{k}"] = np.concatenate([b_ih, b_hh])[None]
        out["linear_w"] = np.asarray(state["linear.weight"], dtype=np.float32).T
        out["linear_b"] = np.asarray(state["linear.bias"], dtype=np.float32)
    except KeyError as exc:
        raise ModelUnavailable(
            f"The speaker model has no weight {exc}: it is not a Resemblyzer voice encoder."
        ) from None
    return {name: np.ascontiguousarray(value) for name, value in out.items()}


class SpeakerEncoder:
    """256-d unit speaker embeddings of 16 kHz mono audio."""

    def __init__(self, model: str | Path | None = None, *, cpu_threads: int = 0) -> None:
        from nlp.models import default_cpu_threads, speaker_encoder_path

        path = speaker_encoder_path(model)
        threads = cpu_threads or default_cpu_threads()
        if path.suffix == ".onnx":
            from nlp.onnx_bert import open_model

            self.session = open_model(path, threads)
        else:
            from nlp.onnx_bert import open_graph_with
            from nlp.torch_checkpoint import read_checkpoint

            checkpoint = read_checkpoint(path)
            state = (
                checkpoint.get("model_state", checkpoint) if isinstance(checkpoint, dict) else None
            )
            if not isinstance(state, Mapping):
                raise ModelUnavailable(f"{path} holds no model state dict.")
            self.session = open_graph_with(GRAPH, graph_weights(state), threads)
        self.path = path
        log.info("Speaker encoder loaded from %s (%d threads)", path, threads)

    def embed_mels(self, mels: np.ndarray) -> np.ndarray:
        """Unit embeddings [n, 256] of mel windows [n, frames, 40] (all of one length)."""
        mels = np.ascontiguousarray(mels, dtype=np.float32)
        if len(mels) == 0:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        out = [
            self.session.run(["embeddings"], {"mels": mels[i : i + BATCH]})[0]
            for i in range(0, len(mels), BATCH)
        ]
        # An all-negative projection has no length to normalise (NaN): it points nowhere.
        return np.nan_to_num(np.concatenate(out).astype(np.float32, copy=False))

    def embed_utterance(
        self, wav: np.ndarray, rate: float = 1.3, min_coverage: float = 0.75
    ) -> np.ndarray:
        """One unit embedding for `wav`: the normalised mean of its 1.6-s partials'
        embeddings, `rate` partials a second — Resemblyzer's `embed_utterance`."""
        wav = np.asarray(wav, dtype=np.float32).reshape(-1)
        starts, needed = partial_starts(len(wav), rate, min_coverage)
        if needed > len(wav):
            wav = np.pad(wav, (0, needed - len(wav)))
        mel = mel_spectrogram(wav)
        partials = self.embed_mels(np.stack([mel[s : s + PARTIAL_FRAMES] for s in starts]))
        return unit(partials.mean(axis=0))

    def embed_spans(self, wav: np.ndarray, spans: Sequence[tuple[float, float]]) -> np.ndarray:
        """One unit embedding [n, 256] per (start, end) span in seconds of `wav`, each from
        the frames of one mel spectrogram of the whole audio (computed once): spans of equal
        length run as one batch. A span longer than 1.6 s is its partials' mean, as in
        `embed_utterance`; a shorter one is encoded as it is."""
        wav = np.asarray(wav, dtype=np.float32).reshape(-1)
        mel = mel_spectrogram(wav)
        jobs: dict[int, list[tuple[int, int]]] = {}  # frames → (span index, first frame)
        owners: list[list[int]] = [[] for _ in spans]
        pieces: list[np.ndarray] = []
        for index, (start, end) in enumerate(spans):
            first = max(0, round(start * SAMPLE_RATE / HOP))
            last = min(len(mel), max(first + 1, round(end * SAMPLE_RATE / HOP)))
            length = last - first
            if length <= 0:  # wholly past the audio: no frames, a zero vector
                continue
            if length <= PARTIAL_FRAMES:
                jobs.setdefault(length, []).append((index, first))
                continue
            starts, _ = partial_starts(length * HOP)
            for s in starts:
                begin = min(first + s, len(mel) - PARTIAL_FRAMES)
                jobs.setdefault(PARTIAL_FRAMES, []).append((index, max(0, begin)))
        result = np.zeros((len(spans), DIMENSIONS), dtype=np.float32)
        for length, members in jobs.items():
            batch = np.stack([mel[f : f + length] for _, f in members])
            vectors = self.embed_mels(batch)
            for (index, _), vector in zip(members, vectors, strict=True):
                owners[index].append(len(pieces))
                pieces.append(vector)
        for index, rows in enumerate(owners):
            if rows:
                result[index] = unit(np.mean([pieces[r] for r in rows], axis=0))
        return result


def unit(vector: np.ndarray) -> np.ndarray:
    """`vector` scaled to length 1 (zero stays zero)."""
    norm = float(np.linalg.norm(vector))
    return (vector / norm if norm > 0 else vector).astype(np.float32)


@functools.lru_cache(maxsize=2)
def load_speaker_encoder(model: str | None = None, cpu_threads: int = 0) -> SpeakerEncoder:
    """The speaker encoder, loaded once per process (the bundled one unless `model`)."""
    return SpeakerEncoder(model, cpu_threads=cpu_threads)


__all__ = ["DIMENSIONS", "N_MELS", "SpeakerEncoder", "graph_weights", "load_speaker_encoder"]
