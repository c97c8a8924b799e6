"""Whisper through faster-whisper: offline and both streaming modes on espeak-ng speech."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from ingest.ffmpeg import decode_to_array
from nlp.asr import AsrOptions, WhisperBackend
from nlp.errors import ModelUnavailable
from nlp.models import resolve_whisper_model
from nlp.streaming import LiveTranscriber, MonitorTranscriber, make_streaming_transcriber
from nlp.types import join_words
from tests.conftest import wer
from tests.fixtures.speech import SCRIPT_A, SCRIPT_B

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    return WhisperBackend(AsrOptions(), tmp_path_factory.mktemp("models"))


def stream_file(transcriber, audio: np.ndarray, offset: float = 0.0, chunk: int = 8000):
    words = []
    for i in range(0, len(audio), chunk):
        for commit in transcriber.push(audio[i : i + chunk], offset + i / 16000):
            words += commit.words
    for commit in transcriber.finish():
        words += commit.words
    return words


def test_offline_transcription_is_accurate_and_timed(backend, programme_wav):
    audio = decode_to_array(str(programme_wav))
    segments = list(backend.transcribe_file_audio(audio, offset=100.0))
    text = " ".join(s.text for s in segments)
    assert wer(SCRIPT_A, text) <= 0.1
    assert segments[0].start >= 101.0  # 2 s of leading silence, shifted by the offset
    assert all(a.end <= b.start + 0.01 for a, b in itertools.pairwise(segments))


@pytest.mark.parametrize("mode", ["live", "monitor"])
def test_streaming_modes_commit_every_word_once_in_order(backend, programme_wav, mode):
    audio = decode_to_array(str(programme_wav))
    words = stream_file(make_streaming_transcriber(mode, backend), audio, offset=50.0)
    assert wer(SCRIPT_A, join_words(words)) <= 0.15
    starts = [w.start for w in words]
    assert starts == sorted(starts)
    assert starts[0] >= 51.0 and words[-1].end <= 50.0 + len(audio) / 16000 + 0.1


@pytest.mark.parametrize("settle_s", [None, 0.0])
def test_live_commits_settled_words_without_waiting_for_agreement(backend, programme_wav, settle_s):
    """Plain LocalAgreement-2 commits nothing before a second hypothesis; with `settle_s=0`
    every word of the newest hypothesis is settled, so the first decode commits."""
    audio = decode_to_array(str(programme_wav))
    transcriber = LiveTranscriber(backend, settle_s=settle_s)
    first_commit_after = None
    for i in range(0, len(audio), 8000):
        if transcriber.push(audio[i : i + 8000], i / 16000):
            first_commit_after = transcriber.decode_calls
            break
    assert first_commit_after == (1 if settle_s == 0.0 else 2)


def test_silence_costs_no_decoding(backend):
    transcriber = LiveTranscriber(backend)
    quiet = np.zeros(16000 * 20, dtype=np.float32)
    assert stream_file(transcriber, quiet) == []
    assert transcriber.decode_calls == 0
    assert transcriber.buffered_seconds <= transcriber.context_s + 0.5  # silence is not hoarded


def test_a_gap_in_the_stream_flushes_and_keeps_absolute_times(backend, programme_wav):
    audio = decode_to_array(str(programme_wav))
    half = len(audio) // 2
    transcriber = MonitorTranscriber(backend)
    words = []
    for i in range(0, half, 8000):
        for c in transcriber.push(audio[i : min(i + 8000, half)], i / 16000):
            words += c.words
    # The stream comes back 30 s later on the timeline (a reconnect skipped the outage).
    for i in range(half, len(audio), 8000):
        for c in transcriber.push(audio[i : i + 8000], 30.0 + i / 16000):
            words += c.words
    for c in transcriber.finish():
        words += c.words
    cut = half / 16000
    before = [w for w in words if w.start < cut]
    after = [w for w in words if w.start >= 30.0 + cut - 0.01]
    assert before and after  # words on both sides of the gap, each at its own time
    assert len(before) + len(after) == len(words)  # nothing placed inside the gap
    assert wer(SCRIPT_A, join_words(words)) <= 0.3  # a cut mid-sentence costs a word or two


def test_unknown_model_name_is_explained():
    with pytest.raises(ModelUnavailable, match="not bundled"):
        resolve_whisper_model("large-v9", cache_dir=None)


def test_bundled_multilingual_base_model_is_assembled_once(tmp_path):
    path = resolve_whisper_model("base", tmp_path)
    assert (tmp_path / "whisper-base" / "model.bin").stat().st_size == 145_217_532
    mtime = (tmp_path / "whisper-base" / "model.bin").stat().st_mtime
    assert resolve_whisper_model("base", tmp_path) == path
    assert (tmp_path / "whisper-base" / "model.bin").stat().st_mtime == mtime


@pytest.mark.parametrize("mode", ["live", "monitor"])
def test_music_is_skipped_and_the_speech_between_is_transcribed(
    backend, music_wav, script_b_wav, mode
):
    """Music, speech, music: the VAD keeps the music from Whisper (no decoding, no text),
    and the speech between is transcribed at its own times."""
    music = decode_to_array(str(music_wav))
    spoken = decode_to_array(str(script_b_wav))
    speech_start, speech_end = len(music) / 16000, (len(music) + len(spoken)) / 16000
    audio = np.concatenate([music, spoken, music])
    transcriber = make_streaming_transcriber(mode, backend)
    words, calls_at = [], {}
    for i in range(0, len(audio), 8000):
        for commit in transcriber.push(audio[i : i + 8000], i / 16000):
            words += commit.words
        calls_at[i / 16000] = transcriber.decode_calls
    for commit in transcriber.finish():
        words += commit.words
    assert calls_at[speech_start - 0.5] == 0  # the intro cost nothing...
    outro = [n for t, n in calls_at.items() if t >= speech_end + 2.0]
    assert outro[0] == outro[-1] == transcriber.decode_calls  # ...nor did the outro
    assert wer(SCRIPT_B, join_words(words)) <= 0.2
    assert all(speech_start - 0.3 <= w.start and w.end <= speech_end + 0.3 for w in words)


COUNCIL = "Today the city council will vote on the new library budget."


@pytest.fixture(scope="module")
def council_twice(speech_dir):
    """The council sentence, two seconds of silence, the same recording of it again, then
    the first sentence of SCRIPT_B: a stream handing the same audio twice."""
    from tests.fixtures import speech

    lead = speech.silence(2.0, speech_dir / "lead_twice.wav")
    council = speech.speak(COUNCIL, speech_dir / "council.wav")
    later = speech.speak(SCRIPT_B.split(". ")[0] + ".", speech_dir / "later.wav")
    once = decode_to_array(str(speech.concat([lead, council], speech_dir / "council_once.wav")))
    rest = decode_to_array(str(speech.concat([lead, later, lead], speech_dir / "later_lead.wav")))
    return once, rest


def test_the_same_words_heard_again_are_committed_once(backend, council_twice):
    """The copy is dropped whole in `monitor`, which commits an utterance at once (`live`
    commits a few words per step: the first words of a copy show before it is recognised;
    see tests/nlp/test_echoes.py)."""
    once, rest = council_twice
    audio = np.concatenate([once, once, rest])
    text = join_words(stream_file(MonitorTranscriber(backend), audio)).lower()
    assert text.count("city council") == 1 and text.count("library") == 1, text
    assert "farmers" in text


def test_a_transcriber_going_on_from_words_committed_elsewhere_does_not_repeat_them(
    backend, council_twice
):
    """A recording continued by another process: its transcriber starts from the words the
    first one committed (`continue_after`), so hearing them again adds nothing."""
    once, rest = council_twice
    first = stream_file(MonitorTranscriber(backend), once)
    assert "city council" in join_words(first).lower()
    going_on = MonitorTranscriber(backend)
    going_on.continue_after(first)
    offset = len(once) / 16000 + 10.0  # on the same timeline, after a gap
    text = join_words(stream_file(going_on, np.concatenate([once, rest]), offset)).lower()
    assert "city council" not in text, text
    assert "farmers" in text
