"""Train the station-break head: a logistic regression on the summarizer's own sentence
vectors (all-MiniLM-L6-v2), so that sponsor copy and promos with no surface cue
("Summer savings are yours at Harbor Chevrolet") are told from news as well.

Labels are mostly weak: a sentence is a break when `nlp.station_breaks.station_break_flags`
calls it one over its whole recording (a cue of its own, or part of a break block or spot).
The head learns what such sentences are *about* (buying, calling, listening, the station)
and so also scores uncued ones. On top, `resources/models/station_breaks_labels.json`
holds hand labels for 200 uncued sentences where a cue-only head was unsure (half of them
were sponsor copy, promos or weather it missed); they count `--hand-weight` times. So do
(`--pick-weight`) the hand labels of `benchmarks/radio_summaries.py`'s summary picks on the
training half (break, ad or lyrics: a break; programme: not), except for sentences that the
held-out half says too (the same spot airs in both halves), so nothing read on the held-out
half teaches the head. The threshold is set so that the head flags a given share of the
sentences neither the cues nor the hand labels call breaks (`--flag-rate`), chosen by
reading samples of what it flags on the training half (`--show`).

Data: WavePulse transcripts (../shared/data/wavepulse, Apache-2.0), every second file
(sorted by name, the 1st, 3rd, …) — the other half is held out for
`benchmarks/radio_summaries.py`.

    .venv/bin/python scripts/train_station_breaks.py [--write] [--show 40] [--flag-rate 0.10]
        [--pick-weight 5] [--cache /tmp/radio_vectors.npz]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from radio_summaries import LABELS as PICK_LABELS  # noqa: E402
from radio_summaries import sentence_key as pick_key  # noqa: E402  (the labels file's key)

from ingest.transcripts import read_transcript  # noqa: E402
from nlp.embeddings import load_sentence_encoder  # noqa: E402
from nlp.station_breaks import HEAD_PATH, station_break_flags  # noqa: E402

LABELS_PATH = HEAD_PATH.with_name("station_breaks_labels.json")
PICK_CLASSES = {"break": True, "ad": True, "lyrics": True, "programme": False}  # not "empty"


def sentence_key(text: str) -> str:
    """How the hand labels name a sentence without copying it."""
    return hashlib.sha1(text.encode()).hexdigest()[:12]


from nlp.summarize import MIN_WORDS, utterances_from_segments  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "wavepulse"


def held_out_texts(folder: Path) -> set[str]:
    """Every sentence of the held-out half (the 2nd, 4th, … file): a summary pick's label
    is used for training only where its sentence is never said there (stations air the
    same spot in both halves, and a label read on the held-out half must not teach)."""
    out = set()
    for path in sorted((folder / "transcripts").glob("*.json"))[1::2]:
        cues = read_transcript(path)
        out.update(
            u.text for u in utterances_from_segments([(c.start_s, c.end_s, c.text) for c in cues])
        )
    return out


def training_sentences(folder: Path) -> tuple[list[str], list[bool]]:
    """Sentences of five words or more from the training half (1st, 3rd, … file), and
    which of them the cues and break blocks call breaks (`station_break_flags` over the
    whole recording: a spot's uncued lines next to its cued ones, and those naming its
    sponsor, are weak positives too)."""
    out: list[str] = []
    flagged: list[bool] = []
    for path in sorted((folder / "transcripts").glob("*.json"))[::2]:
        cues = read_transcript(path)  # as the importer reads it
        utterances = utterances_from_segments([(c.start_s, c.end_s, c.text) for c in cues])
        flags = station_break_flags([(u.start_s, u.end_s, u.text) for u in utterances])
        for u, f in zip(utterances, flags, strict=True):
            if len(u.text.split()) >= MIN_WORDS:
                out.append(u.text)
                flagged.append(f)
    return out, flagged


def encode(sentences: list[str], cache: Path | None) -> np.ndarray:
    """The sentences' vectors, from `cache` where it has them (and kept there)."""
    known: dict[str, np.ndarray] = {}
    if cache is not None and cache.is_file():
        with np.load(cache, allow_pickle=False) as stored:
            known = dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))
    missing = list(dict.fromkeys(s for s in sentences if s not in known))
    if missing:
        known.update(zip(missing, load_sentence_encoder().encode(missing), strict=True))
        if cache is not None:
            np.savez(cache, texts=np.array(list(known)), vectors=np.stack(list(known.values())))
    return np.stack([known[s] for s in sentences])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument(
        "--flag-rate",
        type=float,
        default=0.10,
        help="share of uncued training sentences the head may flag",
    )
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 strength")
    parser.add_argument("--hand-weight", type=float, default=5.0, help="0: cue labels only")
    parser.add_argument(
        "--pick-weight",
        type=float,
        default=5.0,
        help="weight of the benchmark's hand labels of summary picks (design half only); 0: none",
    )
    parser.add_argument("--show", type=int, default=0, help="print this many flagged samples")
    parser.add_argument("--write", action="store_true", help=f"write {HEAD_PATH.name}")
    parser.add_argument("--out", type=Path, default=HEAD_PATH, help="where --write writes")
    parser.add_argument(
        "--cache", type=Path, help="sentence vectors kept between runs (.npz, as the benchmark's)"
    )
    args = parser.parse_args()
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    if not (args.data / "transcripts").is_dir():
        print(f"No WavePulse transcripts at {args.data}; pass --data.", file=sys.stderr)
        return 2
    if args.hand_weight and not LABELS_PATH.is_file():
        print(f"No hand labels at {LABELS_PATH}; pass --hand-weight 0.", file=sys.stderr)
        return 2
    sentences, flagged = training_sentences(args.data)
    cued = np.array(flagged)
    hand = json.loads(LABELS_PATH.read_text())["labels"] if args.hand_weight else {}
    keys = [sentence_key(s) for s in sentences]
    labelled = np.array([k in hand for k in keys])
    labels = np.array([bool(hand[k]) if k in hand else c for k, c in zip(keys, cued, strict=True)])
    weights = np.where(labelled, args.hand_weight, 1.0)
    picked = 0
    if args.pick_weight and PICK_LABELS.is_file():
        picks = json.loads(PICK_LABELS.read_text())["labels"]
        unseen = held_out_texts(args.data)
        for i, text in enumerate(sentences):
            kind = picks.get(pick_key(text))
            if labelled[i] or kind not in PICK_CLASSES or text in unseen:
                continue
            labels[i], weights[i], labelled[i] = PICK_CLASSES[kind], args.pick_weight, True
            picked += 1
    print(
        f"{len(sentences)} training sentences, {cued.sum()} flagged by cues and blocks "
        f"({cued.mean():.1%}), "
        f"{labelled.sum()} labelled by hand ({labels[labelled].sum()} breaks)"
    )
    vectors = encode(sentences, args.cache)
    model = LogisticRegression(C=args.c, class_weight="balanced", max_iter=2000)
    # Scores for the threshold come from 5-fold predictions, never from a fit on the same row.
    held = cross_val_predict(
        model, vectors, labels, cv=5, method="decision_function", params={"sample_weight": weights}
    )
    threshold = float(np.quantile(held[~labels], 1 - args.flag_rate))
    caught = (held[cued] > threshold).mean()
    print(
        f"threshold {threshold:.3f}: flags {args.flag_rate:.0%} of the sentences not called "
        f"breaks, {caught:.1%} of cued ones (5-fold)"
    )
    if labelled.any():
        hits = held[labelled] > threshold
        truth = labels[labelled]
        print(
            f"hand-labelled (out of fold): {int((hits & truth).sum())} of {int(truth.sum())} "
            f"breaks flagged, {int((hits & ~truth).sum())} of {int((~truth).sum())} others"
        )
    if args.show:
        flagged = [
            s for s, h, y in zip(sentences, held, labels, strict=True) if h > threshold and not y
        ]
        random.seed(0)
        for text in random.sample(flagged, min(args.show, len(flagged))):
            print("  +", text[:160])
    model.fit(vectors, labels, sample_weight=weights)
    if args.write:
        args.out.write_text(
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
                    "hand_labels": int(labelled.sum()),
                    "hand_weight": args.hand_weight,
                    "pick_labels": picked,
                    "pick_weight": args.pick_weight,
                    "sentences": len(sentences),
                    "weak_positives": int(cued.sum()),
                },
                indent=1,
            )
            + "\n"
        )
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
