"""The speaker encoder's input: mel spectrograms as Resemblyzer computes them, in numpy.

Resemblyzer (`audio.wav_to_mel_spectrogram`) calls librosa's `melspectrogram` with 25-ms
windows every 10 ms at 16 kHz and 40 mel bands: a power spectrogram (periodic Hann window,
frames centred, the signal padded with zeros) through librosa's default filterbank (Slaney's
mel scale, each triangle normalised to unit area). librosa is not a dependency of this app
(it brings numba and llvmlite), so the same filterbank is built here; the encoder's
equivalence test (`tests/nlp/test_speaker_encoder.py`) checks the whole chain against
Resemblyzer's own embeddings.

Not a log-mel spectrogram: the encoder was trained on plain mel power.
"""

from __future__ import annotations

import functools

import numpy as np

SAMPLE_RATE = 16000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms: one frame per 160 samples
N_MELS = 40
PARTIAL_FRAMES = 160  # the encoder sees 1.6 s at a time (Resemblyzer's partial utterance)

_F_SP = 200.0 / 3  # Slaney's mel scale: linear below 1 kHz ...
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOG_STEP = np.log(6.4) / 27.0  # ... and logarithmic above


def hz_to_mel(hz: np.ndarray) -> np.ndarray:
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / _F_SP
    above = _MIN_LOG_MEL + np.log(np.maximum(hz, _MIN_LOG_HZ) / _MIN_LOG_HZ) / _LOG_STEP
    return np.where(hz >= _MIN_LOG_HZ, above, linear)


def mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    linear = _F_SP * mel
    above = _MIN_LOG_HZ * np.exp(_LOG_STEP * (mel - _MIN_LOG_MEL))
    return np.where(mel >= _MIN_LOG_MEL, above, linear)


@functools.lru_cache(maxsize=4)
def mel_filterbank(
    sample_rate: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = N_MELS
) -> np.ndarray:
    """[n_mels, n_fft // 2 + 1] triangles from 0 Hz to Nyquist, Slaney-normalised: what
    `librosa.filters.mel(sr=sample_rate, n_fft=n_fft, n_mels=n_mels)` returns."""
    fft_freqs = np.fft.rfftfreq(n_fft, d=1.0 / sample_rate)
    edges = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(sample_rate / 2.0), n_mels + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - fft_freqs[None, :]
    weights = np.zeros((n_mels, len(fft_freqs)), dtype=np.float64)
    for i in range(n_mels):
        lower = -ramps[i] / widths[i]
        upper = ramps[i + 2] / widths[i + 1]
        weights[i] = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (edges[2 : n_mels + 2] - edges[:n_mels]))[:, None]
    weights = weights.astype(np.float32)
    weights.setflags(write=False)
    return weights


@functools.lru_cache(maxsize=1)
def _window() -> np.ndarray:
    n = np.arange(N_FFT)
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * n / N_FFT)  # periodic Hann (scipy's fftbins)


def mel_spectrogram(wav: np.ndarray) -> np.ndarray:
    """[1 + len(wav) // 160, 40] float32 mel power frames of 16 kHz audio; frame i is
    centred on sample 160·i."""
    wav = np.asarray(wav, dtype=np.float32).reshape(-1)
    padded = np.pad(wav, N_FFT // 2)
    count = 1 + (len(padded) - N_FFT) // HOP
    frames = np.lib.stride_tricks.as_strided(
        padded, shape=(count, N_FFT), strides=(padded.strides[0] * HOP, padded.strides[0])
    )
    spectrum = np.fft.rfft(frames * _window(), axis=1)
    power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
    return power @ mel_filterbank().T


def partial_starts(
    n_samples: int, rate: float = 1.3, min_coverage: float = 0.75
) -> tuple[list[int], int]:
    """Resemblyzer's partial utterances (`compute_partial_slices`): the first frame of each
    160-frame partial, `rate` of them a second, and how many samples the waveform must be
    zero-padded to for the last one. The last partial is dropped when less than
    `min_coverage` of it is audio, unless it is the only one."""
    n_frames = int(np.ceil((n_samples + 1) / HOP))
    step = round((SAMPLE_RATE / rate) / HOP)
    if not 0 < step <= PARTIAL_FRAMES:
        raise ValueError(f"rate {rate} gives partials {step} frames apart")
    starts = list(range(0, max(1, n_frames - PARTIAL_FRAMES + step + 1), step))
    last = starts[-1] * HOP
    coverage = (n_samples - last) / (PARTIAL_FRAMES * HOP)
    if coverage < min_coverage and len(starts) > 1:
        starts = starts[:-1]
    return starts, (starts[-1] + PARTIAL_FRAMES) * HOP
