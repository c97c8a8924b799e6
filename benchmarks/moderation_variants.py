"""Violation-score variants on NormVio dev: what meaning vectors and nearest neighbours add.

A study, not the shipped model: it compares, on dev only, the stacked violation score the
app ships (linear text and context-word scores + signals → boosted trees) with variants
that also read MiniLM sentence vectors, to say how far they go toward issue 17's targets
before anyone pays their cost (every message encoded, a bank of training vectors shipped):

- (A) the shipped design;
- (B) + the meaning score over the message's and its context's vectors and the three
  cosines (what `scripts/train_moderation.py` trains in a full run, and does not ship);
- (C) B + nearest neighbours: over the 20 training messages closest in meaning, the
  similarity-weighted share that were moderated, and the closest and mean top-5 cosine to
  a moderated one (out-of-fold on train, grouped by window as every stacked score here);
- (D) C with slower, longer boosting (learning rate 0.05, 300 trees);
- (E) the message's own vector only (meaning score + neighbours, slower trees): what a
  model could read without encoding the context, with the neighbour bank cut to the
  moderated messages + 12,000 others (reweighted), a size one could ship;
- (E) run as a cascade behind A: only the top share of A's scores are encoded.

F1 is at the best dev threshold (optimistic); PR-AUC needs no threshold. Test is not read.

    .venv/bin/python benchmarks/moderation_variants.py [--cache /tmp/modwork]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import numpy as np  # noqa: E402
import train_moderation as tm  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.metrics import average_precision_score  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402

from nlp.moderation.features import CONTEXT_WORD_COLUMNS, TEXT_COLUMNS, dense_signals  # noqa: E402
from nlp.moderation.meaning import DIMENSIONS  # noqa: E402
from nlp.normvio import read_split  # noqa: E402

NEIGHBOURS = 20
SHIPPABLE_BANK = 12_000  # unmoderated training vectors kept beside the moderated ones


def neighbour_signals(queries, bank, moderated, other_weight=1.0) -> np.ndarray:
    """Per query: similarity-weighted share of moderated messages among its nearest bank
    vectors (unmoderated ones weighted by `other_weight`), the closest cosine to a moderated
    one and the mean of the five closest."""
    out = np.zeros((len(queries), 3), np.float32)
    positives = bank[moderated]
    for start in range(0, len(queries), 4096):
        block = queries[start : start + 4096]
        sims = block @ bank.T
        nearest = np.argpartition(-sims, NEIGHBOURS, axis=1)[:, :NEIGHBOURS]
        top = np.take_along_axis(sims, nearest, 1)
        label = moderated[nearest]
        weight = np.exp(10 * top) * np.where(label, 1.0, other_weight)
        out[start : start + 4096, 0] = (weight * label).sum(1) / weight.sum(1)
        to_positive = block @ positives.T
        out[start : start + 4096, 1] = to_positive.max(1)
        out[start : start + 4096, 2] = np.sort(to_positive, 1)[:, -5:].mean(1)
    return out


def neighbours_out_of_fold(own_train, own_dev, y, groups, bank_rows=None):
    other_weight = 1.0
    if bank_rows is not None:
        other_weight = (~y).sum() / (bank_rows & ~y).sum()
    train = np.zeros((len(y), 3), np.float32)
    for fit, score in GroupKFold(5).split(own_train, y, groups):
        if bank_rows is not None:
            fit = fit[bank_rows[fit]]
        train[score] = neighbour_signals(own_train[score], own_train[fit], y[fit], other_weight)
    bank = np.arange(len(y)) if bank_rows is None else np.flatnonzero(bank_rows)
    dev = neighbour_signals(own_dev, own_train[bank], y[bank], other_weight)
    return train, dev


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=tm.MODELS / "moderation_config.json")
    parser.add_argument("--cache", type=Path, help="featurized splits and vectors (as training)")
    args = parser.parse_args()
    config = json.loads(args.config.read_text())
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
    started = time.time()
    train_set, dev_set = read_split(ROOT / config["train"]), read_split(ROOT / config["dev"])
    tm.preload_meaning([train_set, dev_set], args.cache)
    x_train = tm.featurized(train_set, True, args.cache, "train")
    x_dev = tm.featurized(dev_set, True, args.cache, "dev")
    m_train = tm.Meaning.of([e.message for e in train_set], [e.context for e in train_set])
    m_dev = tm.Meaning.of([e.message for e in dev_set], [e.context for e in dev_set])
    y = np.array([e.violation for e in train_set])
    y_dev = np.array([e.violation for e in dev_set])
    groups = np.array([e.window for e in train_set])

    def linear(columns):
        oof, head = tm._linear_with_oof(x_train, y, groups, columns, config["violation_C"], config)
        return oof, head.decision(x_dev)[:, 0]

    def meaning(block_train, block_dev):
        oof, head = tm._meaning_with_oof(block_train, y, groups, config["meaning_C"], config)
        dev = head.decision(x_dev, tm.Meaning(block_dev, m_dev.around, m_dev.signals))[:, 0]
        return oof, dev

    text, context = linear(np.arange(TEXT_COLUMNS)), linear(np.arange(*CONTEXT_WORD_COLUMNS))
    both = meaning(m_train.block(2 * DIMENSIONS), m_dev.block(2 * DIMENSIONS))
    own = meaning(m_train.own, m_dev.own)
    near = neighbours_out_of_fold(m_train.own, m_dev.own, y, groups)
    rng = np.random.default_rng(0)
    bank = y | (rng.random(len(y)) < SHIPPABLE_BANK / (~y).sum())
    near_small = neighbours_out_of_fold(m_train.own, m_dev.own, y, groups, bank)
    signals = (dense_signals(x_train, True), dense_signals(x_dev, True))
    print(f"features, vectors, out-of-fold scores and neighbours: {time.time() - started:.0f} s")

    def column(pair):
        return tuple(part[:, None] if part.ndim == 1 else part for part in pair)

    def trees(name, parts, slow=False):
        params = dict(config["trees"])
        if slow:
            params.update(learning_rate=0.05, max_iter=300)
        model = HistGradientBoostingClassifier(random_state=config["seed"], **params)
        model.fit(np.hstack([column(p)[0] for p in parts]), y)
        scores = model.predict_proba(np.hstack([column(p)[1] for p in parts]))[:, 1]
        _threshold, f1 = tm.best_threshold(y_dev, scores)
        ap = average_precision_score(y_dev, scores)
        print(f"| {name} | {ap:.3f} | {f1:.3f} |", flush=True)
        return scores

    cosines = (m_train.signals, m_dev.signals)
    print("\n| dev (selection figures) | PR-AUC | F1 at the best dev threshold |\n|---|---|---|")
    shipped = trees("(A) shipped design", [text, context, signals])
    trees("(B) + meaning of message and context", [text, context, signals, both, cosines])
    trees("(C) B + neighbours", [text, context, signals, both, cosines, near])
    trees("(D) C, slower trees", [text, context, signals, both, cosines, near], slow=True)
    own_only = trees(
        "(E) own vector only, shippable bank, slower trees",
        [text, context, signals, own, near_small],
        slow=True,
    )
    for share in (0.1, 0.2, 0.3):
        cut = np.quantile(shipped, 1 - share)
        passed = shipped >= cut
        cascade = np.where(passed, own_only, shipped * 1e-3)
        _threshold, f1 = tm.best_threshold(y_dev, cascade)
        kept = y_dev[passed].sum() / y_dev.sum()
        print(
            f"| (E) behind A, top {share:.0%} encoded (keeps {kept:.0%} of moderated) "
            f"| {average_precision_score(y_dev, cascade):.3f} | {f1:.3f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
