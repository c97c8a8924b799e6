"""The moderation model: a stacked violation score, a category and, for HIB, its target.

Violation: a linear model over the message's features, one over the context words and one
over what the message and its context mean (MiniLM sentence vectors, `meaning`) give three
scores, and gradient-boosted trees (scikit-learn's `HistGradientBoostingClassifier`, called
through its own `predict_proba`) combine them with the hand-made signals and the meaning
cosines. Category and HIB target: linear heads over the same features and the vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from threadpoolctl import ThreadpoolController

from nlp.moderation.context import ChatContext
from nlp.moderation.features import dense_signals, featurize
from nlp.moderation.meaning import DIMENSIONS, MEANING_NAMES, meaning

if TYPE_CHECKING:  # scikit-learn's ensembles take a second to import: only when a model loads
    from sklearn.ensemble import HistGradientBoostingClassifier


@dataclass(frozen=True)
class Verdict:
    violation: bool
    score: float  # probability-like, 0..1
    category: str | None  # the most likely NormVio category
    category_score: float
    target: str | None  # for HIB: Broadcaster, Others in broadcast, Others outside of broadcast
    scores: dict[str, float] = field(default_factory=dict)  # all categories


# A message's meaning is encoded when its violation score reaches this share of the
# threshold: a violation's category and target read it, and a per-channel threshold a
# little lower than the one asked for still finds it encoded.
CATEGORY_MARGIN = 0.5


@dataclass
class LinearHead:
    """A linear classifier stored sparsely: weights (classes x features) + intercepts, and
    optionally dense weights (classes x width) over the meaning vectors (`Meaning.block`).

    `scale` is set when the sparse weights are int8 multiples of it (see
    `persistence.quantize`), the form in which they are saved.
    """

    classes: list[str]
    weights: sp.csr_matrix
    intercept: np.ndarray
    scale: float | None = None
    dense: np.ndarray | None = None  # float32 (classes x 384 or 768)

    def decision(self, features: sp.csr_matrix, meaning: Meaning | None = None) -> np.ndarray:
        out = np.asarray((features @ self.weights.T).todense()) + self.intercept
        if self.dense is not None:
            if meaning is None:
                raise ValueError("this head reads the meaning vectors: pass them")
            out = out + meaning.block(self.dense.shape[1]) @ self.dense.T
        return out


@dataclass
class Meaning:
    """What the messages mean: their MiniLM vectors, their contexts' and the cosines."""

    own: np.ndarray  # [n, 384]
    around: np.ndarray  # [n, 384], zeros without context
    signals: np.ndarray  # [n, 3], `meaning.MEANING_NAMES`

    def block(self, width: int) -> np.ndarray:
        """The message's vector, and its context's after it when `width` is twice 384."""
        if width == self.own.shape[1]:
            return self.own
        return np.hstack([self.own, self.around])

    @classmethod
    def of(cls, messages, contexts) -> Meaning:
        return cls(*meaning(messages, contexts))


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def stack_features(
    features: sp.csr_matrix,
    text: LinearHead,
    context: LinearHead | None,
    dense: np.ndarray,
    meaning_head: LinearHead | None = None,
    meaning: Meaning | None = None,
) -> np.ndarray:
    """What the trees see: the text model's score, the context-words model's score, the
    meaning model's score, the message and context signals, and (with context) the meaning
    cosines."""
    columns = [text.decision(features)[:, :1]]
    if context is not None:
        columns.append(context.decision(features)[:, :1])
    if meaning_head is not None:
        columns.append(meaning_head.decision(features, meaning)[:, :1])
    columns.append(dense)
    if meaning_head is not None and context is not None:
        columns.append(meaning.signals)
    return np.hstack(columns)


@lru_cache(maxsize=1)
def _thread_pools() -> ThreadpoolController:
    return ThreadpoolController()


def tree_probabilities(trees: HistGradientBoostingClassifier, stacked: np.ndarray) -> np.ndarray:
    """The trees' probability of a violation, on the calling thread only.

    scikit-learn spreads a prediction over all cores with OpenMP; for a few hundred chat
    messages that costs far more than it saves: on a busy 2-core machine, 100 trees took
    about 37 ms for one row with OpenMP's threads and 3 ms on one (256 rows: 1,900 against
    48,000 rows/s). The limit is the calling thread's own; other threads keep theirs.
    """
    with _thread_pools().limit(limits=1, user_api="openmp"):
        return trees.predict_proba(stacked)[:, 1]


class ModerationModel:
    """Violation: linear text, context-word and meaning scores + signals → boosted trees.
    Category and HIB target: linear heads (over the features and the meaning vectors)."""

    def __init__(
        self,
        text: LinearHead,
        context: LinearHead | None,
        trees: HistGradientBoostingClassifier,
        category: LinearHead,
        target: LinearHead,
        threshold: float,
        meaning: LinearHead | None = None,
    ) -> None:
        self.text = text
        self.context = context
        self.meaning = meaning
        self.trees = trees
        self.category = category
        self.target = target
        self.threshold = threshold

    @property
    def uses_context(self) -> bool:
        return self.context is not None

    @property
    def uses_meaning(self) -> bool:
        return any(
            h is not None and h.dense is not None
            for h in (self.meaning, self.category, self.target)
        )

    @property
    def reads_context_meaning(self) -> bool:
        """Whether a head reads the context's vector or the cosines (else only the message's
        vector is encoded)."""
        wide = any(
            h is not None and h.dense is not None and h.dense.shape[1] > DIMENSIONS
            for h in (self.meaning, self.category, self.target)
        )
        return wide or (self.meaning is not None and self.context is not None)

    def violation_scores(
        self, features: sp.csr_matrix, meaning: Meaning | None = None
    ) -> np.ndarray:
        dense = dense_signals(features, self.uses_context)
        stacked = stack_features(features, self.text, self.context, dense, self.meaning, meaning)
        return tree_probabilities(self.trees, stacked)

    def _meaning(self, messages, contexts) -> Meaning | None:
        """The vectors the heads read (the contexts' only where a head reads them)."""
        if not self.uses_meaning:
            return None
        return Meaning.of(
            messages, contexts if self.reads_context_meaning else [None] * len(messages)
        )

    def _meaning_where(self, wanted: np.ndarray, messages, contexts) -> Meaning | None:
        """The vectors of the `wanted` messages only, zeros elsewhere. Encoding is most of
        the cost of a verdict (MiniLM: ~150 short texts a second on two cores, against
        thousands for the n-gram heads), and only a violation's category and target are
        kept, so the messages far below the threshold are not encoded: their category
        comes from the n-gram part of the heads alone."""
        if not self.uses_meaning:
            return None
        rows = np.flatnonzero(wanted)
        n = len(messages)
        full = Meaning(
            np.zeros((n, DIMENSIONS), np.float32),
            np.zeros((n, DIMENSIONS), np.float32),
            np.zeros((n, len(MEANING_NAMES)), np.float32),
        )
        if len(rows):
            part = self._meaning([messages[i] for i in rows], [contexts[i] for i in rows])
            full.own[rows], full.around[rows], full.signals[rows] = (
                part.own,
                part.around,
                part.signals,
            )
        return full

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
        cut = self.threshold if threshold is None else threshold
        if self.meaning is not None:  # the violation score reads the vectors: every message
            vectors = self._meaning(messages, contexts)
            scores = self.violation_scores(features, vectors)
        else:
            scores = self.violation_scores(features)
            vectors = self._meaning_where(scores >= cut * CATEGORY_MARGIN, messages, contexts)
        category_p = softmax(self.category.decision(features, vectors))
        target_p = softmax(self.target.decision(features, vectors))
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
