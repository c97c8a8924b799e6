"""Train the chat moderation model on NormVio train, tune on dev, save small weights.

    .venv/bin/python scripts/train_moderation.py [--config resources/models/moderation_config.json]

Writes `resources/models/moderation.npz` (with context, shipped) and
`resources/models/moderation_nocontext.npz` (the same model without context, for the
benchmark's comparison). Test data is never read here.
"""

from __future__ import annotations

import argparse
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

from nlp.moderation import (  # noqa: E402
    CONTEXT_WORD_COLUMNS,
    MESSAGE_DENSE,
    N_CHAR,
    N_DENSE,
    N_WORD,
    TEXT_COLUMNS,
    LinearHead,
    ModerationModel,
    TreeEnsemble,
    featurize,
    stack_features,
)
from nlp.normvio import read_split  # noqa: E402

MODELS = ROOT / "resources" / "models"


def best_threshold(y: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    precision, recall, thresholds = precision_recall_curve(y, scores)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-9)
    best = int(np.argmax(f1[:-1]))
    return float(thresholds[best]), float(f1[best])


def head(model: LogisticRegression, classes: list[str]) -> LinearHead:
    weights = sp.csr_matrix(model.coef_.astype(np.float32))
    weights.eliminate_zeros()
    return LinearHead(classes, weights, model.intercept_.astype(np.float32))


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
    dense = x_train[:, N_WORD + N_CHAR : N_WORD + N_CHAR + N_DENSE].toarray()
    dense_dev = x_dev[:, N_WORD + N_CHAR : N_WORD + N_CHAR + N_DENSE].toarray()
    if not use_context:
        dense, dense_dev = dense[:, :MESSAGE_DENSE], dense_dev[:, :MESSAGE_DENSE]
    boosted = HistGradientBoostingClassifier(random_state=config["seed"], **config["trees"])
    boosted.fit(np.hstack([*[col[:, None] for col in columns], dense]), y_train)
    trees = TreeEnsemble.from_sklearn(boosted)
    stacked_dev = stack_features(x_dev, text_head, context_head, dense_dev)
    probabilities = 1 / (1 + np.exp(-trees.raw(stacked_dev)))
    check = boosted.predict_proba(stacked_dev)[:, 1]
    assert np.allclose(check, probabilities, atol=1e-6), "tree export differs from sklearn"
    ap = average_precision_score(y_dev, probabilities)
    threshold, dev_f1 = best_threshold(y_dev, probabilities)
    print(f"  violation: dev PR-AUC {ap:.3f}, F1 {dev_f1:.3f}", flush=True)
    report["violation"] = {"C": c, "dev_pr_auc": ap, "dev_f1": dev_f1, "threshold": threshold}

    masks = {"all": None}
    if use_context:
        # Category and target heads may do better without context: dev decides.
        context_columns = np.r_[
            N_WORD + N_CHAR + MESSAGE_DENSE : N_WORD + N_CHAR + N_DENSE,
            N_WORD + N_CHAR + N_DENSE : x_train.shape[1],
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
    target_head = head(target_model, target_classes)
    if len(target_classes) == 2:  # sklearn stores one row for two classes: make it two
        w = target_head.weights
        target_head = LinearHead(
            target_classes,
            sp.vstack([-w / 2, w / 2]).tocsr(),
            np.array(
                [-target_head.intercept[0] / 2, target_head.intercept[0] / 2], dtype=np.float32
            ),
        )
    model = ModerationModel(
        text_head,
        context_head,
        trees,
        head(category_model, [str(x) for x in category_model.classes_]),
        target_head,
        threshold,
    )
    return model, report


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
    reports = []
    for use_context, name in ((True, "moderation.npz"), (False, "moderation_nocontext.npz")):
        if args.only and args.only != ("context" if use_context else "nocontext"):
            reports.extend(r for r in previous if r.get("context") == use_context)
            continue
        start = time.time()
        print(f"training {'with' if use_context else 'without'} context…", flush=True)
        model, report = train(config, use_context)
        model.save(MODELS / name)
        report["seconds"] = round(time.time() - start, 1)
        report["bytes"] = (MODELS / name).stat().st_size
        reports.append(report)
        print(json.dumps(report, indent=2), flush=True)
    report_path.write_text(json.dumps(reports, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
