"""Punctuation restoration on fixed texts; the numpy encoder and safetensors reader."""

from __future__ import annotations

import numpy as np
import pytest

from nlp import safetensors_np
from nlp.punctuation import WordLabel, bare_words, load_punctuation_model, render


@pytest.fixture(scope="module")
def model():
    return load_punctuation_model()


def test_obvious_sentence_end_gets_a_period_and_a_capital(model):
    text = model.restore(
        "thank you all so much for watching the stream today see you all next week"
    )
    assert ". See you" in text, text
    assert text.startswith("Thank you") and text.endswith(".")


def test_obvious_question_gets_a_question_mark(model):
    text = model.restore("hey everyone welcome back what brush are you using for the water")
    assert text.endswith("water?"), text


def test_existing_punctuation_is_ignored_and_predicted_again(model):
    assert bare_words('Hello, "World"!  it\'s U.S. time...') == [
        "hello",
        "world",
        "it's",
        "u.s",
        "time",
    ]
    labels = model.label_words(bare_words("so, what do you think"))
    assert [w.word for w in labels] == ["so", "what", "do", "you", "think"]


def test_render_capitalises_sentence_starts_and_i():
    labels = [
        WordLabel("yes", "PERIOD", "lower"),
        WordLabel("i", "O", "lower"),
        WordLabel("agree", "COMMA", "lower"),
        WordLabel("nasa", "O", "upper"),
        WordLabel("rocks", "EXCLAMATION", "lower"),
    ]
    assert render(labels) == "Yes. I agree, NASA rocks!"


def test_long_text_crosses_windows_without_losing_words(model):
    words = ("we paint the sky then the lake " * 60).split()
    labels = model.label_words(words)
    assert [w.word for w in labels] == words


def test_safetensors_round_trip(tmp_path):
    tensors = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.ones(4, np.float16)}
    safetensors_np.save(tensors, tmp_path / "t.safetensors")
    loaded = safetensors_np.load(tmp_path / "t.safetensors")
    assert set(loaded) == {"a", "b"} and np.array_equal(loaded["a"], tensors["a"])
    assert loaded["b"].dtype == np.float16


def test_punctuate_cli_reads_stdin(run_cli_stdin):
    result = run_cli_stdin("punctuate", stdin="is this the right brush i think it is\n")
    assert result.returncode == 0, result.stderr
    assert "?" in result.stdout and result.stdout.strip()[0].isupper()
