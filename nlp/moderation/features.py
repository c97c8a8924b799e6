"""One sparse row per chat message: what the moderation models see.

Columns, in order: hashed word 1–2-grams and character 2–4-grams of the message, the
hand-made signals (`DENSE_NAMES`: first those of the message alone, then those of its
context) and hashed words of the last five channel messages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from nlp.moderation.context import AUTHOR_MESSAGES, CONTEXT_MESSAGES, ChatContext

N_WORD = 2**17
N_CHAR = 2**17
N_CONTEXT = 2**15
_URL = re.compile(r"(https?://|www\.|\b[\w-]+\.(com|tv|gg|net|org|io|ly|me|xyz|ru)\b)", re.I)
_MENTION = re.compile(r"@(\w+)")
_RUN = re.compile(r"(.)\1{3,}")
_WORD = re.compile(r"\w+", re.UNICODE)
RECENT_FOR_WORDS = 5  # channel messages whose words become features
RECENT_FOR_SIMILARITY = 10  # channel messages compared with this one

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
N_FEATURES = N_WORD + N_CHAR + N_DENSE + N_CONTEXT
DENSE_START = N_WORD + N_CHAR
TEXT_COLUMNS = DENSE_START + MESSAGE_DENSE  # word + char n-grams + message signals
CONTEXT_WORD_COLUMNS = (DENSE_START + N_DENSE, N_FEATURES)


def trigrams(text: str) -> set[str]:
    """The character trigrams of a message, case and spacing ignored."""
    text = " ".join(text.lower().split())
    return {text[i : i + 3] for i in range(max(1, len(text) - 2))}


def jaccard(a: set[str], b: set[str]) -> float:
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
    return row + _context_signals(message, words, mentions, context)


def _context_signals(
    message: str, words: list[str], mentions: list[str], context: ChatContext
) -> list[float]:
    mine = trigrams(message)
    history = list(context.author_history)[-AUTHOR_MESSAGES:]
    similarities = [jaccard(mine, trigrams(h)) for h in history]
    previous = list(context.previous)[-CONTEXT_MESSAGES:]
    others = [text for _author, text in previous]
    other_sims = [jaccard(mine, trigrams(t)) for t in others[-RECENT_FOR_SIMILARITY:]]
    chatters = {author.lower() for author, _ in previous}
    streamer = context.streamer.lower()
    title_words = set(_WORD.findall(context.title.lower()))
    return [
        math.log1p(len(history)) / 2,
        max(similarities, default=0.0),
        min(sum(h.strip() == message.strip() for h in history), 3) / 3,
        sum(t.strip() == message.strip() for t in others) / max(1, len(others)),
        max(other_sims, default=0.0),
        1.0 if streamer and streamer in mentions else 0.0,
        1.0 if any(m in chatters and m != streamer for m in mentions) else 0.0,
        1.0 if any(m not in chatters and m != streamer for m in mentions) else 0.0,
        len(title_words & set(words)) / max(1, len(set(words))) if title_words else 0.0,
        1.0 if _is_gaming(context) else 0.0,
        1.0 if streamer and streamer in message.lower() else 0.0,
    ]


def _is_gaming(context: ChatContext) -> bool:
    return bool(context.category) and context.category.lower() != "just chatting"


def _context_document(context: ChatContext | None) -> str:
    if context is None:
        return ""
    gaming = "gaming" if _is_gaming(context) else "talk"
    recent = " ".join(text for _a, text in list(context.previous)[-RECENT_FOR_WORDS:])
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


def dense_signals(features: sp.csr_matrix, use_context: bool) -> np.ndarray:
    """The hand-made signals of `featurize`'s rows as a dense array (the message's alone
    when the model does not use context)."""
    dense = features[:, DENSE_START : DENSE_START + N_DENSE].toarray()
    return dense if use_context else dense[:, :MESSAGE_DENSE]
