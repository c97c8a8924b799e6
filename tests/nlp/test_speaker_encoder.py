"""The speaker encoder: Resemblyzer's network and features, rebuilt without torch, give
Resemblyzer's embeddings."""

from __future__ import annotations

import json
import pickle
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from nlp.errors import ModelUnavailable
from nlp.models import speaker_encoder_path
from nlp.speaker_encoder import GRAPH, SpeakerEncoder, load_speaker_encoder
from nlp.speaker_features import mel_spectrogram, partial_starts
from nlp.torch_checkpoint import read_checkpoint

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
REFERENCE = ROOT / "tests" / "fixtures" / "speaker_reference.json"


def _reference_inputs() -> dict[str, np.ndarray]:
    from speaker_reference import inputs

    with tempfile.TemporaryDirectory() as tmp:
        return {name: audio for name, _, audio in inputs(Path(tmp))}


def test_embeddings_match_resemblyzer():
    """Cosine ≥ 0.999 with the original (PyTorch + librosa) on every reference input whose
    audio this machine reproduces bit for bit."""
    from speaker_reference import checksum

    record = json.loads(REFERENCE.read_text())
    audios = _reference_inputs()
    encoder = load_speaker_encoder()
    compared = []
    for case in record["cases"]:
        audio = audios[case["name"]]
        if checksum(audio) != case["sha256"]:
            continue  # another espeak-ng version speaks differently: nothing to compare
        ours = encoder.embed_utterance(audio)
        theirs = np.array(case["embedding"], dtype=np.float32)
        cosine = float(ours @ theirs / np.linalg.norm(theirs))
        assert cosine >= 0.999, (case["name"], cosine)
        assert np.max(np.abs(ours - theirs)) < 1e-5, case["name"]  # 1.5e-7 here
        compared.append(case["name"])
    assert "synthetic" in compared  # numpy's seeded signal is the same everywhere


def test_graph_is_the_one_the_export_script_writes():
    pytest.importorskip("onnx")
    from export_speaker_encoder import build_graph

    assert build_graph().SerializeToString() == GRAPH.read_bytes()


def test_the_weights_come_from_the_resemblyzer_wheel_without_importing_it():
    path = speaker_encoder_path()
    assert path.name == "pretrained.pt" and path.parent.name == "resemblyzer"
    assert "resemblyzer" not in sys.modules
    state = read_checkpoint(path)["model_state"]
    assert state["lstm.weight_ih_l0"].shape == (1024, 40)
    assert state["linear.weight"].dtype == np.float32


def test_a_users_own_checkpoint_is_accepted(tmp_path):
    own = tmp_path / "my_encoder.pt"
    own.write_bytes(speaker_encoder_path().read_bytes())
    encoder = SpeakerEncoder(own, cpu_threads=1)
    audio = np.random.default_rng(1).standard_normal(16000).astype(np.float32) * 0.1
    bundled = load_speaker_encoder().embed_utterance(audio)
    assert np.allclose(encoder.embed_utterance(audio), bundled, atol=1e-5)
    with pytest.raises(ModelUnavailable):
        SpeakerEncoder(tmp_path / "missing.pt")


def test_a_users_own_onnx_encoder_is_accepted(tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import numpy_helper

    from nlp.speaker_encoder import graph_weights

    weights = graph_weights(read_checkpoint(speaker_encoder_path())["model_state"])
    model = onnx.load(str(GRAPH), load_external_data=False)
    for init in model.graph.initializer:
        if init.name in weights:
            init.CopyFrom(numpy_helper.from_array(weights[init.name], init.name))
    own = tmp_path / "complete.onnx"
    own.write_bytes(model.SerializeToString())
    audio = np.random.default_rng(2).standard_normal(24000).astype(np.float32) * 0.1
    ours = SpeakerEncoder(own, cpu_threads=1).embed_utterance(audio)
    assert np.allclose(ours, load_speaker_encoder().embed_utterance(audio), atol=1e-5)


class _RunsCode:
    def __reduce__(self):
        import os

        return (os.system, ("echo pwned",))


def test_a_checkpoint_that_would_run_code_is_refused(tmp_path):
    bad = tmp_path / "bad.pt"
    with open(bad, "wb") as f:
        for header in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}):
            pickle.dump(header, f)
        pickle.dump({"model_state": _RunsCode()}, f)
    with pytest.raises(ModelUnavailable, match=r"(posix|os|nt)\.system"):
        read_checkpoint(bad)


def test_spans_of_any_length_are_embedded_and_spans_past_the_audio_are_zero():
    audio = np.random.default_rng(3).standard_normal(3 * 16000).astype(np.float32) * 0.1
    vectors = load_speaker_encoder().embed_spans(audio, [(0.0, 0.3), (0.5, 2.9), (5.0, 6.0)])
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-5)
    assert not vectors[2].any()


def test_partials_follow_resemblyzer():
    # 1.3 partials a second: a 160-frame partial every 77 frames. Over 3 s the third is 91 %
    # audio (padded with zeros); over 2.5 s only 60 %, and it is dropped.
    assert partial_starts(48000) == ([0, 77, 154], (154 + 160) * 160)
    assert partial_starts(40000) == ([0, 77], (77 + 160) * 160)
    assert partial_starts(8000) == ([0], 160 * 160)  # shorter than a partial: one, padded
    assert mel_spectrogram(np.zeros(16000, np.float32)).shape == (101, 40)
