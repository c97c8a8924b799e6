"""Chat moderation on NormVio test: quality of four detectors, load time and throughput.

(a) alt-profanity-check alone (threshold tuned on dev; a flagged message gets the most
common category, HIB), (b) our model without context, (c) our model with context, each
alone, and (d) what the app runs: the `Moderator` (c, or b where a message has fewer than
`MIN_CONTEXT` channel messages before it, and the repetition rule on top).
Binary violation: F1 at the dev-tuned threshold and PR-AUC. Category: macro-F1 over the
NormVio categories end to end (each message is "no violation" unless flagged, then its
predicted category), and macro-F1 on the moderated messages alone (category given that
it is a violation). HIB target: macro-F1 on HIB messages with a target.

The hand-written challenge set (`tests/nlp/moderation_challenge.jsonl`, never trained or
tuned on): each message alone, as the `Moderator` judges a lone message — violation F1,
how many of its violations get their category, and how many ordinary gripes are flagged.

Throughput: the meaning cache is emptied before each pass, so every message and every
context message is encoded once a pass (as in a live channel, where a message is encoded
when it arrives and reused while it is context).

Test is for reported figures only; every choice was made on dev (`--split dev` prints the
same table on dev, with the Moderator's parts left out one at a time).

    .venv/bin/python benchmarks/chat_moderation.py [--data ../shared/data/normvio] [--split dev]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sklearn.metrics import average_precision_score, f1_score, precision_recall_curve  # noqa: E402

from nlp.moderation import (  # noqa: E402
    DEFAULT_WEIGHTS,
    MIN_CONTEXT,
    Moderator,
    load_meaning_encoder,
    load_moderation_model,
    message_only_path,
)
from nlp.normvio import read_split  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "normvio"
CHALLENGE = ROOT / "tests" / "nlp" / "moderation_challenge.jsonl"
NONE = "(none)"


def tuned_threshold(y: np.ndarray, scores: np.ndarray) -> float:
    precision, recall, thresholds = precision_recall_curve(y, scores)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-9)
    return float(thresholds[int(np.argmax(f1[:-1]))])


def evaluate(name, test, scores, flagged, categories, targets) -> dict:
    y = np.array([e.violation for e in test])
    gold_cat = [e.category if e.violation and e.category else NONE for e in test]
    pred_cat = [c if f else NONE for c, f in zip(categories, flagged, strict=True)]
    labels = sorted({c for c in gold_cat if c != NONE})
    violations = [i for i, e in enumerate(test) if e.violation and e.category]
    hib = [i for i, e in enumerate(test) if e.category == "HIB" and e.target]
    return {
        "name": name,
        "f1": f1_score(y, flagged),
        "pr_auc": average_precision_score(y, scores),
        "cat_e2e": f1_score(gold_cat, pred_cat, labels=labels, average="macro", zero_division=0),
        "cat_given": f1_score(
            [test[i].category for i in violations],
            [categories[i] for i in violations],
            labels=labels,
            average="macro",
            zero_division=0,
        ),
        "target": f1_score(
            [test[i].target for i in hib],
            [targets[i] or NONE for i in hib],
            average="macro",
            zero_division=0,
        )
        if targets is not None
        else float("nan"),
    }


def profanity_baseline(dev, test) -> dict:
    from profanity_check import predict_prob

    dev_scores = predict_prob([e.message for e in dev])
    threshold = tuned_threshold(np.array([e.violation for e in dev]), dev_scores)
    scores = predict_prob([e.message for e in test])
    flagged = scores >= threshold
    return evaluate("(a) alt-profanity-check", test, scores, flagged, ["HIB"] * len(test), None)


def model_result(name, model, test) -> dict:
    verdicts = model.predict([e.message for e in test], [e.context for e in test])
    return evaluate(
        name,
        test,
        np.array([v.score for v in verdicts]),
        np.array([v.violation for v in verdicts]),
        [v.category for v in verdicts],
        [v.target for v in verdicts],
    )


def challenge(moderator) -> str:
    import json

    rows = [json.loads(line) for line in CHALLENGE.read_text().splitlines() if line.strip()]
    verdicts = moderator.predict([r["message"] for r in rows], [None] * len(rows))
    y = [r["violation"] for r in rows]
    flagged = [v.violation for v in verdicts]
    right = sum(
        r["violation"] and v.violation and v.category == r["category"]
        for r, v in zip(rows, verdicts, strict=True)
    )
    gripes = [v.violation for r, v in zip(rows, verdicts, strict=True) if r.get("kind") == "gripe"]
    missed = [r["message"] for r, f in zip(rows, flagged, strict=True) if r["violation"] and not f]
    wrong = [r["message"] for r, f in zip(rows, flagged, strict=True) if f and not r["violation"]]
    return (
        f"challenge set ({len(rows)} hand-written messages, each alone): violation F1 "
        f"{f1_score(y, flagged):.3f}; {right} of {sum(y)} violations flagged with their "
        f"category; ordinary gripes flagged: {sum(gripes)} of {len(gripes)}\n"
        f"  missed: {missed}\n  flagged wrongly: {wrong}"
    )


def load_times() -> tuple[float, int]:
    """Seconds to load the app's moderator from disk (both models), and their bytes."""
    paths = [DEFAULT_WEIGHTS, message_only_path(DEFAULT_WEIGHTS)]
    load_moderation_model.cache_clear()
    start = time.perf_counter()
    load_moderation_model()
    return time.perf_counter() - start, sum(p.stat().st_size for p in paths)


def throughput(test, seconds: float = 5.0) -> tuple[float, float]:
    model = load_moderation_model()
    messages = [e.message for e in test]
    contexts = [e.context for e in test]
    rates = []
    for batch in (1, 256):
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            load_meaning_encoder().clear()  # each text encoded once a pass
            for i in range(0, 2048, batch):
                j = i % (len(messages) - batch)
                model.predict(messages[j : j + batch], contexts[j : j + batch])
            done += 2048
        rates.append(done / (time.perf_counter() - start))
    return rates[0], rates[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument(
        "--split", choices=("test", "dev"), default="test", help="dev: the selection figures"
    )
    args = parser.parse_args()
    if not (args.data / f"{args.split}.jsonl").is_file():
        print(f"No NormVio data at {args.data}; pass --data.", file=sys.stderr)
        return 2
    dev = read_split(args.data / "dev.jsonl")
    scored = dev if args.split == "dev" else read_split(args.data / "test.jsonl")
    short = sum(len(e.context.previous) < MIN_CONTEXT for e in scored)
    print(
        f"NormVio {args.split}: {len(scored)} messages, {sum(e.violation for e in scored)} "
        "moderated "
        f"(negatives: unmoderated messages of the same windows); {short} with fewer than "
        f"{MIN_CONTEXT} channel messages before them"
    )
    seconds, size = load_times()
    moderator = load_moderation_model()
    results = [
        profanity_baseline(dev, scored),
        model_result("(b) ours, no context", moderator.alone, scored),
        model_result("(c) ours, with context", moderator.with_context, scored),
        model_result(
            "(d) the app's Moderator (c, b with little context, repetition rule)", moderator, scored
        ),
    ]
    if args.split == "dev":  # what each part of the Moderator adds, for choosing them
        alone, with_context = moderator.alone, moderator.with_context
        results += [
            model_result(
                "(d) without the repetition rule",
                Moderator(with_context, alone, repeat_limit=0),
                scored,
            ),
            model_result(
                "(d) without the message-only fallback",
                Moderator(with_context, alone, min_context=0),
                scored,
            ),
        ]
    print(
        "\n| detector | violation F1 | PR-AUC | category macro-F1 (end to end) "
        "| category macro-F1 (given violation) | HIB target macro-F1 |"
    )
    print("|---|---|---|---|---|---|")
    for r in results:
        target = "—" if np.isnan(r["target"]) else f"{r['target']:.3f}"
        print(
            f"| {r['name']} | {r['f1']:.3f} | {r['pr_auc']:.3f} | {r['cat_e2e']:.3f} "
            f"| {r['cat_given']:.3f} | {target} |"
        )
    print("\n" + challenge(moderator))
    single, batched = throughput(scored)
    print(
        f"\nloading the Moderator (both models, {size / 1e6:.2f} MB): {seconds:.2f} s; "
        f"throughput (the Moderator, one process): {single:,.0f} messages/s one at a "
        f"time, {batched:,.0f} messages/s in batches of 256"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
