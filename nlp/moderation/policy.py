"""What the app runs: which model judges a message, and the channel rule on top of both."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from nlp.moderation.context import ChatContext
from nlp.moderation.features import jaccard, trigrams
from nlp.moderation.model import ModerationModel, Verdict
from nlp.moderation.persistence import DEFAULT_WEIGHTS, load_model

MIN_CONTEXT = 10  # fewer channel messages than this: judge the message alone
REPEAT_LIMIT = 3  # the same message this many times in a row from one author is spam
REPEAT_SIMILARITY = 0.8
REPEAT_SCORE = 0.95  # the least score a message caught by the repetition rule gets
REPETITIVE = "Excessive & Repetitive"
NO_CONTEXT_SUFFIX = "_nocontext"


def repeats(message: str, history: Sequence[str]) -> int:
    """How many of the author's recent messages this one (nearly) repeats."""
    mine = trigrams(message)
    return sum(jaccard(mine, trigrams(h)) >= REPEAT_SIMILARITY for h in history)


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
        min_context: int = MIN_CONTEXT,
    ) -> None:
        self.with_context = with_context
        self.alone = alone
        self.threshold = with_context.threshold
        self.repeat_limit = repeat_limit  # 0: no repetition rule
        self.min_context = min_context  # 0: the context model judges every message

    def predict(
        self,
        messages: Sequence[str],
        contexts: Sequence[ChatContext | None] | None = None,
        threshold: float | None = None,
    ) -> list[Verdict]:
        """Verdicts in the order of `messages`. A `threshold` (the user's, or a channel's)
        applies to the context model; the message-only model's own threshold moves by as
        much, since the two are calibrated differently."""
        contexts = list(contexts) if contexts is not None else [None] * len(messages)
        rich = [
            i
            for i, c in enumerate(contexts)
            if c is not None and len(c.previous) >= self.min_context
        ]
        rich_set = set(rich)
        poor = [i for i in range(len(messages)) if i not in rich_set]
        verdicts: list[Verdict | None] = [None] * len(messages)
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
        verdicts = self._said_again(messages, contexts, verdicts, threshold)
        return [
            self._repetition_rule(messages[i], contexts[i], verdict)
            for i, verdict in enumerate(verdicts)
        ]

    def _said_again(
        self,
        messages: Sequence[str],
        contexts: list[ChatContext | None],
        verdicts: list[Verdict | None],
        threshold: float | None,
    ) -> list[Verdict]:
        """A violation said again is still one: a message that repeats the author's last one
        gets the verdict it would have had said once, where that is a violation. (Trained on
        NormVio, the context model reads a line the chat already holds as chat echoing
        itself — right for a wave of many authors, wrong for one spammer saying it twice.)"""
        again = [
            i
            for i, c in enumerate(contexts)
            if c is not None
            and c.author_history
            and not verdicts[i].violation
            and repeats(messages[i], list(c.author_history)[-1:]) == 1
        ]
        if not again:
            return verdicts
        once = self.predict(
            [messages[i] for i in again],
            [said_once(messages[i], contexts[i]) for i in again],
            threshold,
        )
        out = list(verdicts)
        for i, verdict in zip(again, once, strict=True):
            if verdict.violation:
                out[i] = verdict
        return out

    def _repetition_rule(
        self, message: str, context: ChatContext | None, verdict: Verdict
    ) -> Verdict:
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
            score=max(verdict.score, REPEAT_SCORE),
            category=REPETITIVE,
            category_score=1.0,
            target=None,
            scores=verdict.scores,
        )


def said_once(message: str, context: ChatContext) -> ChatContext:
    """`context` as if the author had not said `message` before: their (near) copies of it
    left out of their history, and as many of those copies left out of the channel's."""
    mine = trigrams(message)
    copies = [h for h in context.author_history if jaccard(mine, trigrams(h)) >= REPEAT_SIMILARITY]
    history = tuple(h for h in context.author_history if h not in copies)
    previous = list(context.previous)
    for copy in copies:
        for j in range(len(previous) - 1, -1, -1):
            if previous[j][1] == copy:
                del previous[j]
                break
    return replace(context, author_history=history, previous=tuple(previous))


def message_only_path(path: Path) -> Path:
    """Where the message-only model of the context model at `path` lives."""
    return path.with_name(path.stem + NO_CONTEXT_SUFFIX + path.suffix)


@lru_cache(maxsize=4)
def load_moderation_model(path: str | None = None) -> Moderator:
    """The shipped moderator (both models), or the model pair at `path` (the context model's
    file; the message-only one beside it as `*_nocontext.skops`)."""
    main = Path(path) if path else DEFAULT_WEIGHTS
    return Moderator(load_model(main), load_model(message_only_path(main)))
