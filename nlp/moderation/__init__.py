"""Chat norm-violation detection with context, as human moderators judge (NormVio).

For each message: is it a violation (a probability), which NormVio category, and for
`HIB` (harassment, insults, bullying) whom it targets. Moderators look beyond the
message: what the channel was saying, what this author said before (repetition is a
violation of its own), who the streamer is and what is being streamed.

One job per module:
- `context`: what a moderator sees besides the message (`ChatContext`) and a channel's
  rolling context (`ChannelContextTracker`);
- `features`: a message and its context as one sparse feature row;
- `semantic`: what the message and its context mean, as MiniLM vectors (`MeaningEncoder`:
  MiniLM's token vectors, each text encoded once and reused while it is context);
- `model`: the stacked violation score (linear scores over the n-grams, the context words
  and the meaning vectors + signals → boosted trees) and the category and target heads
  (sparse features + the message's meaning vector) (`ModerationModel`, `Verdict`);
- `persistence`: saving and loading a model (skops, no pickle);
- `policy`: what the app runs (`Moderator`): the message-only model where there is little
  context, the repetition rule on top, and a violation said again stays one.

Weights: `resources/models/moderation.skops` and `moderation_nocontext.skops` (and the
token vectors both read, `moderation_tokens.npz`), trained by
`scripts/train_moderation.py` (see `resources/MODELS.md` for data, license and figures).
"""

from __future__ import annotations

from nlp.moderation.context import (
    AUTHOR_MESSAGES,
    CONTEXT_MESSAGES,
    ChannelContextTracker,
    ChatContext,
)
from nlp.moderation.features import N_FEATURES, featurize
from nlp.moderation.model import LinearHead, ModerationModel, Verdict
from nlp.moderation.persistence import DEFAULT_WEIGHTS, load_model, save_model
from nlp.moderation.policy import (
    MIN_CONTEXT,
    REPETITIVE,
    Moderator,
    load_moderation_model,
    message_only_path,
)
from nlp.moderation.semantic import MeaningEncoder, load_meaning_encoder, meaning_features

__all__ = [
    "AUTHOR_MESSAGES",
    "CONTEXT_MESSAGES",
    "DEFAULT_WEIGHTS",
    "MIN_CONTEXT",
    "N_FEATURES",
    "REPETITIVE",
    "ChannelContextTracker",
    "ChatContext",
    "LinearHead",
    "MeaningEncoder",
    "ModerationModel",
    "Moderator",
    "Verdict",
    "featurize",
    "load_meaning_encoder",
    "load_model",
    "load_moderation_model",
    "meaning_features",
    "message_only_path",
    "save_model",
]
