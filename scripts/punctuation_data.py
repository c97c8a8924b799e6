"""Word/label sequences for punctuation and capitalization training and evaluation.

BehancePR (`../shared/data/behancepr/data/{train,dev,test}/*.conll`): lower-case livestream
transcripts, one `word<TAB>LABEL` per line, LABEL one of O, COMMA, PERIOD, QUESTION,
EXCLAMATION (no case information). WavePulse (`../shared/data/wavepulse/transcripts`):
Whisper's punctuated, cased radio transcripts, turned into the same word/label form plus a
case label per word (lower, Capitalised, UPPER).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

PUNCT_LABELS = ["O", "COMMA", "PERIOD", "QUESTION", "EXCLAMATION"]
CASE_LABELS = ["lower", "capital", "upper"]
_END = {
    ",": "COMMA",
    ";": "COMMA",
    ":": "COMMA",
    ".": "PERIOD",
    "?": "QUESTION",
    "!": "EXCLAMATION",
}
_ABBREVIATION = re.compile(r"^(?:[A-Za-z]\.){2,}$")
_STRIP = "\"'“”‘’()[]{}«»*_"


def read_behancepr(folder: Path) -> list[dict]:
    """One document per .conll file: {"words": [...], "punct": [...], "case": None}."""
    documents = []
    for path in sorted(Path(folder).glob("*.conll")):
        words, labels = [], []
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.strip().split("\t")
            if len(parts) != 2 or parts[1] not in PUNCT_LABELS:
                continue
            words.append(parts[0].lower())
            labels.append(parts[1])
        if words:
            documents.append({"words": words, "punct": labels, "case": None})
    return documents


def words_and_labels(text: str) -> tuple[list[str], list[str], list[str]]:
    """Lower-cased bare words, the punctuation after each, and each word's case."""
    tokens = text.split()
    words, punct, case = [], [], []
    for token in tokens:
        core = token.strip(_STRIP)
        label = "O"
        while core and core[-1] in _END:
            if _ABBREVIATION.match(core):  # U.S. keeps its dots and ends no sentence
                break
            label = _END[core[-1]] if label == "O" else label
            core = core[:-1].rstrip(_STRIP)
        core = core.strip(_STRIP)
        if not core or not any(ch.isalnum() for ch in core):
            if words and label != "O":
                punct[-1] = label
            continue
        letters = [c for c in core if c.isalpha()]
        if len(letters) > 1 and all(c.isupper() for c in letters):
            kind = "upper"
        elif letters and core[0].isupper():
            kind = "capital"
        else:
            kind = "lower"
        words.append(core.lower())
        punct.append(label)
        case.append(kind)
    return words, punct, case


def read_wavepulse(folder: Path) -> list[dict]:
    documents = []
    for path in sorted(Path(folder).glob("*.json")):
        segments = json.loads(path.read_text(encoding="utf-8"))
        text = " ".join(s.get("text", "") for s in segments)
        words, punct, case = words_and_labels(text)
        if words:
            documents.append({"words": words, "punct": punct, "case": case})
    return documents


def main() -> None:
    """Write the compact, gzipped training files the GPU run carries."""
    import gzip
    import sys

    root = Path(__file__).resolve().parent.parent
    data = root.parent / "shared" / "data"
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else root / ".carry" / "data"
    out.mkdir(parents=True, exist_ok=True)
    sets = {
        "behance_train": read_behancepr(data / "behancepr" / "data" / "train"),
        "behance_dev": read_behancepr(data / "behancepr" / "data" / "dev"),
        "behance_test": read_behancepr(data / "behancepr" / "data" / "test"),
        "wavepulse": read_wavepulse(data / "wavepulse" / "transcripts"),
    }
    for name, documents in sets.items():
        with gzip.open(out / f"{name}.jsonl.gz", "wt", encoding="utf-8") as handle:
            for document in documents:
                handle.write(json.dumps(document) + "\n")
        print(name, len(documents), sum(len(d["words"]) for d in documents))


if __name__ == "__main__":
    main()
