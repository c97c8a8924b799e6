"""The chat moderation model on fixed examples, context effects, and its persistence."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.errors import ModelUnavailable
from nlp.moderation import (
    MIN_CONTEXT,
    ChannelContextTracker,
    ChatContext,
    ModerationModel,
    featurize,
    load_moderation_model,
)

CHANNEL_CHATTER = [
    "nice",
    "lol",
    "KEKW",
    "what is that",
    "haha",
    "so good",
    "PogChamp",
    "wow",
    "lmao",
    "yes",
    "no way",
    "true",
    "gg",
    "omg",
    "LUL",
    "hi",
    "hello",
    "pog",
    "wait what",
    "nice",
]


def busy_channel(**values) -> ChatContext:
    previous = tuple((f"viewer{i}", text) for i, text in enumerate(CHANNEL_CHATTER))
    return ChatContext(
        previous=previous,
        title="chill stream",
        category="Just Chatting",
        streamer="artist",
        **values,
    )


@pytest.fixture(scope="module")
def moderator():
    return load_moderation_model()


@pytest.mark.parametrize("context", [None, "busy"])
def test_ordinary_chat_is_not_flagged(moderator, context):
    messages = ["gg that was a great round", "what brush are you using?", "nice one", "PogChamp"]
    contexts = [busy_channel() if context else None] * len(messages)
    verdicts = moderator.predict(messages, contexts)
    assert [v.violation for v in verdicts] == [False] * 4, [v.score for v in verdicts]


@pytest.mark.parametrize("context", [None, "busy"])
def test_abuse_and_advertising_are_flagged_with_their_category(moderator, context):
    cases = {
        "you are a worthless idiot, nobody likes you": "HIB",
        "kill yourself loser": "HIB",
        "follow my channel twitch.tv/spammer123 for free giveaways": "Advertisements",
        "Buy cheap followers and viewers at www.bigfollows.com": "Advertisements",
    }
    contexts = [busy_channel() if context else None] * len(cases)
    verdicts = moderator.predict(list(cases), contexts)
    for (message, category), verdict in zip(cases.items(), verdicts, strict=True):
        assert verdict.violation, (message, verdict.score)
        assert verdict.category == category, (message, verdict.category)


def test_repeating_a_message_makes_it_spam(moderator):
    spam = "FREE followers here come check it out"
    once = moderator.predict([spam], [busy_channel()])[0]
    again = moderator.predict([spam], [busy_channel(author_history=(spam, spam))])[0]
    assert not once.violation or once.category != "Excessive & Repetitive"
    assert again.violation and again.category == "Excessive & Repetitive"
    assert again.score > once.score


def test_the_context_changes_the_score(moderator):
    message = "you are a worthless idiot, nobody likes you"
    alone = moderator.predict([message], [None])[0].score
    in_context = moderator.predict([message], [busy_channel()])[0].score
    assert alone != pytest.approx(in_context)


def test_little_context_uses_the_message_only_model(moderator):
    short = ChatContext(previous=(("a", "hi"),) * (MIN_CONTEXT - 1))
    message = "kill yourself loser"
    assert moderator.predict([message], [short])[0].score == pytest.approx(
        moderator.alone.predict([message])[0].score
    )


def test_tracker_gives_each_message_what_came_before():
    tracker = ChannelContextTracker(title="t", streamer="s")
    contexts = tracker.contexts_for_batch([("ann", "one"), ("bob", "two"), ("Ann", "three")])
    assert contexts[0].previous == () and contexts[1].previous == (("ann", "one"),)
    assert contexts[2].author_history == ("one",)  # authors compare case-insensitively
    assert tracker.context_for("bob").author_history == ("two",)


def test_featurize_shape_and_batches_match_single_rows():
    messages = ["hello there", "BUY NOW www.x.com"]
    contexts = [None, busy_channel()]
    both = featurize(messages, contexts).toarray()
    one = featurize(messages[1:], contexts[1:]).toarray()
    assert np.allclose(both[1], one[0])


def test_missing_or_foreign_weights_are_a_clear_error(tmp_path):
    with pytest.raises(ModelUnavailable, match="Cannot load"):
        ModerationModel.load(tmp_path / "missing.npz")
    bad = tmp_path / "bad.npz"
    np.savez(bad, n_features=np.array([12]))
    with pytest.raises(ModelUnavailable, match="other features"):
        ModerationModel.load(bad)
