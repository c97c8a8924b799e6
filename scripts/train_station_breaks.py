"""Train the station-break head: a logistic regression on the summarizer's own sentence
vectors (all-MiniLM-L6-v2), so that sponsor copy and promos with no surface cue
("Summer savings are yours at Harbor Chevrolet") are told from news as well.

Labels are weak: a sentence is a break when `nlp.station_breaks` finds a cue in it. The
head learns what such sentences are *about* (buying, calling, listening, the station) and
so also scores uncued ones; the threshold is set so that it flags few sentences the cues
missed (`--flag-rate`), chosen by reading samples of what it flags on the training half.

Data: WavePulse transcripts (../shared/data/wavepulse, Apache-2.0), every second file
(sorted by name, the 1st, 3rd, …) — the other half is held out for
`benchmarks/radio_summaries.py`.

    .venv/bin/python scripts/train_station_breaks.py [--write] [--show 40]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.embeddings import load_sentence_encoder  # noqa: E402
from nlp.station_breaks import HEAD_PATH, is_station_break  # noqa: E402
from nlp.summarize import MIN_WORDS, utterances_from_segments  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "wavepulse"


def training_sentences(folder: Path) -> list[str]:
    """Sentences of five words or more from the training half (1st, 3rd, … file)."""
    out: list[str] = []
    for path in sorted((folder / "transcripts").glob("*.json"))[::2]:
        data = json.loads(path.read_text())
        segments = data["segments"] if isinstance(data, dict) else data
        utterances = utterances_from_segments([(s["start"], s["end"], s["text"]) for s in segments])
        out += [u.text for u in utterances if len(u.text.split()) >= MIN_WORDS]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument(
        "--flag-rate",
        type=float,
        default=0.04,
        help="share of uncued training sentences the head may flag",
    )
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 strength")
    parser.add_argument("--show", type=int, default=0, help="print this many flagged samples")
    parser.add_argument("--write", action="store_true", help=f"write {HEAD_PATH.name}")
    args = parser.parse_args()
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    sentences = training_sentences(args.data)
    labels = np.array([is_station_break(s) for s in sentences])
    print(f"{len(sentences)} training sentences, {labels.sum()} with a cue ({labels.mean():.1%})")
    vectors = load_sentence_encoder().encode(sentences)
    model = LogisticRegression(C=args.c, class_weight="balanced", max_iter=2000)
    # Scores for the threshold come from 5-fold predictions, never from a fit on the same row.
    held = cross_val_predict(model, vectors, labels, cv=5, method="decision_function")
    threshold = float(np.quantile(held[~labels], 1 - args.flag_rate))
    caught = (held[labels] > threshold).mean()
    print(
        f"threshold {threshold:.3f}: flags {args.flag_rate:.0%} of uncued sentences, "
        f"{caught:.1%} of cued ones (5-fold)"
    )
    if args.show:
        flagged = [
            s for s, h, y in zip(sentences, held, labels, strict=True) if h > threshold and not y
        ]
        random.seed(0)
        for text in random.sample(flagged, min(args.show, len(flagged))):
            print("  +", text[:160])
    model.fit(vectors, labels)
    if args.write:
        HEAD_PATH.write_text(
            json.dumps(
                {
                    "about": "station-break head over all-MiniLM-L6-v2 sentence vectors; "
                    "scripts/train_station_breaks.py; WavePulse transcripts (Apache-2.0), "
                    "training half",
                    "weights": [round(float(w), 5) for w in model.coef_[0]],
                    "bias": round(float(model.intercept_[0]), 5),
                    "threshold": round(threshold, 4),
                    "flag_rate": args.flag_rate,
                    "c": args.c,
                    "sentences": len(sentences),
                },
                indent=1,
            )
            + "\n"
        )
        print(f"wrote {HEAD_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
