"""Train the chat moderation model on NormVio train, tune on dev, save small weights.

    .venv/bin/python scripts/train_moderation.py [--config resources/models/moderation_config.json]
        [--cache /tmp/moderation-cache] [--rebuild-tokens]

First the MiniLM token vectors the meaning heads read (`moderation_tokens.npz`, see
`nlp/moderation/semantic.py`; built once, `--rebuild-tokens` builds them again), then
`resources/models/moderation.skops` (with context) and
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
    DenseHead,
    LinearHead,
    MeaningHeads,
    ModerationModel,
    Verdict,
    stack_features,
    tree_probabilities,
)
from nlp.moderation.persistence import (  # noqa: E402
    DEFAULT_WEIGHTS,
    load_model,
    quantize,
    round_dense,
    save_model,
)
from nlp.moderation.policy import message_only_path  # noqa: E402
from nlp.moderation.semantic import (  # noqa: E402
    SCALARS,
    TOKEN_VECTORS,
    MeaningEncoder,
    load_token_vectors,
    meaning_features,
    minilm_tokenizer,
)
from nlp.normvio import Example, read_split  # noqa: E402

MODELS = DEFAULT_WEIGHTS.parent
REFERENCE = MODELS / "moderation_reference.json"
REFERENCE_SPREAD = 24  # dev examples spread evenly over the split…
REFERENCE_POSITIVES = 24  # …and over its moderated messages, for the reference verdicts


def build_token_vectors(config: dict, train_set: list[Example]) -> None:
    """MiniLM's output for each vocabulary token alone (`[CLS] token [SEP]`, mean pooled, as
    sentence-transformers pools), PCA to `dims`, int8 rows with one scale each; token
    weights a / (a + p(token)) from NormVio train messages (SIF: frequent tokens count less)."""
    from nlp.embeddings import load_sentence_encoder

    encoder = load_sentence_encoder()
    vocab = encoder.tokenizer.get_vocab()
    n = len(vocab)
    cls, sep = vocab["[CLS]"], vocab["[SEP]"]
    raw = np.zeros((n, 384), dtype=np.float32)
    for start in range(0, n, 512):
        ids = np.arange(start, min(n, start + 512))
        batch = np.stack([np.full(len(ids), cls), ids, np.full(len(ids), sep)], 1).astype(np.int64)
        raw[ids] = encoder.hidden_states(batch, np.ones_like(batch)).mean(1)
    counts = np.zeros(n)
    messages = list(dict.fromkeys(e.message for e in train_set))
    for encoding in minilm_tokenizer().encode_batch(messages, add_special_tokens=False):
        np.add.at(counts, encoding.ids, 1)
    a = config["meaning"]["sif_a"]
    weights = a / (a + counts / counts.sum())
    centred = raw - raw.mean(0)
    _u, _s, vt = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ vt[: config["meaning"]["dims"]].T
    scales = (np.abs(reduced).max(1) / 127).astype(np.float16)
    values = np.round(reduced / scales.astype(np.float32)[:, None]).astype(np.int8)
    partial = TOKEN_VECTORS.with_name(TOKEN_VECTORS.name + ".partial.npz")
    np.savez_compressed(partial, vectors=values, scales=scales, weights=weights.astype(np.float16))
    partial.replace(TOKEN_VECTORS)


def prepare(config: dict, cache: Path | None) -> dict:
    """Both splits with their sparse features (with context) and meaning rows, read from
    `cache` when it holds them for these token vectors."""
    train_set = read_split(ROOT / config["train"])
    dev_set = read_split(ROOT / config["dev"])
    tag = hashlib.sha256(TOKEN_VECTORS.read_bytes()).hexdigest()[:12]
    vectors, weights = load_token_vectors()
    encoder = MeaningEncoder(vectors, weights, minilm_tokenizer())
    data: dict = {"train_set": train_set, "dev_set": dev_set}
    for name, split in (("train", train_set), ("dev", dev_set)):
        sparse_path = cache / f"features_{name}.npz" if cache else None
        meaning_path = cache / f"meaning_{tag}_{name}.npy" if cache else None
        if sparse_path and sparse_path.exists():
            data[f"x_{name}"] = sp.load_npz(sparse_path).tocsr()
        else:
            x = featurize([e.message for e in split], [e.context for e in split])
            data[f"x_{name}"] = x
            if sparse_path:
                sp.save_npz(sparse_path, x)
        if meaning_path and meaning_path.exists():
            data[f"m_{name}"] = np.load(meaning_path)
        else:
            m = meaning_rows_uncapped(encoder, split)
            data[f"m_{name}"] = m
            if meaning_path:
                np.save(meaning_path, m)
    data["dims"] = vectors.shape[1]
    return data


def meaning_rows_uncapped(encoder: MeaningEncoder, split: list[Example]) -> np.ndarray:
    """`meaning_features` over a whole split, every distinct text encoded once up front (the
    encoder's cache is sized for a live channel, not for NormVio's 200,000 texts)."""
    texts = {e.message for e in split}
    for e in split:
        texts.update(t for _a, t in e.context.previous)
        texts.update(e.context.author_history)
    ordered = sorted(texts)
    table = dict(zip(ordered, encoder.encode_uncached(ordered), strict=True))

    class Lookup:
        dims = encoder.dims

        @staticmethod
        def encode(batch):
            return np.array([table[t] for t in batch], dtype=np.float32).reshape(-1, encoder.dims)

    return meaning_features(Lookup, [e.message for e in split], [e.context for e in split])


def without_context(x: sp.csr_matrix) -> sp.csr_matrix:
    """`featurize`'s rows as they are without context: context signals and words zeroed."""
    keep = np.ones(x.shape[1], dtype=np.float32)
    keep[DENSE_START + MESSAGE_DENSE : DENSE_START + N_DENSE] = 0
    keep[CONTEXT_WORD_COLUMNS[0] : CONTEXT_WORD_COLUMNS[1]] = 0
    out = (x @ sp.diags(keep)).tocsr()
    out.eliminate_zeros()
    return out


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


def _meaning_with_oof(m, y, groups, columns, c, config):
    """The meaning violation head over the first `columns` of the meaning rows, and its
    out-of-fold scores on the training set."""
    rows = m[:, :columns]
    oof = np.zeros(len(y))
    for fit_rows, score_rows in GroupKFold(config["folds"]).split(rows, y, groups):
        model = LogisticRegression(C=c, max_iter=3000).fit(rows[fit_rows], y[fit_rows])
        oof[score_rows] = model.decision_function(rows[score_rows])
    model = LogisticRegression(C=c, max_iter=3000).fit(rows, y)
    dense = DenseHead(["violation"], model.coef_, model.intercept_, columns)
    return oof, round_dense(dense)


def _joined(x, m, columns, weight):
    """Sparse features and the first `columns` of the meaning rows (times `weight`) side by
    side: one linear model learns both parts."""
    if not weight:
        return x
    return sp.hstack([x, sp.csr_matrix(weight * m[:, :columns])], format="csr")


def _select(data, rows, dev_rows, y, y_dev, grid, masks, name, columns, weights):
    """The best multiclass head over C values, feature masks and weights of the meaning
    columns, judged by the mean of dev macro-F1 and 3-fold grouped cross-validation on train
    (dev alone is small and noisy).

    A masked model is fit with the masked columns zeroed, so its weights there are zero and
    inference needs no mask. The first `columns` meaning columns (times a weight; 0: none)
    are joined to the sparse features; their weights come back apart (`split_head`).
    """
    x_train, x_dev = data["x_train"], data["x_dev"]
    groups = np.array([e.window for e in data["train_set"]])
    y = np.asarray(y)
    best = None
    for mask_name, masked_columns in masks.items():
        sparse_train, sparse_dev = x_train[rows], x_dev[dev_rows]
        if masked_columns is not None:
            keep = np.ones(x_train.shape[1], dtype=np.float32)
            keep[masked_columns] = 0
            scale = sp.diags(keep)
            sparse_train, sparse_dev = (sparse_train @ scale).tocsr(), (sparse_dev @ scale).tocsr()
        for weight in weights:
            start = time.time()
            train_x = _joined(sparse_train, data["m_train"][rows], columns, weight)
            dev_x = _joined(sparse_dev, data["m_dev"][dev_rows], columns, weight)
            for c in grid:
                cv = []
                single = len(masks) * len(weights) * len(grid) == 1  # nothing to choose
                splits = [] if single else GroupKFold(3).split(train_x, y, groups[rows])
                for fit_rows, score_rows in splits:
                    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
                    model.fit(train_x[fit_rows], y[fit_rows])
                    predicted = model.predict(train_x[score_rows])
                    cv.append(f1_score(y[score_rows], predicted, average="macro"))
                model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
                model.fit(train_x, y)
                dev = f1_score(y_dev, model.predict(dev_x), average="macro")
                score = (dev + float(np.mean(cv))) / 2 if cv else dev
                print(
                    f"  {name} C={c} {mask_name}, meaning weight {weight}: dev {dev:.3f}, "
                    f"cv {np.mean(cv) if cv else float('nan'):.3f} ({time.time() - start:.0f} s)",
                    flush=True,
                )
                if best is None or score > best[0]:
                    best = (score, c, mask_name, weight, model, dev)
    score, c, mask_name, weight, model, dev = best
    chosen = {"columns": columns if weight else 0, "weight": weight}
    report = {
        "C": c,
        "features": mask_name,
        "meaning_weight": weight,
        "dev_macro_f1": dev,
        "selection_score": score,
    }
    return model, chosen, report


def split_head(model: LogisticRegression, meaning: dict) -> tuple[LinearHead, DenseHead]:
    """A fitted `_select` model as its sparse head (int8, with the intercept) and its
    meaning head (float16, no intercept); two classes become two rows."""
    classes = [str(x) for x in model.classes_]
    coef = model.coef_.astype(np.float32)
    intercept = model.intercept_.astype(np.float32)
    if len(classes) == 2:  # sklearn stores one row for two classes: make it two
        coef = np.vstack([-coef / 2, coef / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2], dtype=np.float32)
    columns, weight = meaning["columns"], meaning["weight"]
    n_meaning = columns if weight else 0
    sparse_part = sp.csr_matrix(coef[:, : coef.shape[1] - n_meaning])
    sparse_part.eliminate_zeros()
    dense_part = (
        coef[:, coef.shape[1] - n_meaning :] * weight if weight else np.zeros((len(classes), 0))
    )
    return (
        quantize(LinearHead(classes, sparse_part, intercept)),
        round_dense(DenseHead(classes, dense_part, np.zeros(len(classes)), n_meaning)),
    )


def _without_meaning(config, data, columns, use_context, x_dev, text_head, context_head):
    """Dev PR-AUC and best F1 of the same trees without the meaning score and cosines (the
    model before the meaning heads, for comparison)."""
    y_train = np.array([e.violation for e in data["train_set"]])
    y_dev = np.array([e.violation for e in data["dev_set"]])
    n_scores = 2 if use_context else 1
    kept = [*columns[:n_scores], columns[n_scores + 1]]  # text (and context) scores, signals
    trees = HistGradientBoostingClassifier(random_state=config["seed"], **config["trees"])
    trees.fit(np.hstack([col if col.ndim == 2 else col[:, None] for col in kept]), y_train)
    stacked = stack_features(x_dev, text_head, context_head, dense_signals(x_dev, use_context))
    probabilities = tree_probabilities(trees, stacked)
    return average_precision_score(y_dev, probabilities), best_threshold(y_dev, probabilities)[1]


def train(config: dict, use_context: bool, data: dict) -> tuple[ModerationModel, dict]:
    train_set, dev_set = data["train_set"], data["dev_set"]
    x_train, x_dev = data["x_train"], data["x_dev"]
    if not use_context:
        x_train, x_dev = without_context(x_train), without_context(x_dev)
    m_train, m_dev = data["m_train"], data["m_dev"]
    dims = data["dims"]
    y_train = np.array([e.violation for e in train_set])
    y_dev = np.array([e.violation for e in dev_set])
    report: dict = {"context": use_context, "train": len(train_set), "dev": len(dev_set)}
    begun = time.time()

    groups = np.array([e.window for e in train_set])
    text_cols = np.arange(TEXT_COLUMNS)
    context_cols = np.arange(*CONTEXT_WORD_COLUMNS)
    c = config["violation_C"]
    if "text" not in data:  # the message columns are the same with and without context
        data["text"] = _linear_with_oof(x_train, y_train, groups, text_cols, c, config)
    text_oof, text_head = data["text"]
    print(f"  text head ({time.time() - begun:.0f} s)", flush=True)
    columns = [text_oof]
    context_head = None
    if use_context:
        context_oof, context_head = _linear_with_oof(
            x_train, y_train, groups, context_cols, c, config
        )
        columns.append(context_oof)
    print(f"  context head ({time.time() - begun:.0f} s)", flush=True)
    settings = config["meaning"]
    # The message's vector alone, or with its context's and its author's and their cosines.
    meaning_columns = m_train.shape[1] if use_context else dims
    meaning_oof, meaning_head = _meaning_with_oof(
        m_train, y_train, groups, meaning_columns, settings["violation_C"], config
    )
    columns.append(meaning_oof)
    columns.append(dense_signals(x_train, use_context))
    if use_context:
        columns.append(m_train[:, -len(SCALARS) :])
    trees = HistGradientBoostingClassifier(random_state=config["seed"], **config["trees"])
    trees.fit(np.hstack([col if col.ndim == 2 else col[:, None] for col in columns]), y_train)

    placeholder = DenseHead(["-"], np.zeros((1, 0)), np.zeros(1), 0)
    meaning = MeaningHeads(meaning_head, placeholder, placeholder, use_scalars=use_context)
    stacked_dev = stack_features(
        x_dev, text_head, context_head, dense_signals(x_dev, use_context), m_dev, meaning
    )
    probabilities = tree_probabilities(trees, stacked_dev)
    ap = average_precision_score(y_dev, probabilities)
    threshold, dev_f1 = best_threshold(y_dev, probabilities)
    print(f"  violation: dev PR-AUC {ap:.3f}, F1 {dev_f1:.3f}", flush=True)
    ablation = _without_meaning(config, data, columns, use_context, x_dev, text_head, context_head)
    print(
        f"  violation without the meaning columns: dev PR-AUC {ablation[0]:.3f}, F1 "
        f"{ablation[1]:.3f}",
        flush=True,
    )
    report["violation"] = {
        "C": c,
        "meaning_C": settings["violation_C"],
        "meaning_alone_dev_pr_auc": average_precision_score(
            y_dev, meaning_head.decision(m_dev)[:, 0]
        ),
        "dev_pr_auc": ap,
        "dev_f1": dev_f1,
        "threshold": threshold,
        "without_meaning": {"dev_pr_auc": ablation[0], "dev_f1": ablation[1]},
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
    data = {**data, "x_train": x_train, "x_dev": x_dev}  # (this model's, for the heads)

    counts = Counter(e.category for e in train_set if e.violation and e.category)
    keep = sorted(k for k, n in counts.items() if n >= config["min_category_examples"])
    rows = [i for i, e in enumerate(train_set) if e.violation and e.category in keep]
    dev_rows = [i for i, e in enumerate(dev_set) if e.violation and e.category]
    wanted = settings["category"].get("masks")
    category_model, category_chosen, report["category"] = _select(
        data,
        rows,
        dev_rows,
        [train_set[i].category for i in rows],
        [dev_set[i].category for i in dev_rows],
        config["category_C"],
        {k: v for k, v in masks.items() if k in (wanted or masks)} or masks,
        "category",
        dims,
        settings["category"]["weights"],
    )
    report["category"]["classes"] = keep
    rows = [i for i, e in enumerate(train_set) if e.category == "HIB" and e.target]
    dev_rows = [i for i, e in enumerate(dev_set) if e.category == "HIB" and e.target]
    wanted = settings["target"].get("masks")
    target_model, target_chosen, report["target"] = _select(
        data,
        rows,
        dev_rows,
        [train_set[i].target for i in rows],
        [dev_set[i].target for i in dev_rows],
        config["target_C"],
        {k: v for k, v in masks.items() if k in (wanted or masks)} or masks,
        "target",
        dims,
        settings["target"]["weights"],
    )
    category_head, category_meaning = split_head(category_model, category_chosen)
    target_head, target_meaning = split_head(target_model, target_chosen)
    model = ModerationModel(
        text_head,
        context_head,
        trees,
        category_head,
        target_head,
        threshold,
        MeaningHeads(meaning_head, category_meaning, target_meaning, use_scalars=use_context),
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
    parser.add_argument("--cache", type=Path, help="keep featurized splits here between runs")
    parser.add_argument("--rebuild-tokens", action="store_true", help="rebuild the token vectors")
    args = parser.parse_args()
    config = json.loads(args.config.read_text())
    if args.rebuild_tokens or not TOKEN_VECTORS.exists():
        print("building the MiniLM token vectors…", flush=True)
        build_token_vectors(config, read_split(ROOT / config["train"]))
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
    data = prepare(config, args.cache)
    report_path = MODELS / "moderation_dev_report.json"
    previous = json.loads(report_path.read_text()) if report_path.exists() else []
    dev = data["dev_set"]
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
        model, report = train(config, use_context, data)
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
