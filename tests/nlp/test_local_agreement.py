"""LocalAgreement-2 on recorded hypotheses: no model needed."""

from __future__ import annotations

from nlp.local_agreement import HypothesisBuffer
from nlp.types import Word


def hyp(*items: tuple[float, str]) -> list[Word]:
    return [Word(t, t + 0.3, f" {w}") for t, w in items]


def test_commits_only_the_prefix_two_hypotheses_agree_on():
    buf = HypothesisBuffer()
    buf.insert(hyp((0.0, "good"), (0.4, "morning"), (0.8, "and")))
    assert buf.flush() == []  # nothing to agree with yet
    buf.insert(hyp((0.0, "good"), (0.4, "morning"), (0.8, "in"), (1.2, "welcome")))
    assert [w.text for w in buf.flush()] == [" good", " morning"]
    buf.insert(hyp((0.8, "and"), (1.2, "welcome"), (1.6, "to")))
    assert buf.flush() == []  # "in" vs "and": disagreement stops the commit
    buf.insert(hyp((0.8, "and"), (1.2, "welcome"), (1.6, "to"), (2.0, "the")))
    assert [w.text for w in buf.flush()] == [" and", " welcome", " to"]


def test_agreement_ignores_case_and_punctuation():
    buf = HypothesisBuffer()
    buf.insert(hyp((0.0, "show")))
    buf.flush()
    buf.insert([Word(0.0, 0.3, " Show."), Word(0.5, 0.8, " Today")])
    assert [w.text for w in buf.flush()] == [" Show."]


def test_words_repeated_from_committed_text_are_not_committed_twice():
    buf = HypothesisBuffer()
    buf.insert(hyp((0.0, "the"), (0.4, "city"), (0.8, "council")))
    buf.flush()
    buf.insert(hyp((0.0, "the"), (0.4, "city"), (0.8, "council"), (1.2, "will")))
    assert [w.text for w in buf.flush()] == [" the", " city", " council"]
    # Whisper re-emits the tail of the committed text with shifted times:
    committed = []
    buf.insert(hyp((1.0, "council"), (1.3, "will"), (1.6, "vote")))
    committed += buf.flush()
    buf.insert(hyp((1.0, "council"), (1.3, "will"), (1.6, "vote"), (2.0, "today")))
    committed += buf.flush()
    assert [w.text for w in committed] == [" will", " vote"]


def test_pop_committed_forgets_words_before_a_trim_point():
    buf = HypothesisBuffer()
    for _ in range(2):
        buf.insert(hyp((0.0, "a"), (1.0, "b"), (2.0, "c")))
        buf.flush()
    buf.pop_committed(1.5)
    assert [w.text for w in buf.committed_in_buffer] == [" c"]
