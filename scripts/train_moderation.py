"""Train the chat moderation model on NormVio train, tune on dev, save small weights.

    .venv/bin/python scripts/train_moderation.py [--config resources/models/moderation_config.json]
        [--cache /tmp/modwork]

`--cache DIR` keeps the featurized splits and the MiniLM vectors of every NormVio text there
(`feat_*.npz`, `meaning.pkl`), so a second run does not compute them again (MiniLM encodes
about 200 chat texts a second on a 2-core CPU: the ~90,000 texts of train and dev take
minutes).

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
import pickle
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
    N_FEATURES,
    TEXT_COLUMNS,
    dense_signals,
    featurize,
)
from nlp.moderation.meaning import (  # noqa: E402
    CONTEXT_FOR_MEANING,
    DIMENSIONS,
    load_meaning_encoder,
)
from nlp.moderation.model import (  # noqa: E402
    LinearHead,
    Meaning,
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
# The meaning vectors enter the category and target fits divided by this (so their weights
# are this much larger than the n-grams', and L2 regularisation holds them back less).
MEANING_SCALE = 1.0


def best_threshold(y: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    precision, recall, thresholds = precision_recall_curve(y, scores)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-9)
    best = int(np.argmax(f1[:-1]))
    return float(thresholds[best]), float(f1[best])


def head(model: LogisticRegression, classes: list[str], meaning_width: int = 0) -> LinearHead:
    """The fitted linear model as a head with int8 sparse weights (and float16 weights over
    the last `meaning_width` columns, the meaning vectors), exactly as it will be saved."""
    coef = model.coef_.astype(np.float32)
    intercept = model.intercept_.astype(np.float32)
    if len(classes) == 2 and coef.shape[0] == 1:  # sklearn keeps one row for two classes
        coef = np.vstack([-coef / 2, coef / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2], dtype=np.float32)
    dense = None
    if meaning_width:
        coef, dense = coef[:, :-meaning_width], coef[:, -meaning_width:] * MEANING_SCALE
    weights = sp.csr_matrix(coef)
    weights.eliminate_zeros()
    return quantize(LinearHead(classes, weights, intercept, dense=dense))


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


def _meaning_with_oof(block, y, groups, c, config):
    """The meaning head (logistic regression over the message's vector, and its context's
    with context) and its out-of-fold scores on the training set."""
    oof = np.zeros(len(y))
    for fit_rows, score_rows in GroupKFold(config["folds"]).split(block, y, groups):
        model = LogisticRegression(C=c, max_iter=3000).fit(block[fit_rows], y[fit_rows])
        oof[score_rows] = model.decision_function(block[score_rows])
    model = LogisticRegression(C=c, max_iter=3000).fit(block, y)
    empty = sp.csr_matrix((1, N_FEATURES), dtype=np.float32)
    fitted = LinearHead(
        ["violation"],
        empty,
        model.intercept_.astype(np.float32),
        dense=model.coef_.astype(np.float32),
    )
    return oof, quantize(fitted)


def _with_meaning(x, vectors: np.ndarray | None):
    if vectors is None:
        return x
    return sp.hstack([x, sp.csr_matrix(vectors / MEANING_SCALE)], format="csr")


def _select(x_train, x_dev, rows, dev_rows, y, y_dev, grid, masks, name, groups, vectors):
    """The best multiclass head over C values, feature masks and with or without the
    meaning vectors, judged by the mean of dev macro-F1 and 3-fold grouped cross-validation
    on train (dev alone is small and noisy).

    A masked model is fit with the masked columns zeroed, so its weights there are zero and
    inference needs no mask. `vectors`: (train, dev) message vectors, appended as columns.
    """
    y = np.asarray(y)
    best = None
    for mask_name, columns in masks.items():
        base_train, base_dev = x_train[rows], x_dev[dev_rows]
        if columns is not None:
            keep = np.ones(x_train.shape[1], dtype=np.float32)
            keep[columns] = 0
            scale = sp.diags(keep)
            base_train, base_dev = (base_train @ scale).tocsr(), (base_dev @ scale).tocsr()
        for use_meaning in (False, True):
            train_x = _with_meaning(base_train, vectors[0][rows] if use_meaning else None)
            dev_x = _with_meaning(base_dev, vectors[1][dev_rows] if use_meaning else None)
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
                label = mask_name + (" + meaning" if use_meaning else "")
                print(f"  {name} C={c} {label}: dev {dev:.3f}, cv {np.mean(cv):.3f}", flush=True)
                if best is None or score > best[0]:
                    best = (score, c, label, model, dev, use_meaning)
    score, c, label, model, dev, use_meaning = best
    classes = [str(x) for x in model.classes_]
    fitted = head(model, classes, DIMENSIONS if use_meaning else 0)
    return fitted, {"C": c, "features": label, "dev_macro_f1": dev, "selection_score": score}


def featurized(examples, use_context: bool, cache: Path | None, name: str):
    """The sparse features of `examples` (from `cache` when it holds them)."""
    path = cache / f"feat_{name}_{'context' if use_context else 'message'}.npz" if cache else None
    if path is not None and path.exists():
        return sp.load_npz(path).tocsr()
    contexts = [e.context if use_context else None for e in examples]
    x = featurize([e.message for e in examples], contexts)
    if path is not None:
        sp.save_npz(path, x)
    return x


def preload_meaning(splits, cache: Path | None) -> None:
    """Encode every text the splits' examples need, once (kept in `cache` when given)."""
    encoder = load_meaning_encoder()
    path = cache / "meaning.pkl" if cache else None
    if path is not None and path.exists():
        with open(path, "rb") as handle:
            encoder.preload(pickle.load(handle))
    texts = set()
    for examples in splits:
        for e in examples:
            texts.add(e.message)
            texts.update(t for _a, t in list(e.context.previous)[-CONTEXT_FOR_MEANING:])
            texts.update(list(e.context.author_history)[-CONTEXT_FOR_MEANING:])
    encoder.cache_size = max(encoder.cache_size, len(texts) + 1000)
    start = time.time()
    vectors = encoder.vectors(sorted(texts))
    print(f"  meaning: {len(texts)} texts ({time.time() - start:.0f} s)", flush=True)
    if path is not None:
        with open(path, "wb") as handle:
            pickle.dump(vectors, handle)


def train(config: dict, use_context: bool, cache: Path | None) -> tuple[ModerationModel, dict]:
    train_set = read_split(ROOT / config["train"])
    dev_set = read_split(ROOT / config["dev"])
    preload_meaning([train_set, dev_set], cache)

    def meaning_of(examples):
        contexts = [e.context if use_context else None for e in examples]
        return Meaning.of([e.message for e in examples], contexts)

    x_train = featurized(train_set, use_context, cache, "train")
    x_dev = featurized(dev_set, use_context, cache, "dev")
    m_train, m_dev = meaning_of(train_set), meaning_of(dev_set)
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
    width = 2 * DIMENSIONS if use_context else DIMENSIONS
    meaning_oof, meaning_head = _meaning_with_oof(
        m_train.block(width), y_train, groups, config["meaning_C"], config
    )
    columns.append(meaning_oof)
    ap_meaning = average_precision_score(y_dev, meaning_head.decision(x_dev, m_dev)[:, 0])
    print(f"  meaning head alone: dev PR-AUC {ap_meaning:.3f}", flush=True)
    dense = dense_signals(x_train, use_context)
    extra = [m_train.signals] if use_context else []
    trees = HistGradientBoostingClassifier(random_state=config["seed"], **config["trees"])
    trees.fit(np.hstack([*[col[:, None] for col in columns], dense, *extra]), y_train)
    stacked_dev = stack_features(
        x_dev,
        text_head,
        context_head,
        dense_signals(x_dev, use_context),
        meaning_head,
        m_dev,
    )
    probabilities = tree_probabilities(trees, stacked_dev)
    ap = average_precision_score(y_dev, probabilities)
    threshold, dev_f1 = best_threshold(y_dev, probabilities)
    print(f"  violation: dev PR-AUC {ap:.3f}, F1 {dev_f1:.3f}", flush=True)
    report["violation"] = {
        "C": c,
        "meaning_C": config["meaning_C"],
        "dev_pr_auc": ap,
        "dev_f1": dev_f1,
        "threshold": threshold,
        "meaning_head_dev_pr_auc": ap_meaning,
    }

    masks = {"all": None}
    if use_context:
        # Category and target heads may do better without context: dev decides.
        context_columns = np.r_[
            DENSE_START + MESSAGE_DENSE : DENSE_START + N_DENSE,
            DENSE_START + N_DENSE : x_train.shape[1],
        ]
        masks["message only"] = context_columns
        masks["message + context signals"] = np.arange(*CONTEXT_WORD_COLUMNS)
    vectors = (m_train.own, m_dev.own)

    def tried(key: str) -> dict:
        """The masks the config names for a head (all when it names none): each fit of a
        category head takes minutes, so a config may keep what earlier runs chose."""
        names = config.get(key)
        return {k: v for k, v in masks.items() if not names or k in names} or masks

    counts = Counter(e.category for e in train_set if e.violation and e.category)
    keep = sorted(k for k, n in counts.items() if n >= config["min_category_examples"])
    rows = [i for i, e in enumerate(train_set) if e.violation and e.category in keep]
    dev_rows = [i for i, e in enumerate(dev_set) if e.violation and e.category]
    category_head, report["category"] = _select(
        x_train,
        x_dev,
        rows,
        dev_rows,
        [train_set[i].category for i in rows],
        [dev_set[i].category for i in dev_rows],
        config["category_C"],
        tried("category_masks"),
        "category",
        groups,
        vectors,
    )
    report["category"]["classes"] = keep
    rows = [i for i, e in enumerate(train_set) if e.category == "HIB" and e.target]
    dev_rows = [i for i, e in enumerate(dev_set) if e.category == "HIB" and e.target]
    target_head, report["target"] = _select(
        x_train,
        x_dev,
        rows,
        dev_rows,
        [train_set[i].target for i in rows],
        [dev_set[i].target for i in dev_rows],
        config["target_C"],
        tried("target_masks"),
        "target",
        groups,
        vectors,
    )
    model = ModerationModel(
        text_head, context_head, trees, category_head, target_head, threshold, meaning_head
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
    load_meaning_encoder().clear()  # the vectors as the app computes them, not the cache's
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


def violation_from(folder: Path, path: Path) -> tuple[ModerationModel, dict]:
    """The model at `path` with the violation parts (text and context heads, trees,
    threshold) of the format-2 model of the same name in `folder`, and no meaning head in
    the violation score: see `--violation-from`."""
    import skops.io

    from nlp.moderation.persistence import TRUSTED_TYPES, _head

    state = skops.io.load(folder / path.name, trusted=TRUSTED_TYPES)
    heads = {
        name: _head(
            h["classes"], h["rows"], h["cols"], h["values"], float(h["scale"]), h["intercept"]
        )
        for name, h in state["heads"].items()
    }
    new = load_model(path)
    model = ModerationModel(
        heads["text"],
        heads.get("context"),
        state["trees"],
        new.category,
        new.target,
        float(state["threshold"]),
    )
    old_reports = json.loads((folder / "moderation_dev_report.json").read_text())
    return model, next(r for r in old_reports if r["context"] == model.uses_context)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=MODELS / "moderation_config.json")
    parser.add_argument("--cache", type=Path, help="keep featurized splits and vectors here")
    parser.add_argument(
        "--violation-from",
        type=Path,
        help="train nothing: keep the category and target heads of the models now in "
        "resources/models and put the violation parts of the (format 2) models in this "
        "folder under them, with that folder's dev report for the violation",
    )
    parser.add_argument(
        "--only", choices=("context", "nocontext"), help="train one of the two models"
    )
    args = parser.parse_args()
    config = json.loads(args.config.read_text())
    missing = [config[k] for k in ("train", "dev") if not (ROOT / config[k]).is_file()]
    if missing:
        print(
            f"NormVio not found: {', '.join(missing)} (paths in {args.config} are relative to "
            f"{ROOT}); put the data there or pass --config with other paths.",
            file=sys.stderr,
        )
        return 2
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
        if args.violation_from:
            model, violation_report = violation_from(args.violation_from, path)
            report = next(r for r in previous if r.get("context") == use_context)
            report["violation"] = violation_report["violation"]
            report["violation"]["from"] = "the previous model's violation parts, unchanged"
            save_model(model, path)
            reference["verdicts"][path.name] = saved_reference(model, path, examples)
            report["bytes"] = path.stat().st_size
            reports.append(report)
            continue
        print(f"training {'with' if use_context else 'without'} context…", flush=True)
        model, report = train(config, use_context, args.cache)
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
