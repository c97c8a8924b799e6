"""Streaming transcription: VAD-gated utterances, decoded as `live` or `monitor`.

Both modes share the buffering here: audio outside speech is dropped (silence costs no
decoding and cannot make Whisper hallucinate), a discontinuity in the stream flushes what is
pending, and every word comes out once, on the absolute stream timeline.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from nlp.asr import SAMPLE_RATE, WhisperBackend, prompt_from
from nlp.echoes import ECHO_LOOKBACK_WORDS, drop_echoes
from nlp.local_agreement import HypothesisBuffer
from nlp.types import Word
from nlp.vad import GateOptions, SpeechGate, StreamingVad

log = logging.getLogger(__name__)

SPEECH_PAD_S = 0.2
CONTEXT_S = 5.0  # committed audio kept before an utterance, as left context
DISCONTINUITY_S = 0.05
PROMPT_WORDS_KEPT = 80


@dataclass(frozen=True)
class Commit:
    """Words committed by one step; `utterance_end` marks a pause after the last word."""

    words: list[Word] = field(default_factory=list)
    utterance_end: bool = False


class StreamingTranscriber(ABC):
    """Feed audio with `push`; collect `Commit`s; call `finish` at the end of the stream."""

    def __init__(self, backend: WhisperBackend, gate: GateOptions | None = None) -> None:
        self.backend = backend
        self._vad = StreamingVad()
        self._gate = SpeechGate(gate)
        self._audio = np.zeros(0, dtype=np.float32)
        self._audio_start = 0.0  # absolute time of self._audio[0]
        self._gate_origin = 0.0  # absolute time of the gate's sample 0
        self._expected = None  # absolute time the next push should start at
        self._utterance_start: float | None = None
        self._probs: deque[tuple[float, float]] = deque(maxlen=1000)  # (time, speech prob)
        self.history: list[Word] = []  # committed words: the prompt's source
        self._said: list[Word] = []  # the latest words decoded for commit, echoes included
        self.decode_calls = 0
        self._last_segment_ends: list[float] = []
        # A backend that pays for every second it encodes (the shared service's fitted
        # windows) asks for less left context than a padded 30-s window, where it is free.
        self.context_s = getattr(backend, "context_s", CONTEXT_S)

    # --- public --------------------------------------------------------------------------

    def push(self, samples: np.ndarray, start_s: float) -> list[Commit]:
        commits: list[Commit] = []
        if self._expected is None:
            self._restart_at(start_s)
        elif abs(start_s - self._expected) > DISCONTINUITY_S:
            log.info("Stream discontinuity: %.2f s -> %.2f s", self._expected, start_s)
            commits.extend(self.finish())
            self._restart_at(start_s)
        self._audio = np.concatenate([self._audio, samples.astype(np.float32, copy=False)])
        self._expected = start_s + len(samples) / SAMPLE_RATE
        probs = self._vad.feed(samples)
        t0 = self._gate.position / SAMPLE_RATE + self._gate_origin
        for i, p in enumerate(probs):
            self._probs.append((t0 + i * 512 / SAMPLE_RATE, float(p)))
        for event in self._gate.push(probs):
            at = self._gate_origin + event.sample / SAMPLE_RATE
            if event.kind == "start":
                self._utterance_start = max(self._audio_start, at - SPEECH_PAD_S)
                self._on_utterance_start()
            elif self._utterance_start is not None:
                end = min(self._expected, at + SPEECH_PAD_S)
                commits.append(self._close_utterance(end))
        if self._utterance_start is None:
            self._trim_to(self._expected - self.context_s)
        else:
            commits.extend(self._during_speech())
        return [c for c in commits if c.words or c.utterance_end]

    def finish(self) -> list[Commit]:
        """Commit everything pending (end of stream, or before a discontinuity)."""
        if self._utterance_start is None or self._expected is None:
            return []
        return [self._close_utterance(self._expected)]

    def continue_after(self, words: list[Word]) -> None:
        """Go on from a transcript committed elsewhere (a recording another process began):
        its last words are the history, so nothing of it is committed again."""
        self.history = list(words[-PROMPT_WORDS_KEPT:])
        self._said = list(words[-ECHO_LOOKBACK_WORDS:])

    @property
    def buffered_seconds(self) -> float:
        return len(self._audio) / SAMPLE_RATE

    # --- for subclasses ------------------------------------------------------------------

    @abstractmethod
    def _on_utterance_start(self) -> None: ...

    @abstractmethod
    def _during_speech(self) -> list[Commit]: ...

    @abstractmethod
    def _decode_final(self, start: float, end: float) -> list[Word]:
        """Every word of the utterance [start, end], which has just ended."""

    def _slice(self, start: float, end: float) -> np.ndarray:
        a = max(0, round((start - self._audio_start) * SAMPLE_RATE))
        b = max(a, round((end - self._audio_start) * SAMPLE_RATE))
        return self._audio[a:b]

    def _decode(self, start: float, end: float, beam_size: int | None = None) -> list[Word]:
        """Words spoken in [start, end], decoded with up to `context_s` of audio before it.

        The left context is audio that was already committed: Whisper hears how the
        sentence began, and words in it are dropped from the result.
        """
        if end - start < 0.1:
            return []
        context_start = max(self._audio_start, start - self.context_s)
        audio = self._slice(context_start, end)
        self.decode_calls += 1
        # Only text from before this audio is a prompt: text inside it would be skipped.
        before = [w for w in self.history if w.end <= context_start + 0.05]
        words = self._decode_words(audio, context_start, start, prompt_from(before), beam_size)
        if not words and before and end - start >= 1.0:
            # Whisper sometimes returns nothing at all under a prompt; once more without it.
            self.decode_calls += 1
            words = self._decode_words(audio, context_start, start, "", beam_size)
        return words

    def _decode_words(
        self, audio: np.ndarray, offset: float, start: float, prompt: str, beam_size: int | None
    ) -> list[Word]:
        decoded = self.backend.decode(audio, prompt, beam_size=beam_size)
        self._last_segment_ends = [offset + e for e in decoded.segment_ends]
        audio_end = offset + len(audio) / SAMPLE_RATE
        words = [w.shifted(offset) for w in decoded.words if w.text.strip()]
        # Words stamped at the very end of the audio are Whisper losing its alignment
        # (a collapsed, often repeated hypothesis), not speech.
        return [
            w
            for w in words
            if w.start < audio_end - 0.05 and self._inside(w, start) and self._heard(w)
        ]

    @staticmethod
    def _inside(word: Word, start: float) -> bool:
        """Whether a word belongs after `start` rather than to the left context."""
        return word.start >= start - 0.25 and (word.start + word.end) / 2 >= start

    def _heard(self, word: Word) -> bool:
        """Whether the VAD heard speech around `word`; words in silence are hallucinations."""
        probs = [p for t, p in self._probs if word.start - 0.25 <= t <= word.end + 0.1]
        return not probs or max(probs) >= self._gate.options.neg_threshold

    def _remember(self, words: list[Word]) -> list[Word]:
        """The words to commit, less any echo of what was committed just before (see
        `nlp.echoes`), added to the history."""
        kept = drop_echoes(words, self._said)
        # Echoes stay in `_said`: a copy that goes on in the next step is still a copy.
        self._said = (self._said + words)[-ECHO_LOOKBACK_WORDS:]
        if len(kept) < len(words):
            log.warning(
                "Dropped %d words that repeated the words just committed: %r",
                len(words) - len(kept),
                " ".join(w.text.strip() for w in words if w not in kept)[:200],
            )
        self.history.extend(kept)
        del self.history[:-PROMPT_WORDS_KEPT]
        return kept

    def _close_utterance(self, end: float) -> Commit:
        start = self._utterance_start if self._utterance_start is not None else end
        words = self._remember(self._decode_final(start, end))
        self._utterance_start = None
        self._trim_to(end - self.context_s)
        return Commit(words, utterance_end=True)

    def _trim_to(self, time: float) -> None:
        cut = round((time - self._audio_start) * SAMPLE_RATE)
        if cut > 0:
            cut = min(cut, len(self._audio))
            self._audio = self._audio[cut:]
            self._audio_start += cut / SAMPLE_RATE

    def _restart_at(self, start_s: float) -> None:
        self._vad.reset()
        self._gate = SpeechGate(self._gate.options)
        self._audio = np.zeros(0, dtype=np.float32)
        self._audio_start = start_s
        self._gate_origin = start_s
        self._expected = start_s
        self._utterance_start = None
        self._probs.clear()

    def _quietest_point(self, start: float, end: float) -> float:
        """The time of the lowest speech probability in [start, end] (a good place to cut)."""
        candidates = [(p, t) for t, p in self._probs if start <= t <= end]
        return min(candidates)[1] if candidates else end


SETTLE_S = 2.0  # see LiveTranscriber


class LiveTranscriber(StreamingTranscriber):
    """LocalAgreement-2 over the current utterance, re-decoded every `min_chunk_s`.

    The committed text is Whisper's prompt; the buffer is trimmed at the end of a completed
    Whisper segment once it grows past `trim_s`, as whisper_streaming does. At 6 s rather
    than 10 the re-decodes of continuous speech stay short: in the built-in demo (a
    monologue with few pauses) they cover about 7 s of audio instead of 9-10 s
    (`benchmarks/demo_latency.py`). On the radio programme, same hour, p95 fell 4.41 ->
    3.80 s and WER rose 0.129 -> 0.137 (`live_latency.py`); the demo's p95 gains were
    within this machine's hour-to-hour swings (see the README's benchmark section).

    A word that two hypotheses still disagree on once it ends `settle_s` (2 s) before the
    newest audio is committed as the newest hypothesis has it: it has been heard with 2 s of
    what follows, and waiting for a third hypothesis cost a whole step more (the demo's
    slowest words waited 3.4 s). Same hour, alternating runs: the demo's p95 fell 3.40-3.48
    -> 2.49-2.81 s for WER 0.098 -> 0.104 (`demo_latency.py`); on the radio programme the
    worst word fell 4.2 -> 3.3 s, p95 stayed 2.9 s, WER 0.137 -> 0.140 (`live_latency.py`).
    `settle_s=None` is plain LocalAgreement-2.
    """

    def __init__(
        self,
        backend: WhisperBackend,
        gate: GateOptions | None = None,
        min_chunk_s: float = 1.0,
        trim_s: float = 6.0,
        max_buffer_s: float = 25.0,
        settle_s: float | None = SETTLE_S,
    ) -> None:
        super().__init__(backend, gate)
        self.min_chunk_s = min_chunk_s
        self.trim_s = trim_s
        self.settle_s = settle_s
        self.max_buffer_s = max_buffer_s
        self._hyp = HypothesisBuffer()
        self._decoded_until = 0.0

    def _on_utterance_start(self) -> None:
        self._hyp.reset(self._utterance_start or 0.0)
        self._decoded_until = self._utterance_start or 0.0

    def _during_speech(self) -> list[Commit]:
        if self._expected - self._decoded_until < self.min_chunk_s:
            return []
        start = self._utterance_start
        self._decoded_until = self._expected
        words = self._decode(start, self._expected)
        self._hyp.insert(words)
        committed = self._hyp.flush()
        if self.settle_s is not None:
            committed += self._hyp.commit_settled(self._expected - self.settle_s)
        if self._expected - start > self.trim_s and not committed:
            committed = self._force_commit(words)
        self._trim_if_long(committed)
        committed = self._remember(committed)
        return [Commit(committed)] if committed else []

    def _force_commit(self, words: list[Word]) -> list[Word]:
        """Hypotheses that keep disagreeing on a long buffer: commit the newest one up to a
        sentence end, so latency stays bounded and the buffer can be trimmed."""
        fresh = [w for w in words if w.start >= self._hyp.last_committed_time - 0.1]
        keep = _stable_prefix_length(fresh, settled_before=self._expected - 1.0)
        if keep == 0:
            return []
        committed = fresh[:keep]
        self._hyp.force_commit(committed)
        return committed

    def _trim_if_long(self, committed: list[Word]) -> None:
        start = self._utterance_start
        if start is None or self._expected - start <= self.trim_s:
            return
        last = self._hyp.committed_in_buffer[-1].end if self._hyp.committed_in_buffer else None
        cut = None
        if last is not None:
            ends = [e for e in self._last_segment_ends[:-1] if e <= last]
            cut = ends[-1] if ends else None
            if cut is None and self._expected - start > self.max_buffer_s:
                cut = last
        if cut is None and self._expected - start > self.max_buffer_s:
            cut = self._quietest_point(self._expected - 5.0, self._expected - 1.0)
        if cut is not None and cut > start:
            self._hyp.pop_committed(cut)
            self._utterance_start = cut
            self._trim_to(cut - self.context_s)

    def _decode_final(self, start: float, end: float) -> list[Word]:
        words = self._decode(start, end)
        if words:
            self._hyp.insert(words)
            committed = self._hyp.flush() + self._hyp.uncommitted()
        else:
            # The last decode came back empty: the previous hypothesis is the best we have.
            committed = self._hyp.uncommitted()
        self._hyp.reset(end)
        return committed


class MonitorTranscriber(StreamingTranscriber):
    """Each utterance closed by the VAD (a pause, or `max_utterance_s`) is decoded once."""

    def __init__(
        self,
        backend: WhisperBackend,
        gate: GateOptions | None = None,
        max_utterance_s: float = 8.0,
    ) -> None:
        super().__init__(backend, gate)
        self.max_utterance_s = max_utterance_s

    def _on_utterance_start(self) -> None:
        pass

    def _during_speech(self) -> list[Commit]:
        """A long utterance is decoded whole; words up to a sentence end are committed and
        the rest is decoded again with the next stretch, so no cut falls inside a word."""
        start = self._utterance_start
        if self._expected - start < self.max_utterance_s:
            return []
        words = self._decode(start, self._expected, beam_size=self.backend.options.beam_size)
        settled_before = self._expected - 1.0
        keep = _stable_prefix_length(words, settled_before) or sum(
            1 for w in words if w.end <= settled_before
        )
        committed = words[:keep]
        if keep == 0:
            # No word yet (noise, music): move on a little, so the same stretch is not decoded
            # again and again, but not so far that speech after the noise is skipped.
            cut = start + (self._expected - start) / 3
        elif keep < len(words):
            cut = (words[keep - 1].end + words[keep].start) / 2
        else:
            # Whisper stopped early: what follows the last word is decoded again next time.
            cut = max(words[-1].end, start + (self._expected - start) / 3)
        committed = self._remember(committed)
        self._utterance_start = cut
        self._trim_to(cut - self.context_s)
        return [Commit(committed)] if committed else []

    def _decode_final(self, start: float, end: float) -> list[Word]:
        return self._decode(start, end, beam_size=self.backend.options.beam_size)


def _stable_prefix_length(words: list[Word], settled_before: float) -> int:
    """How many leading words are safe to commit from a decode of an unfinished utterance:
    up to the last sentence end, else up to the widest pause, never the last two words."""
    candidates = range(len(words) - 2)
    ends = [
        i
        for i in candidates
        if words[i].end <= settled_before and words[i].text.rstrip().endswith((".", "?", "!"))
    ]
    if ends:
        return ends[-1] + 1
    gaps = [
        (words[i + 1].start - words[i].end, i) for i in candidates if words[i].end <= settled_before
    ]
    return max(gaps)[1] + 1 if gaps else 0


def make_streaming_transcriber(mode: str, backend: WhisperBackend) -> StreamingTranscriber:
    if mode == "live":
        return LiveTranscriber(backend)
    if mode == "monitor":
        return MonitorTranscriber(backend)
    raise ValueError(f"Unknown streaming mode {mode!r}: use 'live' or 'monitor'.")
