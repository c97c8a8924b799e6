"""Experiment: full fine-tuning of the punctuation model on a CPU, starting from the
shipped adapter (every weight but the word embeddings trained), scored on BehancePR dev.

    /path/to/torch-venv/bin/python scripts/finetune_punctuation_full.py \
        --base DIR --data DIR [--lr 5e-5] [--epochs 1.5] [--out full.pt]

Needs torch + transformers (the `train` extra) and the data folder written by
`scripts/punctuation_data.py`. It keeps the best dev state in `--out`; the shipped model
does not use it (see resources/MODELS.md: full fine-tuning did not beat the adapter).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_punctuation import CASE, Tagger, encode, load, predict, scores, windows

ADAPTER = Path(__file__).resolve().parent.parent / "resources" / "models"


def load_adapter(model: Tagger, path: Path) -> None:
    """The shipped LoRA pairs, tuned norms and biases, and heads, into a fresh Tagger."""
    arrays = dict(np.load(path))
    named = {n.replace(".base.", "."): p for n, p in model.bert.named_parameters()}
    with torch.no_grad():
        for name, lora in model.lora.items():
            lora.A.copy_(torch.from_numpy(arrays[name + ".A"].astype(np.float32)))
            lora.B.copy_(torch.from_numpy(arrays[name + ".B"].astype(np.float32)))
        for key, value in arrays.items():
            if key.startswith("base."):
                named[key.removeprefix("base.")].copy_(torch.from_numpy(value))
        for head in ("punct", "case"):
            getattr(model, head).weight.copy_(torch.from_numpy(arrays[f"head.{head}.weight"]))
            getattr(model, head).bias.copy_(torch.from_numpy(arrays[f"head.{head}.bias"]))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--epochs", type=float, default=1.5)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--wave-windows", type=int, default=2500, help="WavePulse windows kept")
    parser.add_argument("--evals", type=int, default=4)
    parser.add_argument("--out", type=Path, default=Path("punctuation_full.pt"))
    args = parser.parse_args()
    random.seed(13)
    torch.manual_seed(13)
    cpu = torch.device("cpu")
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(args.base)
    config = json.loads((ADAPTER / "punctuation_config.json").read_text())
    model = Tagger(args.base, config["rank"], config["alpha"], train_norms=True)
    load_adapter(model, ADAPTER / "punctuation_adapter.npz")
    for name, p in model.named_parameters():
        p.requires_grad = "word_embeddings" not in name
    dev_docs = load(args.data / "behance_dev.jsonl.gz")
    start = scores(dev_docs, predict(model, tokenizer, dev_docs, cpu, stride=100))
    print(f"dev at the start: overall F1 {start['overall']['f1']:.4f}", flush=True)
    wave = load(args.data / "wavepulse.jsonl.gz")
    for doc in wave:
        doc["weight"] = config["wave_punct_weight"]
    wave_windows = list(windows(wave, 120, 100))
    random.shuffle(wave_windows)
    train = list(windows(load(args.data / "behance_train.jsonl.gz"), 120, 100))
    train += wave_windows[: args.wave_windows]
    steps = int(args.epochs * math.ceil(len(train) / args.batch))
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, total_steps=steps, pct_start=0.05, anneal_strategy="linear"
    )
    order: list[int] = []
    while len(order) < steps * args.batch:
        epoch = list(range(len(train)))
        random.shuffle(epoch)
        order += epoch
    best, started = start["overall"]["f1"], time.time()
    model.train()
    for step in range(steps):
        batch = [train[i] for i in order[step * args.batch : (step + 1) * args.batch]]
        ids, mask, punct, case, weights = encode(tokenizer, batch, 256, cpu)
        p_logits, c_logits = model(ids, mask)
        token_loss = torch.nn.functional.cross_entropy(
            p_logits.transpose(1, 2), punct, ignore_index=-100, reduction="none"
        )
        known = (punct != -100).float() * weights[:, None]
        loss = (token_loss * known).sum() / known.sum().clamp(min=1)
        if (case != -100).any():
            loss = loss + 0.5 * torch.nn.functional.cross_entropy(
                c_logits.reshape(-1, len(CASE)), case.reshape(-1), ignore_index=-100
            )
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        if (step + 1) % (steps // args.evals) == 0 or step + 1 == steps:
            dev = scores(dev_docs, predict(model, tokenizer, dev_docs, cpu, stride=100))
            print(
                f"step {step + 1}/{steps}: dev overall F1 {dev['overall']['f1']:.4f}, "
                f"PERIOD {dev['PERIOD']['f1']:.4f}, COMMA {dev['COMMA']['f1']:.4f}, "
                f"{time.time() - started:.0f} s",
                flush=True,
            )
            if dev["overall"]["f1"] > best:
                best = dev["overall"]["f1"]
                torch.save(model.state_dict(), args.out)
    print(f"best dev overall F1 {best:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
