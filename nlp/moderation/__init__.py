"""Chat norm-violation detection with context, as human moderators judge (NormVio).

For each message: is it a violation (a probability), which NormVio category, and for
`HIB` (harassment, insults, bullying) whom it targets. Moderators look beyond the
message: what the channel was saying, what this author said before (repetition is a
violation of its own), who the streamer is and what is being streamed.

One job per module:
- `context`: what a moderator sees besides the message (`ChatContext`) and a channel's
  rolling context (`ChannelContextTracker`);
- `features`: a message and its context as one sparse feature row;
- `meaning`: what the message and its context mean (MiniLM sentence vectors, each text
  encoded once);
- `model`: the stacked violation score (linear scores + signals → boosted trees) and the
  category and target heads (`ModerationModel`, `Verdict`);
- `persistence`: saving and loading a model (skops, no pickle);
- `policy`: what the app runs (`Moderator`): the message-only model where there is little
  context, and the repetition rule on top.

Weights: `resources/models/moderation.skops` and `moderation_nocontext.skops`, trained by
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
from nlp.moderation.meaning import MeaningEncoder, load_meaning_encoder
from nlp.moderation.model import LinearHead, Meaning, ModerationModel, Verdict
from nlp.moderation.persistence import DEFAULT_WEIGHTS, load_model, save_model
from nlp.moderation.policy import (
    MIN_CONTEXT,
    REPETITIVE,
    Moderator,
    load_moderation_model,
    message_only_path,
)

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
    "Meaning",
    "MeaningEncoder",
    "ModerationModel",
    "Moderator",
    "Verdict",
    "featurize",
    "load_meaning_encoder",
    "load_model",
    "load_moderation_model",
    "message_only_path",
    "save_model",
]
