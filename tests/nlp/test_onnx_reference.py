"""The ONNX models the app runs against the PyTorch models they were exported from.

Needs torch and transformers (the `train` extra; `dev` includes it): the reference is the
training Tagger with the adapter's LoRA pairs unmerged (`scripts/export_onnx.py`), and
sentence-transformers for the sentence vectors. Skipped where torch is not installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from nlp.embeddings import load_sentence_encoder  # noqa: E402
from nlp.models import minilm_folder  # noqa: E402
from nlp.punctuation import load_punctuation_model  # noqa: E402

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


@pytest.fixture(scope="module")
def export_onnx():
    sys.path.insert(0, str(SCRIPTS))
    import export_onnx

    return export_onnx


@pytest.fixture(scope="module")
def batch(export_onnx):
    return export_onnx.sample_batch(minilm_folder() / "tokenizer.json")


@pytest.fixture(scope="module")
def reference_logits(export_onnx, batch):
    ids, mask = batch
    tagger = export_onnx.reference_punctuation(str(minilm_folder()), export_onnx.MODELS)
    with torch.no_grad():
        punct, case = tagger(torch.from_numpy(ids), torch.from_numpy(mask))
    return punct.numpy(), case.numpy()


def test_punctuation_graph_gives_the_pytorch_models_logits(batch, reference_logits):
    ids, mask = batch
    punct, case = load_punctuation_model().logits(ids, mask)
    valid = mask.astype(bool)
    assert np.abs(punct - reference_logits[0])[valid].max() < 1e-3
    assert np.abs(case - reference_logits[1])[valid].max() < 1e-3


def test_int8_graph_keeps_the_pytorch_models_labels(batch, reference_logits):
    ids, mask = batch
    punct, _case = load_punctuation_model("int8").logits(ids, mask)
    valid = mask.astype(bool)
    agree = (punct.argmax(-1) == reference_logits[0].argmax(-1))[valid].mean()
    assert agree >= 0.95
    assert np.abs(punct - reference_logits[0])[valid].max() < 2.0  # quantised, not broken


def test_minilm_graph_gives_the_pytorch_models_hidden_states(export_onnx, batch):
    ids, mask = batch
    bert = export_onnx.load_bert(str(minilm_folder()))
    with torch.no_grad():
        expected = bert(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask))
    got = load_sentence_encoder().hidden_states(ids, mask)
    assert np.abs(got - expected.last_hidden_state.numpy())[mask.astype(bool)].max() < 1e-4


def test_sentence_vectors_are_sentence_transformers_vectors():
    pytest.importorskip("sentence_transformers")
    from tests.nlp.test_embeddings import SENTENCES, reference_vectors

    got = load_sentence_encoder().encode(SENTENCES)
    assert (got * reference_vectors()).sum(1).min() > 0.9999
