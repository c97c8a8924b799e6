"""Reference embeddings from the original Resemblyzer (PyTorch + librosa), for the test that
our ONNX speaker encoder computes the same thing (`tests/nlp/test_speaker_encoder.py`).

    PYTHONPATH=DIR .venv/bin/python scripts/speaker_reference.py

where DIR holds what Resemblyzer's own modules import and the app does not install:
`pip install --target DIR --no-deps resemblyzer==0.1.4 librosa==1.0.0 webrtcvad-wheels …`
(librosa's dependencies: numba, llvmlite, soxr, lazy_loader, audioread, decorator, pooch,
msgpack, soundfile), with torch from the app's environment. Run once; it writes
`tests/fixtures/speaker_reference.json`: for each input, how it was made, a checksum of
the audio, and `VoiceEncoder().embed_utterance(audio)` (256 numbers, 7 decimals).

Inputs: a seeded synthetic signal (numpy's PCG64, the same on every machine) and two
espeak-ng voices (the same where espeak-ng is the same version; the test skips those when
the checksum differs).
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures.voices import GUEST, HOST, LINES, say  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "speaker_reference.json"


def synthetic(seconds: float = 3.0, seed: int = 16) -> np.ndarray:
    """A buzzy vowel-like signal with noise: deterministic, not speech."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * 16000)) / 16000
    f0 = 120 + 20 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / 16000
    voiced = sum(np.sin(k * phase) / k for k in range(1, 20))
    noise = rng.standard_normal(len(t))
    return (0.05 * voiced + 0.01 * noise).astype(np.float32)


def checksum(audio: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(audio, dtype="<f4").tobytes()).hexdigest()


def inputs(folder: Path) -> list[tuple[str, dict, np.ndarray]]:
    return [
        ("synthetic", {"made_by": "scripts/speaker_reference.py:synthetic()"}, synthetic()),
        (
            "espeak_host",
            {"voice": HOST.variant, "pitch": HOST.pitch, "text": LINES[0]},
            say(LINES[0], HOST, folder / "host.wav"),
        ),
        (
            "espeak_guest",
            {"voice": GUEST.variant, "pitch": GUEST.pitch, "text": LINES[1]},
            say(LINES[1], GUEST, folder / "guest.wav"),
        ),
    ]


def main() -> None:
    import librosa
    import torch
    from resemblyzer import VoiceEncoder

    encoder = VoiceEncoder("cpu", verbose=False)
    cases = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, made, audio in inputs(Path(tmp)):
            embedding = encoder.embed_utterance(audio)
            cases.append(
                {
                    "name": name,
                    **made,
                    "samples": len(audio),
                    "sha256": checksum(audio),
                    "embedding": [round(float(x), 7) for x in embedding],
                }
            )
    record = {
        "what": "resemblyzer 0.1.4 VoiceEncoder('cpu').embed_utterance(audio), rate 1.3",
        "versions": {"torch": torch.__version__, "librosa": librosa.__version__},
        "cases": cases,
    }
    OUT.write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {OUT}")
    for a in cases:
        print(a["name"], [f"{x:.3f}" for x in a["embedding"][:8]])


if __name__ == "__main__":
    main()
