"""Choose the summarizer's weights on PsTuts train+dev (never test) by mean ROUGE-1+L.

.venv/bin/python scripts/tune_summaries.py
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
from rouge_score import rouge_scorer  # noqa: E402
from summaries import DATA, K, library_idf_of, load  # noqa: E402

from nlp.embeddings import load_sentence_encoder  # noqa: E402
from nlp.summarize import Summarizer, Utterance  # noqa: E402


class CachedEncoder:
    def __init__(self, encoder) -> None:
        self.encoder = encoder
        self.cache: dict[str, np.ndarray] = {}

    def encode(self, sentences):
        missing = [s for s in sentences if s not in self.cache]
        if missing:
            for s, v in zip(missing, self.encoder.encode(missing), strict=True):
                self.cache[s] = v
        return np.array([self.cache[s] for s in sentences])


def main() -> None:
    videos = load(DATA / "train.json") + load(DATA / "dev.json")
    idf = library_idf_of(load(DATA / "train.json"))  # the "library" the app would have
    scorer = rouge_scorer.RougeScorer(["rouge1", "rougeL"], use_stemmer=True)
    encoder = CachedEncoder(load_sentence_encoder())
    results = []
    for title_w, lead_w, info_w, lam in itertools.product(
        (0.5, 1.0), (0.1, 0.2, 0.4), (0.0, 0.1, 0.2, 0.3), (0.7, 0.9)
    ):
        summarizer = Summarizer(
            encoder, title_weight=title_w, lead_weight=lead_w, info_weight=info_w, lam=lam, idf=idf
        )
        scores = []
        for video in videos:
            utterances = [Utterance(s["begin"], s["end"], s["sent"]) for s in video["sentences"]]
            summary = " ".join(u.text for u in summarizer.pick(utterances, K, video["title"]))
            r = scorer.score(video["desc"], summary)
            scores.append((r["rouge1"].fmeasure + r["rougeL"].fmeasure) / 2)
        results.append((float(np.mean(scores)), title_w, lead_w, info_w, lam))
    results.sort(reverse=True)
    for row in results[:5]:
        print(
            "mean R1/RL {:.4f}  title {:.1f}  lead {:.1f}  words {:.1f}  lambda {:.1f}".format(*row)
        )
    print(f"lead-3 on the same videos: {np.mean(list(load_lead(videos, scorer))):.4f}")


def load_lead(videos, scorer):
    for video in videos:
        r = scorer.score(video["desc"], " ".join(s["sent"] for s in video["sentences"][:K]))
        yield (r["rouge1"].fmeasure + r["rougeL"].fmeasure) / 2


if __name__ == "__main__":
    main()
