"""Batched decoding (`nlp.batched_asr`) and the shared decoding service: several streams'
utterances in one Whisper call give each stream its own words, as decoding alone does."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from ingest.ffmpeg import decode_to_array
from nlp.asr import AsrOptions, WhisperBackend
from nlp.batched_asr import BatchItem, decode_batch, window_frames
from nlp.decoding_service import (
    BESIDE_LIVE_MAX_BATCH,
    LIVE,
    MONITOR,
    MONITOR_NICENESS,
    DecodingService,
    SharedBackend,
    service_for,
)
from nlp.live_priority import live_decoding, pause_for_live, run_in_background
from nlp.streaming import MonitorTranscriber
from nlp.types import join_words
from tests.conftest import wer
from tests.fixtures import speech

pytestmark = pytest.mark.slow

SENTENCES = [
    "Good morning and welcome to the show.",
    "The mayor says the plan will pay for longer opening hours.",
    "Traffic is heavy on the bridge this evening.",
    "The library will open at nine tomorrow morning.",
]


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    return WhisperBackend(AsrOptions(), tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def utterances(speech_dir) -> list[np.ndarray]:
    return [
        decode_to_array(str(speech.speak(text, speech_dir / f"utterance{i}.wav")))
        for i, text in enumerate(SENTENCES)
    ]


def text_of(words) -> str:
    return join_words(words)


@pytest.mark.parametrize("fit", [True, False])
def test_a_batch_gives_each_item_its_own_words(backend, utterances, fit):
    """Four utterances with prompts of different lengths (one long, one a word): each comes
    back as its own sentence with times inside its own audio, as when decoded alone."""
    prompts = ["", "", "", ""]
    items = [BatchItem(a, p, "en", 5) for a, p in zip(utterances, prompts, strict=True)]
    results = decode_batch(backend.model, items, fit_window=fit)
    prompted = [
        BatchItem(
            utterances[0], "A long earlier sentence about the weather and the news.", "en", 5
        ),
        BatchItem(utterances[1], "Yes.", "en", 5),
    ]
    results += decode_batch(backend.model, prompted, fit_window=fit)
    expected = SENTENCES + SENTENCES[:2]
    for text, result, audio in zip(expected, results, utterances + utterances[:2], strict=True):
        heard = text_of(result.words)
        # its own sentence (tiny.en may miss a word of espeak's), and nobody else's
        assert wer(text, heard) <= 0.3, heard
        assert all(wer(other, heard) > 0.6 for other in SENTENCES if other != text)
        assert result.words[0].start < 0.5
        assert result.words[-1].end <= len(audio) / 16000
        assert result.segment_ends and result.segment_ends[-1] <= len(audio) / 16000
    alone = backend.decode(utterances[1], beam_size=5)
    assert wer(text_of(alone.words), text_of(results[1].words)) <= 0.15


def test_no_word_is_timed_past_the_audio_it_was_heard_in(backend, utterances):
    """Speech cut off mid-sentence (a stream that skips ahead, a stop): the last word ends
    where the audio ends, not in the window's padding after it."""
    cut = [u[: int(len(u) * 0.6)] for u in utterances]
    for audio, result in zip(
        cut, decode_batch(backend.model, [BatchItem(a, "", "en", 5) for a in cut]), strict=True
    ):
        heard = len(audio) / 16000
        assert result.words and all(w.end <= heard for w in result.words)
        assert all(end <= heard for end in result.segment_ends)


def test_silence_in_a_batch_costs_the_others_nothing(backend, utterances):
    silence = np.zeros(16000 * 2, dtype=np.float32)
    quiet, spoken = decode_batch(
        backend.model, [BatchItem(silence, "", "en", 5), BatchItem(utterances[2], "", "en", 5)]
    )
    assert wer(SENTENCES[2], text_of(spoken.words)) <= 0.2
    assert len(text_of(quiet.words).strip(" .")) == 0


def test_a_fitted_window_covers_the_audio_with_a_margin():
    assert window_frames(3 * 16000) == 500  # 3 s + 1 s margin -> 5 s
    assert window_frames(int(4.5 * 16000)) == 1000
    assert window_frames(29 * 16000) == 3000 and window_frames(40 * 16000) == 3000
    assert window_frames(3 * 16000, fit=False) == 3000


def gated_service(backend, order: list[str]) -> tuple[DecodingService, threading.Event]:
    """A service whose batches wait at a gate (so requests pile up), noting each batch's
    kind and size."""
    service = DecodingService(backend.model, max_batch=8)
    gate = threading.Event()
    real_decode = service._decode

    def decode_after_gate(batch, model):
        gate.wait(30)
        kinds = sorted({"live" if r.priority == LIVE else "monitor" for r in batch})
        order.append(f"{'+'.join(kinds)}:{len(batch)}")
        real_decode(batch, model)

    service._decode = decode_after_gate
    return service, gate


def test_the_service_decodes_many_sessions_in_batches(backend, utterances):
    """Eight monitor requests arrive while the service is busy: they share batches, and
    every caller gets its own utterance's words."""
    order: list[str] = []
    service, gate = gated_service(backend, order)
    blocker = service.submit(BatchItem(utterances[0], "", "en", 5), MONITOR)
    while service.waiting:  # the service has taken it and waits at the gate
        time.sleep(0.01)
    futures = [service.submit(BatchItem(utterances[i % 4], "", "en", 5), MONITOR) for i in range(8)]
    gate.set()
    blocker.result(60)
    for i, future in enumerate(futures):
        assert wer(SENTENCES[i % 4], text_of(future.result(60).words)) <= 0.2
    assert order == ["monitor:1", "monitor:8"]


def test_live_goes_first_and_monitor_batches_stay_small_beside_it(backend, utterances):
    """A live request arriving behind eight monitor ones is decoded straight after the batch
    that was running; while the live stream is active, monitor batches hold at most
    `BESIDE_LIVE_MAX_BATCH` items, so its next step never waits long behind one."""
    order: list[str] = []
    service, gate = gated_service(backend, order)
    blocker = service.submit(BatchItem(utterances[0], "", "en", 5), MONITOR)
    while service.waiting:
        time.sleep(0.01)
    futures = [service.submit(BatchItem(utterances[i % 4], "", "en", 5), MONITOR) for i in range(8)]
    live = service.submit(BatchItem(utterances[3], "", "en", 5), LIVE)
    gate.set()
    blocker.result(60)
    assert wer(SENTENCES[3], text_of(live.result(60).words)) <= 0.2
    for i, future in enumerate(futures):
        assert wer(SENTENCES[i % 4], text_of(future.result(60).words)) <= 0.2
    assert order[:2] == ["monitor:1", "live:1"]
    assert order[2:] == [f"monitor:{BESIDE_LIVE_MAX_BATCH}"] * (8 // BESIDE_LIVE_MAX_BATCH)


def test_a_failing_batch_is_retried_item_by_item(backend, utterances):
    """One item that cannot be decoded (a corrupt, NaN-filled buffer standing in for a
    stream's broken audio) fails alone; the others in its batch still get their words."""
    service = DecodingService(backend.model)
    gate = threading.Event()
    real_decode = service._decode

    def decode_after_gate(batch, model):
        gate.wait(30)
        real_decode(batch, model)

    service._decode = decode_after_gate
    good = [service.submit(BatchItem(u, "", "en", 5)) for u in utterances[:2]]
    bad = service.submit(BatchItem(np.zeros((2, 2), dtype=np.float32), "", "en", 5))
    gate.set()
    for sentence, future in zip(SENTENCES, good, strict=False):
        assert wer(sentence, text_of(future.result(60).words)) <= 0.2
    with pytest.raises(Exception):  # noqa: B017 - whatever the model raises for bad input
        bad.result(60)


def test_a_monitor_transcriber_on_the_shared_service_transcribes_the_script(backend, programme_wav):
    from tests.fixtures.speech import SCRIPT_A

    service = DecodingService(backend.model)
    transcriber = MonitorTranscriber(SharedBackend(backend, service, MONITOR))
    audio = decode_to_array(str(programme_wav))
    words = []
    for i in range(0, len(audio), 8000):
        for commit in transcriber.push(audio[i : i + 8000], i / 16000):
            words += commit.words
    for commit in transcriber.finish():
        words += commit.words
    assert wer(SCRIPT_A, text_of(words)) <= 0.15, text_of(words)
    assert service.stats.items == transcriber.decode_calls


def test_a_live_decode_does_not_wait_behind_a_monitor_batch(backend, utterances):
    """A live stream decodes in its own thread on the process's model: while a monitor batch
    is held up (its gate closed), a live step still gets its words, and the service holds
    monitor batches small while the live stream is active."""
    order: list[str] = []
    service, gate = gated_service(backend, order)
    blocker = service.submit(BatchItem(utterances[0], "", "en", 5), MONITOR)
    while service.waiting:
        time.sleep(0.01)
    live = SharedBackend(backend, service, LIVE)
    decoded = live.decode(utterances[2])  # returns with the monitor batch still waiting
    assert wer(SENTENCES[2], text_of(decoded.words)) <= 0.2
    assert not blocker.done() and order == []
    futures = [service.submit(BatchItem(utterances[i % 4], "", "en", 5), MONITOR) for i in range(4)]
    gate.set()
    blocker.result(60)
    for future in futures:
        future.result(60)
    assert order == ["monitor:1"] + [f"monitor:{BESIDE_LIVE_MAX_BATCH}"] * (
        4 // BESIDE_LIVE_MAX_BATCH
    )


def thread_niceness() -> dict[int, int]:
    """This process's threads: id → niceness (field 19 of /proc/self/task/ID/stat)."""
    out = {}
    for task in Path("/proc/self/task").iterdir():
        stat = (task / "stat").read_text()
        out[int(task.name)] = int(stat.rsplit(")", 1)[1].split()[16])
    return out


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux's /proc")
def test_monitor_work_yields_to_a_live_stream_only_while_one_is_active(backend, utterances):
    """Without a live stream the service decodes at its usual priority on the process's
    model. Once one is active and monitor work comes, monitor batches go to a second lane,
    lowered to `MONITOR_NICENESS`, on a model instance loaded there, so the compute threads
    it creates are lowered too; the caller's thread keeps its priority."""
    service = service_for(backend)
    assert service_for(backend) is service  # one per model, per process
    first = service.decode(BatchItem(utterances[0], "", "en", 5))
    assert wer(SENTENCES[0], text_of(first.words)) <= 0.2
    assert service.yielding_model is None  # nobody live: nothing loaded, nothing lowered
    before = set(thread_niceness())
    service.note_live()
    time.sleep(0.5)
    assert service._yielding_thread is None  # a live stream alone: no second model
    service.decode(BatchItem(utterances[2], "", "en", 5))  # monitor work meets it
    assert service.yielding_ready.wait(60)
    assert service.yielding_model is not None and service.yielding_model is not backend.model
    service.note_live()
    decoded = service.decode(BatchItem(utterances[1], "", "en", 5))
    assert wer(SENTENCES[1], text_of(decoded.words)) <= 0.2
    new = {tid: nice for tid, nice in thread_niceness().items() if tid not in before}
    assert new and all(nice == MONITOR_NICENESS for nice in new.values()), new
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == 0


def test_the_token_budget_does_not_cut_fast_speech_short(backend, speech_dir, monkeypatch):
    """Decoding stops at `token_budget` tokens for the audio's length (a Whisper loop once
    took 8.4 s for 1.5 s of speech); speech as fast as a hurried ad read still fits: it
    comes out as it does without the budget."""
    from nlp import asr

    fast = (
        "Call now and save twenty percent on every mattress in the store, this weekend only, "
        "with free delivery anywhere in the county and no interest for twelve months."
    )
    audio = decode_to_array(str(speech.speak(fast, speech_dir / "fast.wav", speed=260)))
    seconds = len(audio) / 16000
    assert len(fast.split()) / seconds > 4.0  # faster than radio talk
    assert asr.token_budget(seconds) < 448  # a real limit for an utterance this long
    [budgeted] = decode_batch(backend.model, [BatchItem(audio, "", "en", 5)])
    monkeypatch.setattr(asr, "TOKENS_PER_S", 1000)
    [unlimited] = decode_batch(backend.model, [BatchItem(audio, "", "en", 5)])
    assert text_of(budgeted.words) == text_of(unlimited.words)
    assert text_of(budgeted.words).rstrip(".").endswith("12 months")


def test_background_analyses_pause_while_a_live_stream_decodes(backend, utterances):
    """A live session's decode holds background work (clip analyses) until it ends; a
    monitor session's decode does not."""
    service = DecodingService(backend.model)
    live = SharedBackend(backend, service, LIVE)
    decoded_at: list[float] = []

    def decode_live() -> None:
        live.decode(utterances[3])
        decoded_at.append(time.monotonic())

    decoding = threading.Thread(target=decode_live)
    decoding.start()
    while not live_decoding() and decoding.is_alive():
        time.sleep(0.002)
    assert live_decoding(), "the live decode was not marked"
    resumed_at: list[float] = []

    def background_step() -> None:
        run_in_background()
        pause_for_live(30)
        resumed_at.append(time.monotonic())

    waiting = threading.Thread(target=background_step)
    waiting.start()
    decoding.join(60)
    waiting.join(60)
    assert resumed_at[0] >= decoded_at[0] - 0.05  # it went on only once the decode was over

    seen_live: list[bool] = []
    monitor = service.submit(BatchItem(utterances[1], "", "en", 5), MONITOR)
    while not monitor.done():
        seen_live.append(live_decoding())
        time.sleep(0.005)
    assert seen_live and not any(seen_live)
