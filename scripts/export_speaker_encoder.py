"""Write the speaker encoder's ONNX graph: `resources/models/speaker_encoder.onnx`.

    python scripts/export_speaker_encoder.py [--out resources/models/speaker_encoder.onnx]

Needs the `onnx` package (the `train` extra), not torch. The graph is Resemblyzer's
`VoiceEncoder.forward` written with `onnx.helper`: mels [batch, frames, 40] → three
stacked LSTM layers (hidden 256, ONNX's LSTM op) → the last layer's final hidden state →
linear 256 → 256 → ReLU → unit length, as `embeddings` [batch, 256]. Every weight is an
external initializer backed by no file (a few kB of graph); `nlp/speaker_encoder.py` fills
them at load from Resemblyzer's `pretrained.pt`. Frames and batch are dynamic: spans
shorter than a 1.6-s partial run through the same graph.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.speaker_encoder import DIMENSIONS, GRAPH, LAYERS, N_MELS  # noqa: E402

OPSET = 17
HIDDEN = 256
EXTERNAL = "filled-at-load"  # the location external initializers name; no such file exists


def external(name: str, shape: list[int]):
    """A float32 initializer with no data: ONNX Runtime gets it at load."""
    import onnx

    tensor = onnx.TensorProto()
    tensor.name = name
    tensor.data_type = onnx.TensorProto.FLOAT
    tensor.dims.extend(shape)
    size = int(np.prod(shape)) * 4
    for key, value in (("location", EXTERNAL), ("offset", "0"), ("length", str(size))):
        tensor.external_data.add(key=key, value=value)
    tensor.data_location = onnx.TensorProto.EXTERNAL
    return tensor


def build_graph():
    """The encoder as an onnx ModelProto (weights external)."""
    from onnx import TensorProto, helper

    nodes = [helper.make_node("Transpose", ["mels"], ["x0"], perm=[1, 0, 2])]  # time first
    inits = [
        helper.make_tensor("axis1", TensorProto.INT64, [1], [1]),
        helper.make_tensor("axis0", TensorProto.INT64, [1], [0]),
    ]
    x = "x0"
    for k in range(LAYERS):
        size_in = N_MELS if k == 0 else HIDDEN
        inits += [
            external(f"W{k}", [1, 4 * HIDDEN, size_in]),
            external(f"R{k}", [1, 4 * HIDDEN, HIDDEN]),
            external(f"B{k}", [1, 8 * HIDDEN]),
        ]
        outputs = [f"y{k}", f"h{k}"]
        nodes.append(
            helper.make_node(
                "LSTM", [x, f"W{k}", f"R{k}", f"B{k}"], outputs, hidden_size=HIDDEN, name=f"lstm{k}"
            )
        )
        if k < LAYERS - 1:  # Y is [time, directions, batch, hidden]
            nodes.append(helper.make_node("Squeeze", [f"y{k}", "axis1"], [f"x{k + 1}"]))
            x = f"x{k + 1}"
    last = f"h{LAYERS - 1}"  # Y_h: [directions, batch, hidden]
    inits += [external("linear_w", [HIDDEN, DIMENSIONS]), external("linear_b", [DIMENSIONS])]
    nodes += [
        helper.make_node("Squeeze", [last, "axis0"], ["hidden"]),
        helper.make_node("MatMul", ["hidden", "linear_w"], ["projected"]),
        helper.make_node("Add", ["projected", "linear_b"], ["biased"]),
        helper.make_node("Relu", ["biased"], ["raw"]),
        helper.make_node("LpNormalization", ["raw"], ["embeddings"], axis=1, p=2),
    ]
    graph = helper.make_graph(
        nodes,
        "speaker_encoder",
        [helper.make_tensor_value_info("mels", TensorProto.FLOAT, ["batch", "frames", N_MELS])],
        [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", DIMENSIONS])],
        initializer=inits,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="streamlens scripts/export_speaker_encoder.py",
    )
    model.ir_version = 8  # what onnxruntime releases of the last years all read
    # onnx.checker would look for the weights' file; ONNX Runtime checks the graph at load.
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=GRAPH)
    args = parser.parse_args()
    args.out.write_bytes(build_graph().SerializeToString())
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
