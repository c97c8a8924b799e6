"""Sentence embeddings: the ONNX MiniLM gives sentence-transformers' vectors.

`minilm_reference.npz` holds all-MiniLM-L6-v2's vectors for `SENTENCES`, made once with the
PyTorch model (`.venv/bin/python tests/nlp/test_embeddings.py`, needs the `train` extra);
`test_onnx_reference.py` checks the same against torch live where torch is installed.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from nlp.embeddings import load_sentence_encoder

REFERENCE = Path(__file__).with_name("minilm_reference.npz")
SENTENCES = [
    "Welcome back to the stream, today we are painting a lake at sunset.",
    "Which brush are you using for the water?",
    "The county board certified the election results on Tuesday.",
    "Traffic on the interstate is backed up past exit twelve.",
    "ok",
    "Use the clone stamp tool to remove the power lines from the sky, then add a soft "
    "gradient on a new layer and lower its opacity until it blends in.",
]


def reference_vectors() -> np.ndarray:
    """The PyTorch model's unit vectors (sentence-transformers, offline)."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    from nlp.models import minilm_folder

    model = SentenceTransformer(str(minilm_folder()), device="cpu")
    return model.encode(SENTENCES, normalize_embeddings=True, convert_to_numpy=True)


@pytest.fixture(scope="module")
def encoder():
    return load_sentence_encoder()


def test_vectors_match_the_pytorch_model(encoder):
    expected = np.load(REFERENCE)["vectors"]
    got = encoder.encode(SENTENCES)
    assert got.shape == (len(SENTENCES), 384) and got.dtype == np.float32
    cosine = (got * expected).sum(1)
    assert cosine.min() > 0.9999, cosine


def test_vectors_are_unit_length_and_do_not_depend_on_the_batch(encoder):
    together = encoder.encode(SENTENCES)
    alone = np.vstack([encoder.encode([s]) for s in SENTENCES])
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.abs(together - alone).max() < 1e-4  # padding in a batch changes nothing


def test_no_sentences_give_an_empty_matrix(encoder):
    assert encoder.encode([]).shape == (0, 384)


def test_similar_sentences_are_closer_than_unrelated_ones(encoder):
    lake, brush, election = encoder.encode(
        [
            "We paint the lake with a wide flat brush.",
            "Which brush do you use for painting water?",
            "The election results were certified by the county.",
        ]
    )
    assert lake @ brush > lake @ election + 0.2


if __name__ == "__main__":
    np.savez(REFERENCE, vectors=reference_vectors().astype(np.float32))
    print(f"wrote {REFERENCE}")


def test_the_cpu_threads_setting_reaches_onnx_runtime():
    """`STREAMLENS_CPU_THREADS` / Settings → CPU threads: the encoders' ONNX Runtime
    sessions use that many threads, not the machine's default."""
    from app.config import load_settings
    from app.services import apply_settings
    from nlp.embeddings import SentenceEncoder
    from nlp.models import use_cpu_threads

    settings = load_settings()
    try:
        apply_settings(dataclasses.replace(settings, cpu_threads=3))
        encoder = SentenceEncoder()
        assert encoder.session.get_session_options().intra_op_num_threads == 3
        apply_settings(dataclasses.replace(settings, cpu_threads=1))
        assert SentenceEncoder().session.get_session_options().intra_op_num_threads == 1
    finally:
        use_cpu_threads(0)
