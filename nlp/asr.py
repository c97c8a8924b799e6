"""Whisper through faster-whisper: one backend, an offline transcriber, and the streaming modes.

`live` (LocalAgreement-2 within VAD-gated utterances) and `monitor` (each VAD-closed
utterance decoded once) trade latency against CPU; both sit behind `StreamingTranscriber`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from math import ceil
from pathlib import Path

import numpy as np

from nlp.models import DEFAULT_ASR_MODEL, default_cpu_threads, load_whisper, resolve_whisper_model
from nlp.types import Segment, Word, join_words, mean_probability

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
# Whisper stuck in a loop writes tokens until its 448-token limit: seconds of decoding
# for a short utterance (8.4 s for 1.5 s of speech, seen in `benchmarks/asr_stream.py`'s
# live run), the stream it belongs to stalled behind it. Speech is 3-5 tokens a second
# (fast radio talk included) plus a timestamp pair per segment: a budget of twice that
# never cuts speech short.
TOKENS_PER_S = 10
TOKEN_MARGIN = 16
PROMPT_CHARS = 200


@dataclass(frozen=True)
class AsrOptions:
    model: str = DEFAULT_ASR_MODEL
    cpu_threads: int = 0  # 0: choose from the machine
    language: str | None = None  # None: English for *.en models, detected otherwise
    beam_size: int = 5
    stream_beam_size: int = 5  # greedy is cheaper but its hypotheses agree less often


@dataclass(frozen=True)
class Decoded:
    words: list[Word]
    segment_ends: list[float]  # end time of each Whisper segment (relative to the audio)
    language: str | None


class WhisperBackend:
    """A loaded Whisper model that decodes float32 16 kHz audio into timed words."""

    def __init__(self, options: AsrOptions, cache_dir: Path) -> None:
        self.options = options
        self.model_path = resolve_whisper_model(options.model, cache_dir)
        threads = options.cpu_threads or default_cpu_threads()
        self.model = load_whisper(self.model_path, threads)
        self.language = options.language or ("en" if self._english_only() else None)

    def _english_only(self) -> bool:
        return not getattr(self.model, "model", None) or not self.model.model.is_multilingual

    def decode(self, audio: np.ndarray, prompt: str = "", beam_size: int | None = None) -> Decoded:
        segments, info = self.model.transcribe(
            audio,
            language=self.language,
            initial_prompt=prompt or None,
            beam_size=beam_size or self.options.stream_beam_size,
            word_timestamps=True,
            condition_on_previous_text=False,
            vad_filter=False,
            # per 30-s window; faster-whisper refuses prompt + budget above 448 tokens, and
            # a prompt takes at most half of them
            max_new_tokens=min(token_budget(min(len(audio) / SAMPLE_RATE, 30.0)), 224),
        )
        words: list[Word] = []
        ends: list[float] = []
        for seg in segments:
            if not_speech(seg.no_speech_prob, seg.avg_logprob):
                continue
            ends.append(seg.end)
            words.extend(Word(w.start, w.end, w.word, w.probability) for w in seg.words or [])
        if self.language is None and info.language:
            self.language = info.language
        return Decoded(drop_repetition_loops(words), ends, info.language)

    def transcribe_file_audio(
        self, audio: np.ndarray, offset: float = 0.0, prompt: str = ""
    ) -> Iterator[Segment]:
        """Offline: the whole array at once, VAD-filtered, best beam; yields as decoded, each
        segment with the language it was decoded in (detected, unless the model is English
        only or a language was given)."""
        segments, info = self.model.transcribe(
            audio,
            language=self.language,
            initial_prompt=prompt or None,
            beam_size=self.options.beam_size,
            word_timestamps=True,
            vad_filter=True,
        )
        for seg in segments:
            words = tuple(
                Word(w.start, w.end, w.word, w.probability).shifted(offset) for w in seg.words or []
            )
            text = seg.text.strip()
            if not text:
                continue
            yield Segment(
                start=seg.start + offset,
                end=seg.end + offset,
                text=text,
                words=words,
                confidence=mean_probability(words),
                language=info.language,
            )


def token_budget(seconds: float, limit: int = 448) -> int:
    """The most tokens worth generating for `seconds` of audio (see `TOKENS_PER_S`)."""
    return min(limit, ceil(seconds * TOKENS_PER_S) + TOKEN_MARGIN)


def not_speech(no_speech_prob: float, avg_logprob: float) -> bool:
    """Whisper's own "this was not speech": a likely no-speech token and an unlikely text."""
    return no_speech_prob > 0.8 and avg_logprob < -1.0


LOOP_MIN_REPEATS = 3
LOOP_MAX_NGRAM = 8


def drop_repetition_loops(words: list[Word]) -> list[Word]:
    """Cut Whisper's repetition loops ("see you in the next video, see you in the ...").

    An n-gram (1-8 words) repeated back to back `LOOP_MIN_REPEATS` times or more is kept
    once; a phrase said twice stays as it was said.
    """
    keys = [_loop_key(w.text) for w in words]
    out: list[Word] = []
    i = 0
    while i < len(words):
        step = _loop_length(keys, i)
        if step:
            out.extend(words[i : i + step[0]])
            i += step[0] * step[1]
        else:
            out.append(words[i])
            i += 1
    return out


def _loop_length(keys: list[str], i: int) -> tuple[int, int] | None:
    """(n-gram size, repeats) of a loop starting at `i`, or None."""
    for n in range(1, LOOP_MAX_NGRAM + 1):
        gram = keys[i : i + n]
        if len(gram) < n:
            return None
        repeats = 1
        while keys[i + repeats * n : i + (repeats + 1) * n] == gram:
            repeats += 1
        if repeats >= LOOP_MIN_REPEATS:
            return n, repeats
    return None


def _loop_key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch == "'")


def prompt_from(words: list[Word]) -> str:
    """The tail of the committed text, as Whisper's prompt for what follows."""
    return join_words(words[-60:])[-PROMPT_CHARS:]
