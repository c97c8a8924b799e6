"""Streaming Silero VAD: same scores as whole-array scoring; speech found where spoken."""

from __future__ import annotations

import numpy as np

from ingest.ffmpeg import decode_to_array
from nlp.vad import WINDOW, SpeechGate, StreamingVad


def test_streaming_scores_match_whole_array_scoring(programme_wav):
    from faster_whisper.vad import get_vad_model

    audio = decode_to_array(str(programme_wav))
    usable = len(audio) - len(audio) % WINDOW
    whole = np.asarray(get_vad_model()(audio[:usable])).reshape(-1)
    vad = StreamingVad()
    pieces = [vad.feed(audio[i : i + 3000]) for i in range(0, usable, 3000)]
    streamed = np.concatenate(pieces)[: len(whole)]
    assert np.allclose(streamed, whole[: len(streamed)], atol=1e-4)


def test_gate_finds_one_utterance_in_the_programme(programme_wav):
    audio = decode_to_array(str(programme_wav))  # 2 s silence, speech, 3 s silence
    gate = SpeechGate()
    events = gate.push(StreamingVad().feed(audio))
    kinds = [e.kind for e in events]
    assert kinds[0] == "start" and kinds[-1] == "end"
    assert 1.5 < events[0].sample / 16000 < 2.6
    assert events[-1].sample / 16000 < len(audio) / 16000 - 2.0


def test_silence_and_noise_open_no_utterance():
    rng = np.random.default_rng(0)
    quiet = np.zeros(16000 * 5, dtype=np.float32)
    hiss = (rng.standard_normal(16000 * 5) * 0.01).astype(np.float32)
    gate = SpeechGate()
    vad = StreamingVad()
    assert gate.push(vad.feed(np.concatenate([quiet, hiss]))) == []
