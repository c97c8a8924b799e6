"""Punctuation restoration on fixed texts; the bundled ONNX graphs (fp32 and int8) and a
user's own model (`test_onnx_reference.py` checks the graphs against PyTorch)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from nlp.errors import ModelUnavailable
from nlp.punctuation import (
    MODELS,
    PunctuationModel,
    WordLabel,
    bare_words,
    load_punctuation_model,
    render,
)

QUESTION = "hey everyone welcome back what brush are you using for the water"
LONG = (
    "so today we are going to paint a lake at sunset first i put down a wash of yellow "
    "then while it is still wet i add some orange near the horizon what do you think "
    "should we add a boat or keep it simple i think a small boat would look nice "
    "thank you all for watching see you next week"
)


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
    wrong = "Hey! everyone, welcome. back; what brush ARE you using for the water."
    restored = model.restore(wrong)
    assert restored == model.restore(QUESTION)  # what was there changes nothing
    assert restored.endswith("water?"), restored  # the period is predicted away
    assert "!" not in restored and ";" not in restored and "ARE" not in restored


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


def test_int8_graph_mostly_agrees_with_fp32(model):
    words = bare_words(LONG)
    fp32 = model.label_words(words)
    int8 = load_punctuation_model("int8").label_words(words)
    agree = sum(a.punct == b.punct for a, b in zip(fp32, int8, strict=True)) / len(words)
    assert agree >= 0.95, (render(fp32), render(int8))


def test_a_users_adapter_folder_is_accepted(tmp_path, model):
    for name in ("punctuation_adapter.npz", "punctuation_config.json"):
        shutil.copy(MODELS / name, tmp_path / name)
    theirs = load_punctuation_model(str(tmp_path))
    assert theirs is not model
    assert theirs.restore(LONG) == model.restore(LONG)


def test_a_users_complete_onnx_model_is_accepted(tmp_path, model):
    path = tmp_path / "mine.onnx"
    save_complete(model, path)
    theirs = PunctuationModel.from_path(path, cpu_threads=1)
    assert theirs.restore(LONG) == model.restore(LONG)
    (tmp_path / "folder").mkdir()
    shutil.copy(path, tmp_path / "folder" / "model.onnx")
    assert PunctuationModel.from_path(tmp_path / "folder").restore(QUESTION).endswith("?")


def test_a_path_that_is_no_model_says_so(tmp_path):
    with pytest.raises(ModelUnavailable, match="not a punctuation model"):
        PunctuationModel.from_path(tmp_path)
    (tmp_path / "model.onnx").write_bytes(b"not onnx")
    with pytest.raises(ModelUnavailable, match="Cannot load the model"):
        PunctuationModel.from_path(tmp_path)


def save_complete(model: PunctuationModel, path) -> None:
    """The bundled model as one self-contained ONNX file, as a user might bring one:
    onnxruntime writes the graph with the weights it was given."""
    import json

    import onnxruntime

    from nlp.models import minilm_folder
    from nlp.onnx_bert import build_initializers, merge_adapter, read_safetensors

    settings = json.loads((MODELS / "punctuation_config.json").read_text())
    adapter = dict(np.load(MODELS / "punctuation_adapter.npz"))
    tensors = merge_adapter(
        read_safetensors(minilm_folder() / "model.safetensors"),
        adapter,
        settings["alpha"] / settings["rank"],
    )
    graph = MODELS / "punctuation.onnx"
    weights = build_initializers(
        json.loads(graph.with_suffix(".weights.json").read_text()), tensors
    )
    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.optimized_model_filepath = str(path)
    names = list(weights)
    options.add_external_initializers(
        names, [onnxruntime.OrtValue.ortvalue_from_numpy(weights[n]) for n in names]
    )
    onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])


def test_punctuate_cli_reads_stdin(run_cli_stdin):
    result = run_cli_stdin("punctuate", stdin="is this the right brush i think it is\n")
    assert result.returncode == 0, result.stderr
    assert "?" in result.stdout and result.stdout.strip()[0].isupper()
