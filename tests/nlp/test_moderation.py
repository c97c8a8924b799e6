"""The chat moderation model on fixed examples, context effects, thresholds, and persistence."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import skops.io
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from nlp.errors import ModelUnavailable
from nlp.moderation import (
    MIN_CONTEXT,
    N_FEATURES,
    REPETITIVE,
    ChannelContextTracker,
    ChatContext,
    LinearHead,
    Meaning,
    ModerationModel,
    featurize,
    load_meaning_encoder,
    load_model,
    load_moderation_model,
    save_model,
)
from nlp.moderation.features import dense_signals
from nlp.moderation.model import CATEGORY_MARGIN, stack_features
from nlp.moderation.persistence import FORMAT, MODELS_DIR, quantize

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = MODELS_DIR / "moderation_reference.json"
CHALLENGE = Path(__file__).with_name("moderation_challenge.jsonl")
CHALLENGE_MIN_F1 = 0.65  # the shipped model: 0.656 (issue 17 asks for more)
# NormVio's moderators timed out "so boring" said at streamers, and the model learned it
GRIPES_FLAGGED = {"so boring"}

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


def busy_channel(chatter=CHANNEL_CHATTER, **values) -> ChatContext:
    previous = tuple((f"viewer{i}", text) for i, text in enumerate(chatter))
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
    assert not once.violation or once.category != REPETITIVE
    assert again.violation and again.category == REPETITIVE
    assert again.score > once.score


@pytest.mark.parametrize("message", ["you are trash", "kill yourself loser", "shut up"])
def test_the_context_changes_the_score(moderator, message):
    """Moderators act on the one who insults out of the blue, not on everybody when the whole
    chat is posting the same line; the context model, and only the context, learned that."""
    model = moderator.with_context
    out_of_the_blue = busy_channel()
    chat_wave = busy_channel(CHANNEL_CHATTER[:12] + [message] * 8)
    calm, wave = model.predict([message, message], [out_of_the_blue, chat_wave])
    assert wave.score < calm.score / 2, (calm.score, wave.score)


def test_the_context_can_turn_a_violation_into_ordinary_chat(moderator):
    message = "you are trash"
    model = moderator.with_context
    calm, wave = model.predict(
        [message] * 2, [busy_channel(), busy_channel(CHANNEL_CHATTER[:12] + [message] * 8)]
    )
    assert calm.violation and not wave.violation, (calm.score, wave.score)


def test_little_context_uses_the_message_only_model(moderator):
    short = ChatContext(previous=(("a", "hi"),) * (MIN_CONTEXT - 1))
    message = "kill yourself loser"
    assert moderator.predict([message], [short])[0].score == pytest.approx(
        moderator.alone.predict([message])[0].score
    )


@pytest.mark.parametrize("context", [None, "busy"], ids=["message only", "with context"])
def test_a_user_threshold_changes_the_verdict_of_either_model(moderator, context):
    message = "you are a worthless idiot, nobody likes you"
    contexts = [busy_channel() if context else None]
    default = moderator.predict([message], contexts)[0]
    lenient = moderator.predict([message], contexts, threshold=0.95)[0]
    strict_ordinary = moderator.predict(["what brush are you using?"], contexts, threshold=0.0)[0]
    assert default.violation and not lenient.violation
    assert lenient.score == default.score
    assert strict_ordinary.violation


# --- the hand-written challenge set and the demo ---------------------------------------------


def challenge_rows() -> list[dict]:
    return [json.loads(line) for line in CHALLENGE.read_text().splitlines() if line.strip()]


def test_the_challenge_set_is_judged_right(moderator):
    """Obvious violations and clear non-violations written by hand (never trained or tuned
    on), each alone as the app judges a lone message: F1 at least `CHALLENGE_MIN_F1`, and
    no ordinary gripe ("this game is trash", "these servers are trash tonight") flagged but
    those of `GRIPES_FLAGGED`."""
    from sklearn.metrics import f1_score

    rows = challenge_rows()
    verdicts = moderator.predict([r["message"] for r in rows], [None] * len(rows))
    flagged = [v.violation for v in verdicts]
    missed = [r["message"] for r, f in zip(rows, flagged, strict=True) if r["violation"] and not f]
    wrong = [r["message"] for r, f in zip(rows, flagged, strict=True) if f and not r["violation"]]
    f1 = f1_score([r["violation"] for r in rows], flagged)
    assert f1 >= CHALLENGE_MIN_F1, (f1, missed, wrong)
    gripes = [r["message"] for r in rows if r.get("kind") == "gripe"]
    assert len(gripes) >= 10
    assert set(gripes) & set(wrong) <= GRIPES_FLAGGED, [g for g in gripes if g in wrong]


def test_the_challenge_set_is_hand_written_and_balanced():
    rows = challenge_rows()
    assert len(rows) >= 90
    assert sum(r["violation"] for r in rows) >= 40
    assert sum(not r["violation"] for r in rows) >= 50
    assert len({r["message"] for r in rows}) == len(rows)


def test_a_bot_ad_is_an_advertisement_and_stays_one_said_again(moderator):
    """The demo's bot: its ad is an advertisement, and the same line a second later too
    (the context model alone reads a line the chat already holds as chat echoing itself)."""
    ad = "Want more viewers? Buy followers at cheap-viewers dot com"
    channel = busy_channel(CHANNEL_CHATTER[:10])
    first = moderator.predict([ad], [channel])[0]
    again_context = busy_channel([*CHANNEL_CHATTER[:10], ad], author_history=(ad,))
    again = moderator.predict([ad], [again_context])[0]
    assert first.violation and first.category == "Advertisements", first
    assert again.violation and again.category in {"Advertisements", REPETITIVE}, again


def test_an_insult_to_the_streamer_is_harassment_of_the_broadcaster(moderator):
    verdict = moderator.predict(["this art is garbage and you are a talentless idiot"])[0]
    assert verdict.category == "HIB" and verdict.target == "Broadcaster", verdict


@pytest.mark.xfail(strict=True, reason="issue 17: the demo's insult scores under the threshold")
def test_an_insult_to_the_streamer_is_flagged(moderator):
    verdict = moderator.predict(["this art is garbage and you are a talentless idiot"])[0]
    assert verdict.violation, verdict


def test_meaning_context_is_what_came_before_and_each_text_is_encoded_once():
    """The context's vector is the mean of the channel messages before the message (never
    the message itself); its length does not show how much context there was."""
    encoder = load_meaning_encoder()
    encoder.clear()
    messages = ["you are a clown", "nice painting"]
    contexts = [busy_channel(), busy_channel(CHANNEL_CHATTER[:10])]
    vectors = Meaning.of(messages, contexts)
    own = encoder.vectors(messages)
    assert np.allclose(vectors.own, [own[m] for m in messages])
    assert np.allclose(np.linalg.norm(vectors.around, axis=1), 1, atol=1e-5)
    previous = encoder.vectors([t for _a, t in contexts[1].previous])
    mean = np.mean([previous[t] for _a, t in contexts[1].previous], axis=0)
    assert np.allclose(vectors.around[1], mean / np.linalg.norm(mean), atol=1e-5)
    alone = Meaning.of(messages, [None, None])
    assert not alone.around.any() and not alone.signals.any()
    # insults are nearer insults than ordinary chat
    near = encoder.vectors(["you are a clown", "you are an idiot", "nice painting"])
    insult = near["you are a clown"]
    assert insult @ near["you are an idiot"] > insult @ near["nice painting"]


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
    assert both.shape == (2, N_FEATURES)
    assert np.allclose(both[1], one[0])


# --- persistence -----------------------------------------------------------------------------


def verdict_record(verdict) -> dict:
    return {
        "score": verdict.score,
        "category": verdict.category,
        "category_score": verdict.category_score,
        "target": verdict.target,
    }


def test_shipped_models_reproduce_their_training_time_verdicts():
    """`scripts/train_moderation.py` kept the verdicts its in-memory models gave a fixed set
    of dev messages; the saved files must give the same."""
    from nlp.normvio import read_split

    reference = json.loads(REFERENCE.read_text())
    dev_path = ROOT / reference["data"]
    if not dev_path.is_file():
        pytest.skip(f"NormVio dev data not found at {dev_path}")
    dev = read_split(dev_path)
    examples = [dev[i] for i in reference["examples"]]
    digest = hashlib.sha256("\n".join(e.message for e in examples).encode()).hexdigest()
    assert digest == reference["messages_sha256"], "the dev data changed since training"
    assert sum(e.violation for e in examples) >= 20  # moderated messages are among them
    assert set(reference["verdicts"]) == {"moderation.skops", "moderation_nocontext.skops"}
    for name, expected in reference["verdicts"].items():
        model = load_model(MODELS_DIR / name)
        verdicts = model.predict([e.message for e in examples], [e.context for e in examples])
        got = [verdict_record(v) for v in verdicts]
        # Scores of every message; categories where the app encodes the message's meaning
        # (a score near or above the threshold: only a violation's category is kept).
        near = [
            i for i, e in enumerate(expected) if e["score"] >= model.threshold * CATEGORY_MARGIN
        ]
        assert sum(examples[i].violation for i in near) >= 10
        assert [(got[i]["category"], got[i]["target"]) for i in near] == [
            (expected[i]["category"], expected[i]["target"]) for i in near
        ], name
        # Nearly equal: MiniLM's vectors of a text differ in their last bits with the batch
        # it is encoded in (padding changes the matrix shapes), which moves a score by far
        # less than 1e-4; everything after the vectors is the same arithmetic.
        for key, rows in (("score", range(len(got))), ("category_score", near)):
            np.testing.assert_allclose(
                [got[i][key] for i in rows],
                [expected[i][key] for i in rows],
                rtol=1e-4,
                atol=1e-6,
                err_msg=name,
            )


def tiny_model(messages: list[str], contexts: list, labels: np.ndarray) -> ModerationModel:
    """A model fitted here in a second, shaped like the shipped one."""
    x = featurize(messages, contexts)
    rng = np.random.default_rng(0)

    def linear(columns_of_x) -> LinearHead:
        fitted = LogisticRegression(C=10).fit(columns_of_x, labels)
        weights = sp.csr_matrix(fitted.coef_.astype(np.float32))
        return quantize(LinearHead(["violation"], weights, fitted.intercept_.astype(np.float32)))

    def random_head(classes) -> LinearHead:
        weights = sp.random(len(classes), N_FEATURES, density=1e-3, format="csr", rng=rng)
        intercept = rng.normal(size=len(classes)).astype(np.float32)
        return quantize(LinearHead(classes, weights.astype(np.float32), intercept))

    text, context = linear(x), linear(x)
    stacked = stack_features(x, text, context, dense_signals(x, use_context=True))
    trees = HistGradientBoostingClassifier(max_iter=20, min_samples_leaf=2, random_state=0)
    trees.fit(stacked, labels)
    return ModerationModel(
        text,
        context,
        trees,
        random_head(["Advertisements", "HIB", "Incivility"]),
        random_head(["Broadcaster", "Others in broadcast"]),
        threshold=0.5,
    )


def test_a_saved_model_predicts_exactly_as_it_did_before_saving(tmp_path):
    messages = [
        f"{i} " + ("buy followers at www.cheap.com" if i % 3 == 0 else "what a nice play")
        for i in range(90)
    ]
    contexts = [busy_channel(author_history=("hi",) * (i % 4)) for i in range(90)]
    labels = np.array([i % 3 == 0 for i in range(90)])
    model = tiny_model(messages, contexts, labels)
    before = [verdict_record(v) for v in model.predict(messages, contexts)]
    save_model(model, tmp_path / "tiny.skops")
    after = [
        verdict_record(v) for v in load_model(tmp_path / "tiny.skops").predict(messages, contexts)
    ]
    assert after == before
    assert len({r["score"] for r in before}) > 2  # the trees did split


class Payload:
    """Stands for anything a model file has no business holding."""


def test_missing_foreign_or_untrusted_files_are_a_clear_error(tmp_path):
    with pytest.raises(ModelUnavailable, match="Cannot load"):
        load_model(tmp_path / "missing.skops")
    foreign = tmp_path / "foreign.skops"
    skops.io.dump({"format": FORMAT, "n_features": 12}, foreign)
    with pytest.raises(ModelUnavailable, match="other features"):
        load_model(foreign)
    untrusted = tmp_path / "untrusted.skops"
    skops.io.dump({"format": FORMAT, "n_features": N_FEATURES, "trees": Payload()}, untrusted)
    with pytest.raises(ModelUnavailable, match="Untrusted types"):
        load_model(untrusted)
    not_a_model = tmp_path / "old.npz"
    np.savez(not_a_model, n_features=np.array([N_FEATURES]))
    with pytest.raises(ModelUnavailable, match="Cannot load"):
        load_model(not_a_model)


def test_training_without_normvio_says_where_it_looked(tmp_path):
    """The training script, pointed at data that is not there, names the missing files and
    exits 2 instead of a traceback (a checkout whose ../shared lies elsewhere)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"train": "nowhere/train.jsonl", "dev": "nowhere/dev.jsonl"}))
    done = subprocess.run(
        [sys.executable, str(root / "scripts" / "train_moderation.py"), "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "NormVio not found: nowhere/train.jsonl, nowhere/dev.jsonl" in done.stderr
    assert "Traceback" not in done.stderr
