"""BERT encoders run by ONNX Runtime, their weights filled in when they load.

A graph in `resources/models` (`NAME.onnx`, tens of kB) holds the structure only: its
weights are external initializers that no file backs. `NAME.weights.json` says what each
one is made of — tensors of the bundled MiniLM (its safetensors file), with the punctuation
adapter merged in, and the heads — possibly transposed, joined (a fused attention's Q, K
and V) or int8-quantised. They are built here in numpy and handed to ONNX Runtime, which
copies them into the graph before it optimises it. Nothing is written to disk, and nothing
here needs torch or the `onnx` package: `scripts/export_onnx.py` writes the graphs (with
torch) and checks that what this module builds equals the reference model.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from nlp.errors import ModelUnavailable

INT8_RANGE = 127  # symmetric int8, as onnxruntime's quantize_dynamic does it


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    try:
        return load_file(str(path))
    except Exception as exc:  # SafetensorError is a plain Exception; OSError when missing
        raise ModelUnavailable(f"Cannot read the model weights {path}: {exc}") from None


def merge_adapter(
    base: Mapping[str, np.ndarray], adapter: Mapping[str, np.ndarray], lora_scale: float
) -> dict[str, np.ndarray]:
    """`base` with `adapter` merged: `NAME.A`/`NAME.B` LoRA pairs add `lora_scale * B @ A`
    to `NAME.weight`; `base.NAME` replaces `NAME` (tuned LayerNorms and biases); any other
    key (the heads) is kept as it is. The adapter was trained on fp16-rounded base weights:
    they are rounded the same way."""
    weights = {
        k: v.astype(np.float16).astype(np.float32) if v.dtype == np.float32 else v
        for k, v in base.items()
    }
    for key, value in adapter.items():
        if key.startswith("base."):
            weights[key.removeprefix("base.")] = value.astype(np.float32)
        elif key.endswith(".A"):
            name = key[:-2]
            a = value.astype(np.float32)
            b = adapter[name + ".B"].astype(np.float32)
            weights[name + ".weight"] = weights[name + ".weight"] + lora_scale * (b @ a)
        elif not key.endswith(".B"):
            weights[key] = value.astype(np.float32)
    return weights


def quantize_int8(w: np.ndarray, per_channel: bool) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 weights and their scale (zero point 0), per output column when
    `per_channel`: bit for bit what onnxruntime's `quantize_dynamic` stores."""
    absmax = np.abs(w).max(axis=0) if per_channel else np.abs(w).max()
    scale = (2.0 * np.asarray(absmax, dtype=np.float64) / (2 * INT8_RANGE)).astype(np.float32)
    scale = np.where(scale < np.finfo(np.float32).tiny, np.float32(1.0), scale)
    values = np.clip(np.round(w / scale), -INT8_RANGE, INT8_RANGE).astype(np.int8)
    return values, scale.astype(np.float32)


def build_initializers(
    recipe: list[dict], tensors: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """The graph's external initializers from named tensors, following `recipe` (one entry
    per initializer: `sources` joined along the last axis, each transposed if `transpose`;
    `quantize` names the part of an int8-quantised weight it is)."""
    out: dict[str, np.ndarray] = {}
    quantized: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
    for entry in recipe:
        key = (tuple(entry["sources"]), bool(entry.get("transpose")))
        parts = [tensors[name] for name in entry["sources"]]
        if entry.get("transpose"):
            parts = [p.T for p in parts]
        value = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=-1)
        part = entry.get("quantize")
        if part:
            per_channel = bool(entry.get("per_channel"))
            if (key, per_channel) not in quantized:
                quantized[key, per_channel] = quantize_int8(value.astype(np.float32), per_channel)
            values, scale = quantized[key, per_channel]
            value = {
                "values": values,
                "scale": scale,
                "zero_point": np.zeros_like(values, shape=scale.shape),
            }[part]
        else:
            value = value.astype(entry.get("dtype", "float32"))
        if list(value.shape) != list(entry["shape"]):
            raise ModelUnavailable(
                f"Weight {entry['name']} has shape {list(value.shape)}, the graph expects "
                f"{entry['shape']}: the model files do not belong together."
            )
        out[entry["name"]] = np.ascontiguousarray(value)
    return out


def session_options(cpu_threads: int):
    """CPU sessions with `cpu_threads` threads (the app's CPU-thread setting)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = cpu_threads
    options.inter_op_num_threads = 1
    # Idle threads sleep instead of spinning: speech recognition shares these cores, and
    # spinning bought nothing measurable here (benchmarks/punctuation.py, MODELS.md).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    return options


def open_graph(graph: Path, tensors: Mapping[str, np.ndarray], cpu_threads: int):
    """An inference session for `graph` (structure only), its weights built from `tensors`
    as `graph`'s sidecar `.weights.json` says."""
    try:
        recipe = json.loads(Path(graph).with_suffix(".weights.json").read_text())
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(f"Cannot read the model description of {graph}: {exc}") from None
    try:
        weights = build_initializers(recipe, tensors)
    except KeyError as exc:
        raise ModelUnavailable(f"The model {graph} needs a weight that is missing: {exc}") from None
    return open_graph_with(graph, weights, cpu_threads)


def open_graph_with(graph: Path, weights: Mapping[str, np.ndarray], cpu_threads: int):
    """An inference session for `graph` (structure only) with its external initializers
    set to `weights`, by name (the speaker encoder builds its own, `nlp/speaker_encoder.py`)."""
    import onnxruntime

    options = session_options(cpu_threads)
    names = list(weights)
    values = [onnxruntime.OrtValue.ortvalue_from_numpy(weights[n]) for n in names]
    options.add_external_initializers(names, values)
    return _session(str(graph), options)


def open_model(path: Path, cpu_threads: int):
    """An inference session for a complete ONNX model file (a user's own)."""
    return _session(str(path), session_options(cpu_threads))


def _session(path: str, options):
    import onnxruntime

    try:
        return onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime's own errors (Fail, InvalidProtobuf, …) are plain
        raise ModelUnavailable(f"Cannot load the model {path}: {exc}") from None
