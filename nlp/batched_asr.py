"""Several utterances, from any streams, decoded by one Whisper call.

Every Whisper call pads its audio to a 30-s encoder window and then decodes token by token;
on a CPU the per-call cost, not the audio, limits how many streams one model can follow.
CTranslate2 encodes and decodes a batch of windows in one call, each with its own prompt.
This is faster-whisper's `BatchedInferencePipeline.forward` (which batches the chunks of one
file under one prompt) with a prompt per item, so each stream keeps its own context; the
segment splitting and word alignment are faster-whisper's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

import numpy as np

from nlp.asr import SAMPLE_RATE, not_speech, token_budget
from nlp.types import Word

WINDOW_S = 30.0  # Whisper's encoder window: longer audio goes through the one-by-one path
FRAMES_PER_S = 100  # mel frames
WINDOW_STEP_S = 5  # fitted windows are a multiple of this
WINDOW_MARGIN_S = 1.0  # of silence after the audio at least, where Whisper hears it end
PREPEND_PUNCTUATIONS = "\"'“¿([{-"
APPEND_PUNCTUATIONS = "\"'.。,，!！?？:：”)]}、"


@dataclass(frozen=True)
class BatchItem:
    """One utterance to decode: audio of at most `WINDOW_S`, the text before it as a
    prompt, and the language it is in (known: a batch does not detect languages)."""

    audio: np.ndarray
    prompt: str
    language: str
    beam_size: int


@dataclass(frozen=True)
class DecodedItem:
    words: list[Word]  # relative to the item's audio
    segment_ends: list[float]


def decode_batch(model, items: list[BatchItem], fit_window: bool = True) -> list[DecodedItem]:
    """Decode `items` (one language, one beam size) with a faster-whisper `WhisperModel` in
    one encoder call and one decoder call; results in the order of `items`.

    `fit_window`: encode only as much of the 30-s window as the longest item needs (see
    `window_frames`) instead of padding every utterance to 30 s. A fitted window is decoded
    without the prompts: under a short window a prompt, above all a short one, makes tiny.en
    say a sentence twice (seen in `tests/nlp/test_batched_decoding.py`); the streaming
    transcribers still give Whisper the seconds of audio before the utterance."""
    from faster_whisper.audio import pad_or_trim
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_suppressed_tokens

    if not items:
        return []
    languages = {item.language for item in items}
    beams = {item.beam_size for item in items}
    if len(languages) != 1 or len(beams) != 1:
        raise ValueError("a batch holds one language and one beam size")
    tokenizer = Tokenizer(
        model.hf_tokenizer,
        model.model.is_multilingual,
        task="transcribe",
        language=items[0].language,
    )
    longest_s = max(len(item.audio) for item in items) / SAMPLE_RATE
    frames = window_frames(max(len(item.audio) for item in items), fit_window)
    features = np.stack(
        [pad_or_trim(model.feature_extractor(item.audio), frames) for item in items]
    )
    encoder_output = model.encode(features)
    previous = _previous_tokens(tokenizer, items) if not fit_window else [[] for _ in items]
    prompts = [
        model.get_prompt(tokenizer, previous_tokens=tokens, without_timestamps=False)
        for tokens in previous
    ]
    results = model.model.generate(
        encoder_output,
        prompts,
        beam_size=items[0].beam_size,
        patience=1.0,
        length_penalty=1.0,
        max_length=min(
            model.max_length,
            max(len(p) for p in prompts) + token_budget(longest_s),
        ),
        suppress_blank=True,
        suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),
        return_scores=True,
        return_no_speech_prob=True,
    )
    per_item: list[list[dict]] = []
    sizes: list[int] = []
    for item, result in zip(items, results, strict=True):
        tokens = result.sequences_ids[0]
        avg_logprob = result.scores[0] * len(tokens) / (len(tokens) + 1)
        duration = len(item.audio) / SAMPLE_RATE
        # the frames of real audio (not faster-whisper's whole seconds): words are aligned
        # within what was heard, never in the padding after it
        size = min(frames, ceil(duration * model.frames_per_second))
        sizes.append(size)
        subsegments, _seek, _single_ending = model._split_segments_by_timestamps(
            tokenizer=tokenizer,
            tokens=tokens,
            time_offset=0.0,
            segment_size=size,
            segment_duration=duration,
            seek=0,
        )
        speech = not not_speech(result.no_speech_prob, avg_logprob)
        per_item.append(
            [
                {"tokens": s["tokens"], "start": s["start"], "end": s["end"], "seek": 0}
                for s in subsegments
                if speech and s["tokens"]
            ]
        )
    spoken = [i for i, subsegments in enumerate(per_item) if subsegments]
    if spoken:  # words and their times, aligned for the items that said something
        model.add_word_timestamps(
            [per_item[i] for i in spoken],
            tokenizer,
            encoder_output if len(spoken) == len(items) else _rows(encoder_output, spoken),
            [sizes[i] for i in spoken],
            PREPEND_PUNCTUATIONS,
            APPEND_PUNCTUATIONS,
            0.0,
        )
    return [
        _decoded(subsegments, len(item.audio) / SAMPLE_RATE)
        for subsegments, item in zip(per_item, items, strict=True)
    ]


def _decoded(subsegments: list[dict], heard_s: float) -> DecodedItem:
    """Words and segment ends, never past the audio that was heard (`heard_s`): a word
    timed into the padding would claim audio the stream never had there."""
    words = [
        Word(min(w["start"], heard_s), min(w["end"], heard_s), w["word"], w["probability"])
        for s in subsegments
        for w in s.get("words") or []
    ]
    return DecodedItem(words, [min(s["end"], heard_s) for s in subsegments])


def window_frames(samples: int, fit: bool = True) -> int:
    """Mel frames to encode for audio of `samples`: the whole 30-s window, or (`fit`) the
    audio plus a margin, rounded up to `WINDOW_STEP_S`.

    The encoder is most of a call's cost and grows faster than linearly with its input:
    for a 3-s utterance a 5-s window costs a quarter of the 30-s one (tiny.en on this CPU).
    Whisper was trained on padded 30-s windows, so `benchmarks/asr_stream.py` and
    `benchmarks/many_streams.py` compare the word error rates of both.
    """
    if not fit:
        return int(WINDOW_S * FRAMES_PER_S)
    seconds = samples / SAMPLE_RATE + WINDOW_MARGIN_S
    fitted = min(WINDOW_S, WINDOW_STEP_S * ceil(seconds / WINDOW_STEP_S))
    return int(fitted * FRAMES_PER_S)


def _previous_tokens(tokenizer, items: list[BatchItem]) -> list[list[int]]:
    """Each item's prompt as tokens, all cut to the shortest one's length (keeping the most
    recent text): CTranslate2 wants the start-of-transcript token at the same position in
    every prompt of a batch. One item without a prompt means none has one."""
    tokens = [
        tokenizer.encode(" " + item.prompt.strip()) if item.prompt.strip() else [] for item in items
    ]
    shortest = min(len(t) for t in tokens)
    return [t[len(t) - shortest :] if shortest else [] for t in tokens]


def _rows(encoder_output, rows: list[int]):
    """Some items of a batch's encoder output (a CPU `StorageView`), as a new batch."""
    import ctranslate2

    return ctranslate2.StorageView.from_array(np.ascontiguousarray(np.array(encoder_output)[rows]))
