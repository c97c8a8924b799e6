"""Saving and loading moderation models: one skops file per model, no pickle.

A file holds the decision threshold, the linear heads as sparse int8 weights with one scale
each and their weights over the meaning vectors as float16 (plain numpy arrays), and the
fitted `HistGradientBoostingClassifier` itself, persisted
by skops (https://skops.readthedocs.io), which rebuilds only the types it is told to trust
and refuses a file holding anything else. scikit-learn predicts with its own code; nothing
here reads its private attributes.

Why skops and not ONNX: skl2onnx 1.20.0, the newest, cannot convert scikit-learn 1.9.1's
boosted trees (it fails building the ONNX node, with onnx 1.20.1 and 1.23.2), and skops
keeps scikit-learn's exact predictions. Sizes, load times and speed against the former
numpy tree interpreter: `resources/MODELS.md` (Chat moderation, Files)."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from nlp.errors import ModelUnavailable
from nlp.moderation.features import N_FEATURES
from nlp.moderation.model import LinearHead, ModerationModel

MODELS_DIR = Path(__file__).resolve().parents[2] / "resources" / "models"
DEFAULT_WEIGHTS = MODELS_DIR / "moderation.skops"
FORMAT = "streamlens moderation 3"
# Beyond skops's default trusted types (numpy, scipy, scikit-learn estimators and their
# losses and binners): the boosted trees' per-tree predictor, which holds the node array.
TRUSTED_TYPES = ["sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"]
HEADS = ("text", "context", "meaning", "category", "target")
INT8_MAX = 127


def quantize(head: LinearHead) -> LinearHead:
    """The head with int8 weights (one scale per head), as it is saved: a model whose heads
    went through this saves and loads without any change to its predictions."""
    if head.scale is not None:
        return head
    weights = head.weights.tocoo()
    scale = float(np.abs(weights.data).max() / INT8_MAX) if weights.nnz else 1.0
    values = np.round(weights.data / scale).astype(np.int8)
    kept = values != 0  # weights that round to zero add nothing: left out
    dense = None if head.dense is None else head.dense.astype(np.float16)
    return _head(
        head.classes,
        weights.row[kept],
        weights.col[kept],
        values[kept],
        scale,
        head.intercept,
        dense,
    )


def _head(classes, rows, cols, values, scale: float, intercept, dense=None) -> LinearHead:
    weights = sp.coo_matrix(
        (values.astype(np.float32) * scale, (rows.astype(np.int32), cols.astype(np.int32))),
        shape=(len(classes), N_FEATURES),
    ).tocsr()
    if dense is not None:  # saved as float16: what the model computes with is exactly that
        dense = np.asarray(dense, dtype=np.float16).astype(np.float32)
    return LinearHead(list(classes), weights, np.asarray(intercept, dtype=np.float32), scale, dense)


def _head_state(head: LinearHead) -> dict:
    head = quantize(head)
    weights = head.weights.tocoo()
    return {
        "classes": list(head.classes),
        "rows": weights.row.astype(np.int16),
        "cols": weights.col.astype(np.int32),
        "values": np.round(weights.data / head.scale).astype(np.int8),
        "scale": head.scale,
        "intercept": head.intercept,
        "dense": None if head.dense is None else head.dense.astype(np.float16),
    }


def save_model(model: ModerationModel, path: Path) -> None:
    """Write `model` to `path` (through a temporary file, so a failed write leaves no half
    file). Heads that were not quantized are quantized on the way."""
    import skops.io

    heads = {"text": model.text, "category": model.category, "target": model.target}
    if model.context is not None:
        heads["context"] = model.context
    if model.meaning is not None:
        heads["meaning"] = model.meaning
    state = {
        "format": FORMAT,
        "n_features": N_FEATURES,
        "threshold": float(model.threshold),
        "heads": {name: _head_state(head) for name, head in heads.items()},
        "trees": model.trees,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    skops.io.dump(state, partial, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    os.replace(partial, path)


def load_model(path: Path | str | None = None) -> ModerationModel:
    """The model saved at `path` (the shipped context model by default)."""
    path = Path(path) if path else DEFAULT_WEIGHTS
    try:
        return _from_state(_read(path))
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        raise ModelUnavailable(f"Cannot load the moderation model from {path}: {exc}") from None


def _read(path: Path) -> dict:
    import skops.io
    from sklearn.ensemble import HistGradientBoostingClassifier

    state = skops.io.load(path, trusted=TRUSTED_TYPES)  # untrusted types: TypeError
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ValueError("it is not a Streamlens moderation model of this version; retrain it")
    if state["n_features"] != N_FEATURES:
        raise ValueError("it was trained with other features; retrain it")
    if not isinstance(state["trees"], HistGradientBoostingClassifier):
        raise ValueError("its trees are not scikit-learn boosted trees")
    return state


def _from_state(state: dict) -> ModerationModel:
    heads = {
        name: _head(
            h["classes"],
            h["rows"],
            h["cols"],
            h["values"],
            float(h["scale"]),
            h["intercept"],
            h.get("dense"),
        )
        for name, h in state["heads"].items()
        if name in HEADS
    }
    return ModerationModel(
        heads["text"],
        heads.get("context"),
        state["trees"],
        heads["category"],
        heads["target"],
        float(state["threshold"]),
        heads.get("meaning"),
    )
