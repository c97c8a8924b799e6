"""Whisper saying again what was just committed is dropped; people repeating themselves
briefly are not."""

from __future__ import annotations

from nlp.echoes import ECHO_MIN_WORDS, drop_echoes
from nlp.types import Word

BEFORE = "Good morning and welcome to the show. Today the city council will vote on the budget."


def words(text: str, start: float = 0.0) -> list[Word]:
    return [
        Word(start + i * 0.4, start + i * 0.4 + 0.3, " " + t) for i, t in enumerate(text.split())
    ]


def text(ws: list[Word]) -> str:
    return " ".join(w.text.strip() for w in ws)


def test_a_sentence_said_again_word_for_word_is_dropped():
    said = words(BEFORE)
    # Punctuation and case may differ in the copy: the words are what count.
    again = words("Good morning and welcome to the show, today the City Council will vote on "
                  "the budget. Later we will hear from local farmers.", start=20)  # fmt: skip
    assert text(drop_echoes(again, said)) == "Later we will hear from local farmers."


def test_a_copy_inside_one_step_is_dropped_and_the_first_saying_kept():
    both = words(BEFORE + " " + BEFORE)
    assert text(drop_echoes(both, [])) == BEFORE


def test_short_repetitions_people_make_stay():
    said = words("I do, I do. Thank you, thank you so much.")
    step = words("Thank you, thank you so much. Yes yes yes, we did it.", start=10)
    assert drop_echoes(step, said) == step
    phrase = " ".join([f"w{i}" for i in range(ECHO_MIN_WORDS - 1)])
    assert drop_echoes(words(phrase, 5), words(phrase)) == words(phrase, 5)


def test_an_echo_committed_a_few_words_at_a_time_is_cut_once_it_is_long_enough():
    """`live` commits two or three words per step: the copy is seen growing, and what
    follows its first `ECHO_MIN_WORDS` words is dropped."""
    said = words(BEFORE)
    copy = words(BEFORE + " Later we will hear from local farmers.", start=20)
    kept: list[Word] = []
    for i in range(0, len(copy), 3):
        step = copy[i : i + 3]
        kept += drop_echoes(step, said)
        said += step
    after = "Later we will hear from local farmers."
    leaked = len(kept) - len(words(after))
    assert 0 <= leaked < ECHO_MIN_WORDS
    assert text(kept).endswith(after)
    assert "budget" not in text(kept)


def test_a_sentence_said_again_much_later_is_kept():
    """A slogan repeated at the end of an ad, a minute on, is speech: only recent text counts."""
    slogan = "your family jeweler since nineteen fifty four in the heart of town"
    said = words(slogan) + words(" ".join(f"filler{i}" for i in range(70)), start=10)
    again = words(slogan, start=60)
    assert drop_echoes(again, said) == again
