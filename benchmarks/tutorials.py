"""Tutorial recommendation on PsTuts: which tutorial was a learner's question asked in?

The catalog is all 76 PsTuts tutorials (title, description, transcript, software
Photoshop); the queries are the test tutorials' learner questions; the right answer is the
tutorial the question was asked in. Recall@1, recall@5 and MRR for BM25 alone, embeddings
alone, and the full recommender (BM25 + embeddings + the tool ontology).

    .venv/bin/python benchmarks/tutorials.py [--data ../shared/data/pstuts]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from nlp.tutorials import Recommender, Tutorial  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "pstuts"


def _literal(text):
    """The dataset stores Python literals (with nan); read them without running code."""
    import ast
    import re

    if not isinstance(text, str):
        return text
    return ast.literal_eval(re.sub(r"\bnan\b", "None", text))


def load(data: Path):
    catalog, questions = [], []
    for split in ("train", "dev", "test"):
        for video in json.loads((data / f"{split}.json").read_text()):
            sentences = _literal(video["transcripts"])
            catalog.append(
                Tutorial(
                    title=video["title"],
                    url=video["url"],
                    description=video["desc"],
                    software="Photoshop",
                    transcript=" ".join(s["sent"] for s in sentences),
                )
            )
            if split == "test":
                for qa in _literal(video["qa"]):
                    questions.append((qa["q"], len(catalog) - 1))
    return catalog, questions


def evaluate(recommender: Recommender, questions) -> tuple[float, float, float]:
    ranks = []
    for question, answer in questions:
        scores, _s, _t = recommender.scores(question)
        order = np.argsort(-scores)
        ranks.append(int(np.where(order == answer)[0][0]) + 1)
    ranks = np.array(ranks)
    return float((ranks == 1).mean()), float((ranks <= 5).mean()), float((1 / ranks).mean())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    if not (args.data / "test.json").is_file():
        print(f"No PsTuts data at {args.data}; pass --data.", file=sys.stderr)
        return 2
    catalog, questions = load(args.data)
    started = time.perf_counter()
    full = Recommender(catalog)
    systems = {
        "BM25 alone": Recommender(catalog, use_embeddings=False, use_ontology=False),
        "embeddings alone": Recommender(
            catalog, encoder=full.encoder, use_bm25=False, use_ontology=False
        ),
        "full (BM25 + embeddings + ontology)": full,
    }
    print(f"PsTuts: catalog of {len(catalog)} tutorials; {len(questions)} test questions\n")
    print("| system | recall@1 | recall@5 | MRR |")
    print("|---|---|---|---|")
    for name, recommender in systems.items():
        r1, r5, mrr = evaluate(recommender, questions)
        print(f"| {name} | {r1:.3f} | {r5:.3f} | {mrr:.3f} |")
    print(f"\n{time.perf_counter() - started:.1f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
