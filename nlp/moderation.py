"""Chat norm-violation detection with context, as human moderators judge (NormVio).

For each message: is it a violation (a probability), which NormVio category, and for
`HIB` (harassment, insults, bullying) whom it targets. Moderators look beyond the
message: what the channel was saying, what this author said before (repetition is a
violation of its own), who the streamer is and what is being streamed. The features
below encode exactly that; the model is three linear heads over hashed n-grams, so it
classifies thousands of messages per second on one core and its weights stay small.

Weights: `resources/models/moderation.npz`, trained by `scripts/train_moderation.py`
(see `resources/MODELS.md` for data, license and test figures).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from nlp.errors import ModelUnavailable

DEFAULT_WEIGHTS = Path(__file__).resolve().parent.parent / "resources" / "models" / "moderation.npz"
CONTEXT_MESSAGES = 20  # channel messages before this one that the model looks at
AUTHOR_MESSAGES = 10  # the author's own earlier messages it looks at
N_WORD = 2**17
N_CHAR = 2**17
N_CONTEXT = 2**15
_URL = re.compile(r"(https?://|www\.|\b[\w-]+\.(com|tv|gg|net|org|io|ly|me|xyz|ru)\b)", re.I)
_MENTION = re.compile(r"@(\w+)")
_RUN = re.compile(r"(.)\1{3,}")
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class ChatContext:
    """What a moderator sees besides the message. All optional: empty means unknown."""

    previous: Sequence[tuple[str, str]] = ()  # (author, message), oldest first
    author_history: Sequence[str] = ()  # this author's earlier messages, oldest first
    title: str = ""
    category: str = ""  # the stream's game/category, e.g. "Just Chatting"
    streamer: str = ""


@dataclass(frozen=True)
class Verdict:
    violation: bool
    score: float  # probability-like, 0..1
    category: str | None  # the most likely NormVio category
    category_score: float
    target: str | None  # for HIB: Broadcaster, Others in broadcast, Others outside of broadcast
    scores: dict[str, float] = field(default_factory=dict)  # all categories


# --- features ------------------------------------------------------------------------------

_word_vectorizer = HashingVectorizer(
    n_features=N_WORD,
    alternate_sign=False,
    ngram_range=(1, 2),
    lowercase=True,
    token_pattern=r"(?u)\b\w+\b|[^\w\s]{2,}",
    norm="l2",
)
_char_vectorizer = HashingVectorizer(
    n_features=N_CHAR,
    alternate_sign=False,
    analyzer="char_wb",
    ngram_range=(2, 4),
    lowercase=False,
    norm="l2",
)
_context_vectorizer = HashingVectorizer(
    n_features=N_CONTEXT,
    alternate_sign=False,
    lowercase=True,
    token_pattern=r"\S+",
    norm="l2",
)

DENSE_NAMES = [
    "length",
    "words",
    "caps",
    "foreign_letters",
    "url",
    "mentions",
    "char_run",
    "repeated_words",
    "digits",
    "question",
    "exclaim",
    "command",
    "emote_like",
    "profanity",  # alt-profanity-check's probability (a lexicon-trained offensive-language model)
    # context
    "author_messages",
    "author_max_similarity",
    "author_exact_repeats",
    "channel_same_message",
    "channel_max_similarity",
    "mentions_streamer",
    "mentions_chatter",
    "mentions_unknown",
    "title_overlap",
    "gaming_stream",
    "streamer_name_in_text",
]
N_DENSE = len(DENSE_NAMES)
MESSAGE_DENSE = DENSE_NAMES.index("profanity") + 1  # the first dense features: the message alone


def _trigrams(text: str) -> set[str]:
    text = " ".join(text.lower().split())
    return {text[i : i + 3] for i in range(max(1, len(text) - 2))}


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def dense_features(message: str, context: ChatContext | None) -> list[float]:
    """The hand-made signals (all but `profanity`, which `featurize` adds per batch)."""
    letters = [c for c in message if c.isalpha()]
    words = _WORD.findall(message.lower())
    n_letters = len(letters)
    caps = sum(c.isupper() for c in letters) / n_letters if n_letters >= 5 else 0.0
    foreign = sum(ord(c) > 0x24F for c in letters) / n_letters if n_letters else 0.0
    mentions = [m.lower() for m in _MENTION.findall(message)]
    row = [
        math.log1p(len(message)) / 5,
        math.log1p(len(words)) / 3,
        caps,
        foreign,
        1.0 if _URL.search(message) else 0.0,
        min(len(mentions), 3) / 3,
        1.0 if _RUN.search(message) else 0.0,
        1 - len(set(words)) / len(words) if len(words) > 1 else 0.0,
        sum(c.isdigit() for c in message) / max(1, len(message)),
        1.0 if "?" in message else 0.0,
        min(message.count("!"), 3) / 3,
        1.0 if message.startswith("!") else 0.0,
        1.0
        if words and all(any(ch.isupper() for ch in w[1:]) or w.isupper() for w in message.split())
        else 0.0,
    ]
    if context is None:
        return row + [0.0] * (N_DENSE - 1 - len(row))
    mine = _trigrams(message)
    history = list(context.author_history)[-AUTHOR_MESSAGES:]
    similarities = [_jaccard(mine, _trigrams(h)) for h in history]
    previous = list(context.previous)[-CONTEXT_MESSAGES:]
    others = [text for _author, text in previous]
    other_sims = [_jaccard(mine, _trigrams(t)) for t in others[-10:]]
    chatters = {author.lower() for author, _ in previous}
    streamer = context.streamer.lower()
    title_words = set(_WORD.findall(context.title.lower()))
    row += [
        math.log1p(len(history)) / 2,
        max(similarities, default=0.0),
        min(sum(h.strip() == message.strip() for h in history), 3) / 3,
        sum(t.strip() == message.strip() for t in others) / max(1, len(others)),
        max(other_sims, default=0.0),
        1.0 if streamer and streamer in mentions else 0.0,
        1.0 if any(m in chatters and m != streamer for m in mentions) else 0.0,
        1.0 if any(m not in chatters and m != streamer for m in mentions) else 0.0,
        len(title_words & set(words)) / max(1, len(set(words))) if title_words else 0.0,
        1.0 if context.category and context.category.lower() != "just chatting" else 0.0,
        1.0 if streamer and streamer in message.lower() else 0.0,
    ]
    return row


def _context_document(context: ChatContext | None) -> str:
    if context is None:
        return ""
    gaming = (
        "gaming" if context.category and context.category.lower() != "just chatting" else "talk"
    )
    recent = " ".join(text for _a, text in list(context.previous)[-5:])
    return f"__stream_{gaming} " + " ".join(f"c:{w}" for w in _WORD.findall(recent.lower()))


def profanity_scores(messages: Sequence[str]) -> np.ndarray:
    from profanity_check import predict_prob

    return np.asarray(predict_prob(list(messages)), dtype=np.float32)


def featurize(messages: Sequence[str], contexts: Sequence[ChatContext | None]) -> sp.csr_matrix:
    """One sparse row per message: word and char n-grams, dense signals, context words."""
    words = _word_vectorizer.transform(messages)
    chars = _char_vectorizer.transform(messages)
    rows = np.array(
        [dense_features(m, c) for m, c in zip(messages, contexts, strict=True)],
        dtype=np.float32,
    ).reshape(len(messages), N_DENSE - 1)
    profanity = profanity_scores(messages)[:, None]
    dense = sp.csr_matrix(
        np.hstack([rows[:, : MESSAGE_DENSE - 1], profanity, rows[:, MESSAGE_DENSE - 1 :]])
    )
    ctx = _context_vectorizer.transform([_context_document(c) for c in contexts])
    return sp.hstack([words, chars, dense, ctx], format="csr", dtype=np.float32)


N_FEATURES = N_WORD + N_CHAR + N_DENSE + N_CONTEXT


# --- the model -----------------------------------------------------------------------------

TEXT_COLUMNS = N_WORD + N_CHAR + MESSAGE_DENSE  # word + char n-grams + message signals
CONTEXT_WORD_COLUMNS = (N_WORD + N_CHAR + N_DENSE, N_FEATURES)


@dataclass
class LinearHead:
    """A linear classifier stored sparsely: weights (classes x features) + intercepts."""

    classes: list[str]
    weights: sp.csr_matrix
    intercept: np.ndarray

    def decision(self, features: sp.csr_matrix) -> np.ndarray:
        return np.asarray((features @ self.weights.T).todense()) + self.intercept


@dataclass
class TreeEnsemble:
    """Gradient-boosted trees (exported from scikit-learn) evaluated with numpy.

    All trees' nodes sit in flat arrays; every sample walks every tree at once.
    """

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    is_leaf: np.ndarray
    value: np.ndarray
    missing_left: np.ndarray
    roots: np.ndarray
    baseline: float
    depth: int

    def raw(self, x: np.ndarray) -> np.ndarray:
        nodes = np.broadcast_to(self.roots, (len(x), len(self.roots))).copy()
        rows = np.arange(len(x))[:, None]
        for _ in range(self.depth):
            leaf = self.is_leaf[nodes]
            if leaf.all():
                break
            values = x[rows, self.feature[nodes]]
            go_left = np.where(
                np.isnan(values), self.missing_left[nodes], values <= self.threshold[nodes]
            )
            nodes = np.where(leaf, nodes, np.where(go_left, self.left[nodes], self.right[nodes]))
        return self.baseline + self.value[nodes].sum(axis=1)

    @classmethod
    def from_sklearn(cls, model) -> TreeEnsemble:
        parts, roots, offset, depth = [], [], 0, 0
        for (predictor,) in model._predictors:
            nodes = predictor.nodes
            roots.append(offset)
            parts.append((nodes, offset))
            depth = max(depth, int(nodes["depth"].max()) + 1)
            offset += len(nodes)

        def field(name, dtype, shift=False):
            return np.concatenate([n[name].astype(dtype) + (o if shift else 0) for n, o in parts])

        return cls(
            feature=field("feature_idx", np.int32),
            threshold=field("num_threshold", np.float64),
            left=field("left", np.int32, shift=True),
            right=field("right", np.int32, shift=True),
            is_leaf=field("is_leaf", bool),
            value=field("value", np.float64),
            missing_left=field("missing_go_to_left", bool),
            roots=np.array(roots, dtype=np.int32),
            baseline=float(np.ravel(model._baseline_prediction)[0]),
            depth=depth,
        )


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def stack_features(
    features: sp.csr_matrix, text: LinearHead, context: LinearHead | None, dense: np.ndarray
) -> np.ndarray:
    """What the trees see: the text model's score, the context-words model's score, and the
    message and context signals."""
    columns = [text.decision(features)[:, :1]]
    if context is not None:
        columns.append(context.decision(features)[:, :1])
    return np.hstack([*columns, dense])


class ModerationModel:
    """Violation: linear text (and context-word) scores + signals → boosted trees.
    Category and HIB target: linear heads."""

    def __init__(
        self,
        text: LinearHead,
        context: LinearHead | None,
        trees: TreeEnsemble,
        category: LinearHead,
        target: LinearHead,
        threshold: float,
    ) -> None:
        self.text = text
        self.context = context
        self.trees = trees
        self.category = category
        self.target = target
        self.threshold = threshold

    @property
    def uses_context(self) -> bool:
        return self.context is not None

    def violation_scores(self, features: sp.csr_matrix, dense: np.ndarray) -> np.ndarray:
        stacked = stack_features(features, self.text, self.context, dense)
        return 1 / (1 + np.exp(-self.trees.raw(stacked)))

    def predict(
        self,
        messages: Sequence[str],
        contexts: Sequence[ChatContext | None] | None = None,
        threshold: float | None = None,
    ) -> list[Verdict]:
        if not messages:
            return []
        if contexts is None or not self.uses_context:
            contexts = [None] * len(messages)
        features = featurize(messages, contexts)
        dense = features[:, N_WORD + N_CHAR : N_WORD + N_CHAR + N_DENSE].toarray()
        if not self.uses_context:
            dense = dense[:, :MESSAGE_DENSE]
        scores = self.violation_scores(features, dense)
        category_p = _softmax(self.category.decision(features))
        target_p = _softmax(self.target.decision(features))
        cut = self.threshold if threshold is None else threshold
        verdicts = []
        for i in range(len(messages)):
            best = int(category_p[i].argmax())
            category = self.category.classes[best]
            target = self.target.classes[int(target_p[i].argmax())] if category == "HIB" else None
            verdicts.append(
                Verdict(
                    violation=bool(scores[i] >= cut),
                    score=float(scores[i]),
                    category=category,
                    category_score=float(category_p[i, best]),
                    target=target,
                    scores={
                        c: float(p)
                        for c, p in zip(self.category.classes, category_p[i], strict=True)
                    },
                )
            )
        return verdicts

    # --- persistence: int8-quantized sparse weights and tree arrays, no pickle ----------------

    def save(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = {
            "threshold": np.array([self.threshold]),
            "n_features": np.array([N_FEATURES]),
        }
        heads = {"text": self.text, "category": self.category, "target": self.target}
        if self.context is not None:
            heads["context"] = self.context
        for name, head in heads.items():
            weights = head.weights.tocoo()
            scale = float(np.abs(weights.data).max() / 127) if weights.nnz else 1.0
            arrays[f"{name}_rows"] = weights.row.astype(np.int16)
            arrays[f"{name}_cols"] = weights.col.astype(np.int32)
            arrays[f"{name}_values"] = np.round(weights.data / scale).astype(np.int8)
            arrays[f"{name}_scale"] = np.array([scale])
            arrays[f"{name}_intercept"] = head.intercept.astype(np.float32)
            arrays[f"{name}_classes"] = np.array(head.classes)
        for key in (
            "feature",
            "threshold",
            "left",
            "right",
            "is_leaf",
            "value",
            "missing_left",
            "roots",
        ):
            arrays[f"trees_{key}"] = getattr(self.trees, key)
        arrays["trees_meta"] = np.array([self.trees.baseline, self.trees.depth])
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: Path | str | None = None) -> ModerationModel:
        path = Path(path) if path else DEFAULT_WEIGHTS
        try:
            data = np.load(path, allow_pickle=False)
            if int(data["n_features"][0]) != N_FEATURES:
                raise ValueError("it was trained with other features; retrain it")
            heads = {
                name: _load_head(data, name)
                for name in ("text", "category", "target", "context")
                if f"{name}_classes" in data
            }
            trees = TreeEnsemble(
                **{
                    key: data[f"trees_{key}"]
                    for key in (
                        "feature",
                        "threshold",
                        "left",
                        "right",
                        "is_leaf",
                        "value",
                        "missing_left",
                        "roots",
                    )
                },
                baseline=float(data["trees_meta"][0]),
                depth=int(data["trees_meta"][1]),
            )
        except (OSError, ValueError, KeyError) as exc:
            raise ModelUnavailable(f"Cannot load the moderation model from {path}: {exc}") from None
        return cls(
            heads["text"],
            heads.get("context"),
            trees,
            heads["category"],
            heads["target"],
            float(data["threshold"][0]),
        )


def _load_head(data, name: str) -> LinearHead:
    classes = [str(c) for c in data[f"{name}_classes"]]
    rows = len(classes) if name in ("category", "target") else 1
    weights = sp.coo_matrix(
        (
            data[f"{name}_values"].astype(np.float32) * float(data[f"{name}_scale"][0]),
            (data[f"{name}_rows"].astype(np.int32), data[f"{name}_cols"]),
        ),
        shape=(rows, N_FEATURES),
    ).tocsr()
    return LinearHead(classes, weights, data[f"{name}_intercept"])


MIN_CONTEXT = 10  # fewer channel messages than this: judge the message alone
REPEAT_LIMIT = 3  # the same message this many times in a row from one author is spam
REPEAT_SIMILARITY = 0.8
REPETITIVE = "Excessive & Repetitive"


def repeats(message: str, history: Sequence[str]) -> int:
    """How many of the author's recent messages this one (nearly) repeats."""
    mine = _trigrams(message)
    return sum(_jaccard(mine, _trigrams(h)) >= REPEAT_SIMILARITY for h in history)


class Moderator:
    """The context model where there is enough context, the message-only model elsewhere.

    The context model learned from full chat windows; at the start of a stream, in a quiet
    channel or for a lone message there is too little context for it, and the message-only
    model (trained on the same data without context) judges instead.
    """

    def __init__(
        self,
        with_context: ModerationModel,
        alone: ModerationModel,
        repeat_limit: int = REPEAT_LIMIT,
    ) -> None:
        self.with_context = with_context
        self.alone = alone
        self.threshold = with_context.threshold
        self.repeat_limit = repeat_limit

    def predict(
        self,
        messages: Sequence[str],
        contexts: Sequence[ChatContext | None] | None = None,
        threshold: float | None = None,
    ) -> list[Verdict]:
        contexts = list(contexts) if contexts is not None else [None] * len(messages)
        rich = [
            i for i, c in enumerate(contexts) if c is not None and len(c.previous) >= MIN_CONTEXT
        ]
        poor = [i for i in range(len(messages)) if i not in set(rich)]
        verdicts: list[Verdict | None] = [None] * len(messages)
        # A user threshold applies to the context model; the other keeps its own calibration.
        shift = 0.0 if threshold is None else threshold - self.with_context.threshold
        for model, rows, cut in (
            (self.with_context, rich, threshold),
            (self.alone, poor, None if threshold is None else self.alone.threshold + shift),
        ):
            if rows:
                results = model.predict(
                    [messages[i] for i in rows], [contexts[i] for i in rows], cut
                )
                for i, verdict in zip(rows, results, strict=True):
                    verdicts[i] = verdict
        return [
            self._repetition_rule(messages[i], contexts[i], verdict)
            for i, verdict in enumerate(verdicts)
        ]

    def _repetition_rule(self, message: str, context, verdict: Verdict) -> Verdict:
        """A channel rule on top of the model: the same message posted `repeat_limit` times
        in a row is spam. (NormVio's windows show little of a moderated author's own
        repetition, so the model has not learned it; moderation bots apply exactly this.)"""
        if not self.repeat_limit or context is None or not context.author_history:
            return verdict
        recent = list(context.author_history)[-(self.repeat_limit - 1) :]
        if len(recent) < self.repeat_limit - 1 or repeats(message, recent) < len(recent):
            return verdict
        return Verdict(
            violation=True,
            score=max(verdict.score, 0.95),
            category=REPETITIVE,
            category_score=1.0,
            target=None,
            scores=verdict.scores,
        )


@lru_cache(maxsize=4)
def load_moderation_model(path: str | None = None) -> Moderator:
    """The shipped moderator (both models), or the model pair at `path` (the context model's
    file; the message-only one beside it as `*_nocontext.npz`)."""
    main = Path(path) if path else DEFAULT_WEIGHTS
    alone = main.with_name(main.stem + "_nocontext.npz")
    return Moderator(ModerationModel.load(main), ModerationModel.load(alone))


class ChannelContextTracker:
    """The rolling context of one channel: its last messages and each author's recent ones.

    Fed with every message in order; `context_for(author)` is what the model sees for the
    next message of that author.
    """

    def __init__(self, title: str = "", category: str = "", streamer: str = "") -> None:
        from collections import deque

        self.title = title
        self.category = category
        self.streamer = streamer
        self._recent: deque[tuple[str, str]] = deque(maxlen=CONTEXT_MESSAGES)
        self._authors: dict[str, deque[str]] = {}
        self._deque = deque

    def context_for(self, author: str) -> ChatContext:
        history = self._authors.get(author.lower())
        return ChatContext(
            previous=tuple(self._recent),
            author_history=tuple(history) if history else (),
            title=self.title,
            category=self.category,
            streamer=self.streamer,
        )

    def add(self, author: str, text: str) -> None:
        self._recent.append((author, text))
        key = author.lower()
        history = self._authors.get(key)
        if history is None:
            if len(self._authors) > 50_000:  # a long stream: forget the oldest authors
                self._authors.pop(next(iter(self._authors)))
            history = self._authors[key] = self._deque(maxlen=AUTHOR_MESSAGES)
        history.append(text)

    def contexts_for_batch(self, messages: Sequence[tuple[str, str]]) -> list[ChatContext]:
        """Contexts for consecutive (author, text) messages, adding each after its context."""
        contexts = []
        for author, text in messages:
            contexts.append(self.context_for(author))
            self.add(author, text)
        return contexts
