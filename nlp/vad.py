"""Streaming voice activity detection with the Silero model that ships in faster-whisper.

faster-whisper's own `SileroVADModel` scores a whole array at once; a live stream arrives in
pieces, so this keeps the model's recurrent state and context between calls.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 16000
WINDOW = 512  # samples per VAD decision (32 ms)
_CONTEXT = 64


@functools.lru_cache(maxsize=1)
def _session():
    import onnxruntime
    from faster_whisper.utils import get_assets_path

    opts = onnxruntime.SessionOptions()
    opts.inter_op_num_threads = 1
    opts.intra_op_num_threads = 1
    opts.log_severity_level = 4
    path = os.path.join(get_assets_path(), "silero_vad_v6.onnx")
    return onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"], sess_options=opts)


class StreamingVad:
    """Speech probability for each 32 ms window of a stream fed in arbitrary pieces."""

    def __init__(self) -> None:
        self._session = _session()
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(_CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def feed(self, samples: np.ndarray) -> np.ndarray:
        """Probabilities for every complete window now available (leftover samples wait)."""
        audio = np.concatenate([self._pending, samples.astype(np.float32, copy=False)])
        usable = len(audio) - len(audio) % WINDOW
        self._pending = audio[usable:]
        if usable == 0:
            return np.zeros(0, dtype=np.float32)
        windows = audio[:usable].reshape(-1, WINDOW)
        contexts = np.vstack([self._context[None, :], windows[:-1, -_CONTEXT:]])
        batch = np.concatenate([contexts, windows], axis=1)
        out, self._h, self._c = self._session.run(
            None, {"input": batch, "h": self._h, "c": self._c}
        )
        self._context = windows[-1, -_CONTEXT:].copy()
        return np.asarray(out, dtype=np.float32).reshape(-1)


@dataclass(frozen=True)
class GateOptions:
    threshold: float = 0.5
    neg_threshold: float = 0.35
    min_silence_s: float = 0.5  # silence that closes an utterance
    min_speech_s: float = 0.25  # shorter blips are not speech


@dataclass(frozen=True)
class GateEvent:
    kind: str  # "start" or "end"
    sample: int  # absolute sample index in the stream fed to the gate


class SpeechGate:
    """Turns window probabilities into utterance start/end events, with hysteresis."""

    def __init__(self, options: GateOptions | None = None) -> None:
        self.options = options or GateOptions()
        self.in_speech = False
        self._position = 0  # samples seen
        self._speech_start = 0
        self._silence_run = 0
        self._speech_run = 0

    def push(self, probabilities: np.ndarray) -> list[GateEvent]:
        o = self.options
        events: list[GateEvent] = []
        min_silence = int(o.min_silence_s * SAMPLE_RATE)
        min_speech = int(o.min_speech_s * SAMPLE_RATE)
        for p in probabilities:
            if not self.in_speech:
                if p >= o.threshold:
                    self._speech_run += WINDOW
                    if self._speech_run >= min_speech:
                        self.in_speech = True
                        self._speech_start = self._position + WINDOW - self._speech_run
                        self._silence_run = 0
                        events.append(GateEvent("start", self._speech_start))
                else:
                    self._speech_run = 0
            elif p < o.neg_threshold:
                self._silence_run += WINDOW
                if self._silence_run >= min_silence:
                    self.in_speech = False
                    self._speech_run = 0
                    events.append(GateEvent("end", self._position + WINDOW - self._silence_run))
            elif p >= o.threshold:
                self._silence_run = 0
            self._position += WINDOW
        return events

    @property
    def position(self) -> int:
        """Samples seen so far (whole windows)."""
        return self._position
