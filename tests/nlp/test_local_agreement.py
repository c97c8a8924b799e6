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


def words_of(committed: list[Word]) -> str:
    return " ".join(w.text.strip() for w in committed)


def test_a_short_disagreement_that_more_agreement_follows_takes_the_newer_words():
    buf = HypothesisBuffer()
    buf.insert(hyp((0.0, "Huma"), (0.4, "Sains,"), (0.8, "and"), (1.2, "most"), (1.6, "of")))
    buf.flush()
    buf.insert(
        hyp(
            (0.0, "numerous"),
            (0.4, "lanes,"),
            (0.8, "and"),
            (1.2, "most"),
            (1.6, "of"),
            (2.0, "you"),
        )
    )
    assert words_of(buf.flush()) == "numerous lanes, and most of"
    # the next hypothesis is compared from there on
    buf.insert(hyp((2.0, "you"), (2.4, "seemed")))
    assert words_of(buf.flush()) == "you"


def test_a_disagreement_is_not_bridged_when_too_long_or_too_little_agrees_after_it():
    three_words = HypothesisBuffer()
    three_words.insert(
        hyp((0.0, "a"), (0.2, "b"), (0.4, "c"), (0.8, "and"), (1.0, "so"), (1.2, "on"))
    )
    three_words.flush()
    three_words.insert(
        hyp((0.0, "x"), (0.2, "y"), (0.4, "z"), (0.8, "and"), (1.0, "so"), (1.2, "on"), (1.4, "!"))
    )
    assert three_words.flush() == []
    two_after = HypothesisBuffer()
    two_after.insert(hyp((0.0, "good"), (0.4, "morning"), (0.8, "all")))
    two_after.flush()
    two_after.insert(hyp((0.0, "would"), (0.4, "morning"), (0.8, "all"), (1.2, "of")))
    assert two_after.flush() == []


def test_words_that_agree_in_text_but_not_in_time_are_no_agreement():
    buf = HypothesisBuffer()
    buf.insert(hyp((0.0, "stay"), (0.4, "with"), (0.8, "us")))
    buf.flush()
    buf.insert(hyp((2.0, "stay"), (2.4, "with"), (2.8, "us"), (3.2, "now")))
    assert buf.flush() == []


def test_an_empty_hypothesis_keeps_the_previous_one_to_agree_with():
    buf = HypothesisBuffer()
    buf.insert(hyp((0.0, "the"), (0.4, "station")))
    buf.flush()
    buf.insert([])  # Whisper returned nothing this step
    assert buf.flush() == []
    buf.insert(hyp((0.0, "the"), (0.4, "station"), (0.8, "supporters")))
    assert words_of(buf.flush()) == "the station"


def test_settled_words_commit_without_agreement_and_only_up_to_the_time_given():
    buf = HypothesisBuffer()
    buf.insert(hyp((0.0, "the"), (0.4, "paint"), (0.8, "brush")))
    buf.flush()
    buf.insert(hyp((0.0, "the"), (0.4, "paintbrush"), (0.9, "is"), (1.3, "soft")))
    assert [w.text for w in buf.flush()] == [" the"]  # "paint" vs "paintbrush": no agreement
    # "paintbrush" (ends 0.7) and "is" (ends 1.2) are behind 1.25: taken as the newer
    # hypothesis has them; "soft" (ends 1.6) is too near the live edge and waits.
    assert [w.text for w in buf.commit_settled(before=1.25)] == [" paintbrush", " is"]
    assert buf.last_committed_time == 1.2
    assert buf.uncommitted() == hyp((1.3, "soft"))
    buf.insert(hyp((0.4, "paintbrush"), (0.9, "is"), (1.3, "soft"), (1.7, "today")))
    assert [w.text for w in buf.flush()] == [" soft"]  # nothing committed twice
    assert buf.commit_settled(before=0.5) == []  # nothing pending ends that early
