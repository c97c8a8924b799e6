"""Train the chat moderation model on NormVio train, tune on dev, save small weights.

    .venv/bin/python scripts/train_moderation.py [--config resources/models/moderation_config.json]

Writes `resources/models/moderation.skops` (with context) and
`resources/models/moderation_nocontext.skops` (the same model without context, which the
app's `Moderator` uses where a message has little context), the dev report
`moderation_dev_report.json`, and `moderation_reference.json`: the training-time verdicts of
a fixed set of dev messages, which the saved models must reproduce exactly
(`tests/nlp/test_moderation.py`). Test data is never read here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import average_precision_score, f1_score, precision_recall_curve  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402

from nlp.moderation.features import (  # noqa: E402
    CONTEXT_WORD_COLUMNS,
    DENSE_START,
    MESSAGE_DENSE,
    N_DENSE,
    TEXT_COLUMNS,
    dense_signals,
    featurize,
)
from nlp.moderation.model import (  # noqa: E402
    LinearHead,
    ModerationModel,
    Verdict,
    stack_features,
    tree_probabilities,
)
from nlp.moderation.persistence import (  # noqa: E402
    DEFAULT_WEIGHTS,
    load_model,
    quantize,
    save_model,
)
from nlp.moderation.policy import message_only_path  # noqa: E402
from nlp.normvio import Example, read_split  # noqa: E402

MODELS = DEFAULT_WEIGHTS.parent
REFERENCE = MODELS / "moderation_reference.json"
REFERENCE_SPREAD = 24  # dev examples spread evenly over the split…
REFERENCE_POSITIVES = 24  # …and over its moderated messages, for the reference verdicts


def best_threshold(y: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    precision, recall, thresholds = precision_recall_curve(y, scores)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-9)
    best = int(np.argmax(f1[:-1]))
    return float(thresholds[best]), float(f1[best])


def head(model: LogisticRegression, classes: list[str]) -> LinearHead:
    """The fitted linear model as a head with int8 weights, exactly as it will be saved."""
    weights = sp.csr_matrix(model.coef_.astype(np.float32))
    weights.eliminate_zeros()
    return quantize(LinearHead(classes, weights, model.intercept_.astype(np.float32)))


def _linear_with_oof(x, y, groups, columns, c, config):
    """A linear head on `columns`, and its out-of-fold scores on the training set (what the
    trees learn from, so they never see scores of examples the head was fitted on)."""
    keep = np.zeros(x.shape[1], dtype=np.float32)
    keep[columns] = 1
    masked = (x @ sp.diags(keep)).tocsr()
    oof = np.zeros(len(y))
    for fit_rows, score_rows in GroupKFold(config["folds"]).split(masked, y, groups):
        model = LogisticRegression(C=c, max_iter=2000, solver="liblinear")
        model.fit(masked[fit_rows], y[fit_rows])
        oof[score_rows] = model.decision_function(masked[score_rows])
    model = LogisticRegression(C=c, max_iter=2000, solver="liblinear").fit(masked, y)
    return oof, head(model, ["violation"])


def _select(x_train, x_dev, rows, dev_rows, y, y_dev, grid, masks, name, groups):
    """The best multiclass head over C values and feature masks, judged by the mean of dev
    macro-F1 and 3-fold grouped cross-validation on train (dev alone is small and noisy).

    A masked model is fit with the masked columns zeroed, so its weights there are zero and
    inference needs no mask.
    """
    y = np.asarray(y)
    best = None
    for mask_name, columns in masks.items():
        train_x, dev_x = x_train[rows], x_dev[dev_rows]
        if columns is not None:
            keep = np.ones(x_train.shape[1], dtype=np.float32)
            keep[columns] = 0
            scale = sp.diags(keep)
            train_x, dev_x = (train_x @ scale).tocsr(), (dev_x @ scale).tocsr()
        for c in grid:
            cv = []
            for fit_rows, score_rows in GroupKFold(3).split(train_x, y, groups[rows]):
                model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
                model.fit(train_x[fit_rows], y[fit_rows])
                cv.append(
                    f1_score(y[score_rows], model.predict(train_x[score_rows]), average="macro")
                )
            model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
            model.fit(train_x, y)
            dev = f1_score(y_dev, model.predict(dev_x), average="macro")
            score = (dev + float(np.mean(cv))) / 2
            print(f"  {name} C={c} {mask_name}: dev {dev:.3f}, cv {np.mean(cv):.3f}", flush=True)
            if best is None or score > best[0]:
                best = (score, c, mask_name, model, dev)
    score, c, mask_name, model, dev = best
    return model, {"C": c, "features": mask_name, "dev_macro_f1": dev, "selection_score": score}


def train(config: dict, use_context: bool) -> tuple[ModerationModel, dict]:
    train_set = read_split(ROOT / config["train"])
    dev_set = read_split(ROOT / config["dev"])

    def matrix(examples):
        contexts = [e.context if use_context else None for e in examples]
        return featurize([e.message for e in examples], contexts)

    x_train, x_dev = matrix(train_set), matrix(dev_set)
    y_train = np.array([e.violation for e in train_set])
    y_dev = np.array([e.violation for e in dev_set])
    report: dict = {"context": use_context, "train": len(train_set), "dev": len(dev_set)}

    groups = np.array([e.window for e in train_set])
    text_cols = np.arange(TEXT_COLUMNS)
    context_cols = np.arange(*CONTEXT_WORD_COLUMNS)
    c = config["violation_C"]
    text_oof, text_head = _linear_with_oof(x_train, y_train, groups, text_cols, c, config)
    columns = [text_oof]
    context_head = None
    if use_context:
        context_oof, context_head = _linear_with_oof(
            x_train, y_train, groups, context_cols, c, config
        )
        columns.append(context_oof)
    dense = dense_signals(x_train, use_context)
    trees = HistGradientBoostingClassifier(random_state=config["seed"], **config["trees"])
    trees.fit(np.hstack([*[col[:, None] for col in columns], dense]), y_train)
    stacked_dev = stack_features(x_dev, text_head, context_head, dense_signals(x_dev, use_context))
    probabilities = tree_probabilities(trees, stacked_dev)
    ap = average_precision_score(y_dev, probabilities)
    threshold, dev_f1 = best_threshold(y_dev, probabilities)
    print(f"  violation: dev PR-AUC {ap:.3f}, F1 {dev_f1:.3f}", flush=True)
    report["violation"] = {"C": c, "dev_pr_auc": ap, "dev_f1": dev_f1, "threshold": threshold}

    masks = {"all": None}
    if use_context:
        # Category and target heads may do better without context: dev decides.
        context_columns = np.r_[
            DENSE_START + MESSAGE_DENSE : DENSE_START + N_DENSE,
            DENSE_START + N_DENSE : x_train.shape[1],
        ]
        masks["message only"] = context_columns
        masks["message + context signals"] = np.arange(*CONTEXT_WORD_COLUMNS)

    counts = Counter(e.category for e in train_set if e.violation and e.category)
    keep = sorted(k for k, n in counts.items() if n >= config["min_category_examples"])
    rows = [i for i, e in enumerate(train_set) if e.violation and e.category in keep]
    dev_rows = [i for i, e in enumerate(dev_set) if e.violation and e.category]
    category_model, report["category"] = _select(
        x_train,
        x_dev,
        rows,
        dev_rows,
        [train_set[i].category for i in rows],
        [dev_set[i].category for i in dev_rows],
        config["category_C"],
        masks,
        "category",
        groups,
    )
    report["category"]["classes"] = keep
    rows = [i for i, e in enumerate(train_set) if e.category == "HIB" and e.target]
    dev_rows = [i for i, e in enumerate(dev_set) if e.category == "HIB" and e.target]
    target_model, report["target"] = _select(
        x_train,
        x_dev,
        rows,
        dev_rows,
        [train_set[i].target for i in rows],
        [dev_set[i].target for i in dev_rows],
        config["target_C"],
        masks,
        "target",
        groups,
    )
    target_classes = [str(x) for x in target_model.classes_]
    if len(target_classes) == 2:  # sklearn stores one row for two classes: make it two
        w = sp.csr_matrix(target_model.coef_.astype(np.float32))
        w.eliminate_zeros()
        b = float(target_model.intercept_[0])
        target_head = quantize(
            LinearHead(
                target_classes,
                sp.vstack([-w / 2, w / 2]).tocsr(),
                np.array([-b / 2, b / 2], dtype=np.float32),
            )
        )
    else:
        target_head = head(target_model, target_classes)
    model = ModerationModel(
        text_head,
        context_head,
        trees,
        head(category_model, [str(x) for x in category_model.classes_]),
        target_head,
        threshold,
    )
    return model, report


def reference_examples(dev: list[Example]) -> list[int]:
    """The dev examples whose training-time verdicts are kept: spread over the split and
    over its moderated messages (fixed by the data alone, so every run picks the same)."""
    positives = [i for i, e in enumerate(dev) if e.violation]
    spread = np.linspace(0, len(dev) - 1, REFERENCE_SPREAD).round().astype(int)
    moderated = np.linspace(0, len(positives) - 1, REFERENCE_POSITIVES).round().astype(int)
    return sorted({int(i) for i in spread} | {positives[int(i)] for i in moderated})


def messages_digest(examples: list[Example]) -> str:
    return hashlib.sha256("\n".join(e.message for e in examples).encode()).hexdigest()


def verdict_record(verdict: Verdict) -> dict:
    return {
        "score": verdict.score,
        "category": verdict.category,
        "category_score": verdict.category_score,
        "target": verdict.target,
    }


def saved_reference(model: ModerationModel, path: Path, examples: list[Example]) -> list[dict]:
    """The in-memory model's verdicts on `examples`, after checking that the model saved at
    `path` gives exactly the same."""
    messages, contexts = [e.message for e in examples], [e.context for e in examples]
    trained = [verdict_record(v) for v in model.predict(messages, contexts)]
    loaded = [verdict_record(v) for v in load_model(path).predict(messages, contexts)]
    assert loaded == trained, f"{path.name} does not reproduce the training-time verdicts"
    return trained


def reference_json(reference: dict) -> str:
    """The reference as JSON with one line per verdict (readable diffs after a retrain)."""
    lines = ["{"]
    for key in ("about", "data", "examples", "messages_sha256"):
        lines.append(f"  {json.dumps(key)}: {json.dumps(reference[key])},")
    lines.append('  "verdicts": {')
    names = sorted(reference["verdicts"])
    for n, name in enumerate(names):
        lines.append(f"    {json.dumps(name)}: [")
        records = reference["verdicts"][name]
        for r, record in enumerate(records):
            lines.append(f"      {json.dumps(record)}" + ("," if r < len(records) - 1 else ""))
        lines.append("    ]" + ("," if n < len(names) - 1 else ""))
    lines += ["  }", "}", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=MODELS / "moderation_config.json")
    parser.add_argument(
        "--only", choices=("context", "nocontext"), help="train one of the two models"
    )
    args = parser.parse_args()
    config = json.loads(args.config.read_text())
    report_path = MODELS / "moderation_dev_report.json"
    previous = json.loads(report_path.read_text()) if report_path.exists() else []
    dev = read_split(ROOT / config["dev"])
    picked = reference_examples(dev)
    examples = [dev[i] for i in picked]
    reference = {
        "about": "training-time verdicts of these dev examples (indices into read_split); "
        "the saved models must reproduce them",
        "data": config["dev"],
        "examples": picked,
        "messages_sha256": messages_digest(examples),
        "verdicts": {},
    }
    if REFERENCE.exists():
        kept = json.loads(REFERENCE.read_text())
        if kept.get("examples") == picked:
            reference["verdicts"].update(kept.get("verdicts", {}))
    reports = []
    for use_context, path in ((True, DEFAULT_WEIGHTS), (False, message_only_path(DEFAULT_WEIGHTS))):
        if args.only and args.only != ("context" if use_context else "nocontext"):
            reports.extend(r for r in previous if r.get("context") == use_context)
            continue
        start = time.time()
        print(f"training {'with' if use_context else 'without'} context…", flush=True)
        model, report = train(config, use_context)
        save_model(model, path)
        reference["verdicts"][path.name] = saved_reference(model, path, examples)
        report["seconds"] = round(time.time() - start, 1)
        report["bytes"] = path.stat().st_size
        reports.append(report)
        print(json.dumps(report, indent=2), flush=True)
    report_path.write_text(json.dumps(reports, indent=2) + "\n")
    REFERENCE.write_text(reference_json(reference))
    return 0


if __name__ == "__main__":
    sys.exit(main())
