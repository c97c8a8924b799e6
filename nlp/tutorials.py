"""Tutorial recommendation for what the streamer is doing: retrieval plus a tool ontology.

The recent transcript is the query. BM25 and MiniLM embeddings score every tutorial in the
catalog; the ontology of software and their tools finds which software and tools the text
mentions. A tutorial for other software than the one mentioned is dropped (a Photoshop
stream is not sent to a Blender tutorial), and tutorials about the tools actually mentioned
are boosted. `StickyRecommender` keeps its picks steady across neighbouring windows.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nlp.types import split_sentences

RESOURCES = Path(__file__).resolve().parent.parent / "resources" / "tutorials"
DEFAULT_CATALOG = RESOURCES / "catalog.json"
DEFAULT_ONTOLOGY = RESOURCES / "ontology.json"
_WORD = re.compile(r"[a-z0-9]+")
BM25_WEIGHT = 0.5
EMBEDDING_WEIGHT = 0.5
TOOL_WEIGHT = 0.3
STICKY_BONUS = 0.1
_STOP = {
    "the",
    "a",
    "an",
    "and",
    "or",
    "to",
    "of",
    "in",
    "on",
    "for",
    "with",
    "is",
    "are",
    "it",
    "this",
    "that",
    "you",
    "i",
    "we",
    "how",
    "what",
    "can",
    "do",
    "did",
    "he",
    "she",
    "was",
    "be",
    "at",
    "by",
    "as",
    "so",
    "if",
    "your",
    "my",
    "me",
    "from",
    "into",
    "then",
    "now",
}


class CatalogError(ValueError):
    """A catalog file that cannot be used; the message says what is wrong where."""


@dataclass(frozen=True)
class Tutorial:
    title: str
    url: str
    description: str = ""
    software: str = ""
    tools: tuple[str, ...] = ()
    transcript: str = ""

    @property
    def document(self) -> str:
        return " ".join(
            [self.title, self.title, self.description, " ".join(self.tools), self.transcript]
        )


@dataclass(frozen=True)
class Recommendation:
    tutorial: Tutorial
    score: float
    matched_tools: tuple[str, ...] = ()


@dataclass
class Ontology:
    """software -> aliases, and tool -> (software, aliases); aliases are stored as the
    words they match (lower case, no punctuation: "hue/saturation" is "hue saturation")."""

    software: dict[str, list[str]] = field(default_factory=dict)
    tools: dict[str, list[tuple[str, list[str]]]] = field(default_factory=dict)
    # Aliases everyday talk uses ("text", "history", "ai"): they steer recommendations but
    # never alone make a stream creative (`scripts/ontology_generic_aliases.py`).
    generic: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, path: Path = DEFAULT_ONTOLOGY) -> Ontology:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        ontology = cls(generic={_norm(a) for a in data.get("_generic", [])})
        for name, entry in data.items():
            if name.startswith("_"):
                continue
            ontology.software[name] = [_norm(a) for a in entry.get("aliases", [name])]
            ontology.tools[name] = [
                (t[0], [_norm(a) for a in t[1:]] or [_norm(t[0])]) for t in entry.get("tools", [])
            ]
        return ontology

    def mentions(self, text: str) -> tuple[set[str], set[tuple[str, str]]]:
        """Software and (software, tool) pairs the text names (whole words and phrases)."""
        padded = f" {' '.join(words_of(text))} "
        software = {
            name
            for name, aliases in self.software.items()
            if any(f" {a} " in padded for a in aliases)
        }
        tools = set()
        for name, entries in self.tools.items():
            for tool, aliases in entries:
                if any(f" {a} " in padded for a in aliases):
                    tools.add((name, tool))
        return software, tools

    def evidence(self, text: str) -> tuple[int, float, int]:
        """Signs of creative work that ordinary talk does not give: mentions of a program
        by a specific name, tool mentions per 1,000 words and distinct tools named —
        counting specific aliases only (never the `generic` ones)."""
        words = words_of(text)
        padded = f" {' '.join(words)} "
        software = sum(
            padded.count(f" {a} ")
            for aliases in self.software.values()
            for a in aliases
            if a not in self.generic
        )
        mentions, distinct = 0, set()
        for name, entries in self.tools.items():
            for tool, aliases in entries:
                count = sum(padded.count(f" {a} ") for a in aliases if a not in self.generic)
                if count:
                    mentions += count
                    distinct.add((name, tool))
        return software, 1000 * mentions / max(1, len(words)), len(distinct)


def words_of(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("/", " "))


def _norm(text: str) -> str:
    return " ".join(words_of(text))


def _tokens(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP]


CREATIVE_MIN_SOFTWARE = 2  # "photoshop" said once can be news about a doctored photo
CREATIVE_MIN_DENSITY = 8.0  # specific tool mentions per 1,000 words (talk radio: ≤ 2.5)
CREATIVE_MIN_TOOLS = 3


def names_creative_work(ontology: Ontology, text: str) -> bool:
    """Whether a transcript is about creative software: it names a program twice, or keeps
    naming tools (8 mentions per 1,000 words) while naming the program or three distinct
    tools. Words everyday talk also uses ("text", "history", "layers", "AI") never count:
    this gate fires for 0 of the 100 WavePulse radio transcripts (0 of the 50 held out when
    the everyday words were chosen) and for 76 of the 76 PsTuts tutorials."""
    software, density, tools = ontology.evidence(text)
    return software >= CREATIVE_MIN_SOFTWARE or (
        density >= CREATIVE_MIN_DENSITY and (software >= 1 or tools >= CREATIVE_MIN_TOOLS)
    )


class BM25:
    def __init__(self, documents: Sequence[str], k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.docs = [Counter(_tokens(d)) for d in documents]
        self.lengths = np.array([sum(d.values()) for d in self.docs], dtype=float)
        self.avg = float(self.lengths.mean()) if len(self.docs) else 1.0
        df = Counter(t for d in self.docs for t in d)
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}

    def scores(self, query: str) -> np.ndarray:
        out = np.zeros(len(self.docs))
        for term in set(_tokens(query)):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for i, doc in enumerate(self.docs):
                tf = doc.get(term)
                if tf:
                    norm = self.k1 * (1 - self.b + self.b * self.lengths[i] / self.avg)
                    out[i] += idf * tf * (self.k1 + 1) / (tf + norm)
        return out


def load_catalog(path: Path = DEFAULT_CATALOG) -> list[Tutorial]:
    """Tutorials from JSON (a list of objects) or CSV (a header row); a CatalogError in words
    for anything malformed — nothing is half-loaded."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(
            f"Cannot read {path}: {getattr(exc, 'strerror', None) or exc}."
        ) from None
    if path.suffix.lower() == ".csv":
        import csv
        import io

        rows = list(csv.DictReader(io.StringIO(text)))
    else:
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CatalogError(f"{path.name} is not valid JSON (line {exc.lineno}).") from None
    if not isinstance(rows, list) or not rows:
        raise CatalogError(f"{path.name} should hold a non-empty list of tutorials.")
    tutorials = []
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise CatalogError(f"{path.name}: entry {number} is not an object.")
        title, url = str(row.get("title") or "").strip(), str(row.get("url") or "").strip()
        if not title or not url.startswith(("http://", "https://")):
            raise CatalogError(f"{path.name}: entry {number} needs a title and an http(s) url.")
        tools = row.get("tools") or ()
        if isinstance(tools, str):
            tools = [t.strip() for t in re.split(r"[;|,]", tools) if t.strip()]
        tutorials.append(
            Tutorial(
                title=title,
                url=url,
                description=str(row.get("description") or ""),
                software=str(row.get("software") or ""),
                tools=tuple(str(t) for t in tools),
                transcript=str(row.get("transcript") or ""),
            )
        )
    return tutorials


class Recommender:
    def __init__(
        self,
        catalog: Sequence[Tutorial],
        ontology: Ontology | None = None,
        encoder=None,
        *,
        use_bm25: bool = True,
        use_embeddings: bool = True,
        use_ontology: bool = True,
    ) -> None:
        self.catalog = list(catalog)
        self.ontology = ontology or Ontology.load()
        self.use_bm25, self.use_embeddings, self.use_ontology = (
            use_bm25,
            use_embeddings,
            use_ontology,
        )
        self.bm25 = BM25([t.document for t in self.catalog])
        self.encoder = encoder
        if use_embeddings and self.encoder is None:
            from nlp.embeddings import load_sentence_encoder

            self.encoder = load_sentence_encoder()
        self._chunks: list[np.ndarray] = []
        if use_embeddings:
            for tutorial in self.catalog:
                self._chunks.append(self.encoder.encode(_chunks(tutorial)))
        self._tools = [
            {(t.software, tool) for tool in t.tools} | self._mentioned_tools(t)
            for t in self.catalog
        ]

    def _mentioned_tools(self, tutorial: Tutorial) -> set[tuple[str, str]]:
        if not tutorial.transcript:
            return set()
        _software, tools = self.ontology.mentions(tutorial.transcript)
        return {(s, t) for s, t in tools if not tutorial.software or s == tutorial.software}

    def scores(self, text: str) -> tuple[np.ndarray, set[str], set[tuple[str, str]]]:
        total = np.zeros(len(self.catalog))
        if self.use_bm25:
            bm25 = self.bm25.scores(text)
            total += BM25_WEIGHT * (bm25 / bm25.max() if bm25.max() > 0 else bm25)
        if self.use_embeddings:
            query = self.encoder.encode([text])[0]
            total += EMBEDDING_WEIGHT * np.array([float((c @ query).max()) for c in self._chunks])
        software, tools = self.ontology.mentions(text) if self.use_ontology else (set(), set())
        if self.use_ontology:
            for i, tutorial in enumerate(self.catalog):
                if software and tutorial.software and tutorial.software not in software:
                    total[i] = -np.inf  # another program than the one on screen
                    continue
                if tools:
                    overlap = len(self._tools[i] & tools)
                    total[i] += TOOL_WEIGHT * overlap / len(tools)
        return total, software, tools

    def recommend(self, text: str, k: int = 5) -> list[Recommendation]:
        total, _software, tools = self.scores(text)
        order = [i for i in np.argsort(-total) if np.isfinite(total[i])][:k]
        return [
            Recommendation(
                self.catalog[i],
                round(float(total[i]), 4),
                tuple(sorted(t for _s, t in self._tools[i] & tools)),
            )
            for i in order
        ]


class StickyRecommender:
    """Window after window, tutorials already shown get a bonus, so the list changes when
    the stream moves on, not at every sentence."""

    def __init__(self, recommender: Recommender, k: int = 5, bonus: float = STICKY_BONUS) -> None:
        self.recommender = recommender
        self.k = k
        self.bonus = bonus
        self.current: list[int] = []

    def update(self, text: str) -> list[Recommendation]:
        total, _software, tools = self.recommender.scores(text)
        for i in self.current:
            if np.isfinite(total[i]):
                total[i] += self.bonus
        order = [i for i in np.argsort(-total) if np.isfinite(total[i])][: self.k]
        self.current = order
        catalog, tool_sets = self.recommender.catalog, self.recommender._tools
        return [
            Recommendation(
                catalog[i],
                round(float(total[i]), 4),
                tuple(sorted(t for _s, t in tool_sets[i] & tools)),
            )
            for i in order
        ]


def _chunks(tutorial: Tutorial, size: int = 3) -> list[str]:
    """Title + description, and the transcript in groups of `size` sentences."""
    pieces = [f"{tutorial.title}. {tutorial.description}".strip()]
    sentences = split_sentences(tutorial.transcript)
    pieces += [" ".join(sentences[i : i + size]) for i in range(0, len(sentences), size)]
    return pieces
