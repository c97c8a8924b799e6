"""Extractive summaries on PsTuts test against LexRank (sumy) and lead-3, by ROUGE.

Each tutorial's description is a human summary of its transcript. Every system picks three
transcript sentences (the same length for all), scored by ROUGE-1/2/L F1 (rouge-score,
stemmed) and averaged over the test tutorials. Ours is run with and without the video's
title (a live stream has a title too).

    .venv/bin/python benchmarks/summaries.py [--data ../shared/data/pstuts]
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from rouge_score import rouge_scorer  # noqa: E402

from nlp.summarize import Summarizer, Utterance  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "pstuts"
K = 3


class _Words:
    """A word tokenizer for sumy that needs no NLTK data download."""

    def to_words(self, text: str) -> list[str]:
        return re.findall(r"[\w']+", text.lower())


def lexrank(sentences: list[str], k: int) -> list[str]:
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.summarizers.lex_rank import LexRankSummarizer

    tokenizer = _Words()
    document = ObjectDocumentModel([Paragraph([Sentence(s, tokenizer) for s in sentences])])
    picked = {str(s) for s in LexRankSummarizer()(document, k)}
    return [s for s in sentences if s in picked][:k]


def load(path: Path) -> list[dict]:
    videos = json.loads(path.read_text())
    for video in videos:
        transcript = video["transcripts"]
        video["sentences"] = (
            ast.literal_eval(transcript) if isinstance(transcript, str) else transcript
        )
    return videos


def library_idf_of(videos: list[dict]) -> tuple[dict[str, float], int]:
    """IDF over these videos' transcripts, each one document: what the app computes over the
    user's library (`app.keywords.library_idf`). Built from PsTuts *train* only."""
    from nlp.keywords import candidate_terms, idf_table

    return idf_table(candidate_terms(" ".join(s["sent"] for s in v["sentences"])) for v in videos)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    if not (args.data / "test.json").is_file():
        print(f"No PsTuts data at {args.data}; pass --data.", file=sys.stderr)
        return 2
    videos = load(args.data / "test.json")
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    summarizer = Summarizer(idf=library_idf_of(load(args.data / "train.json")))
    systems = {"lead-3": [], "LexRank (sumy)": [], "ours, no title": [], "ours, with title": []}
    started = time.perf_counter()
    for video in videos:
        sentences = [s["sent"] for s in video["sentences"]]
        utterances = [Utterance(s["begin"], s["end"], s["sent"]) for s in video["sentences"]]
        outputs = {
            "lead-3": sentences[:K],
            "LexRank (sumy)": lexrank(sentences, K),
            "ours, no title": [u.text for u in summarizer.pick(utterances, K)],
            "ours, with title": [u.text for u in summarizer.pick(utterances, K, video["title"])],
        }
        for name, summary in outputs.items():
            result = scorer.score(video["desc"], " ".join(summary))
            systems[name].append([result[m].fmeasure for m in ("rouge1", "rouge2", "rougeL")])
    seconds = time.perf_counter() - started
    print(f"PsTuts test: {len(videos)} tutorials; {K} sentences per summary; ROUGE F1 (stemmed)\n")
    print("| system | ROUGE-1 | ROUGE-2 | ROUGE-L |")
    print("|---|---|---|---|")
    for name, rows in systems.items():
        r1, r2, rl = np.mean(rows, axis=0)
        print(f"| {name} | {r1:.4f} | {r2:.4f} | {rl:.4f} |")
    print(f"\n{seconds:.1f} s for all systems on {len(videos)} videos")
    return 0


if __name__ == "__main__":
    sys.exit(main())
