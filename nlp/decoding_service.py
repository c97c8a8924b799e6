"""One decoding service per process: every stream's utterances, decoded in batches.

Each session used to call Whisper for itself, one utterance per call, and every call pads
to a 30-s window: the number of streams one machine could follow was set by that per-call
cost. `monitor` sessions now hand their audio to the service of their model
(`service_for`); one thread decodes whatever is waiting in one batched call
(`nlp.batched_asr`).

A `live` stream, the one the user watches, does not queue: it decodes in its own thread on
the process's model. While it is active, the service decodes monitor work on a model
instance of its own whose threads run at a lower CPU priority (`MONITOR_NICENESS`; Linux
schedules threads one by one and a thread inherits its creator's priority, so the instance
is loaded from the service's lowered thread). A live step that arrives while a monitor
batch runs no longer waits for the whole batch: the scheduler hands the cores to the live
decode, and the batch goes on with what is left. Each live decode is also marked
(`nlp.live_priority.live_decode`), so background analyses (a live recording's clip
summaries) wait for it to end before their next step.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from itertools import count

import numpy as np

from nlp.asr import SAMPLE_RATE, Decoded, WhisperBackend, drop_repetition_loops
from nlp.batched_asr import WINDOW_S, BatchItem, DecodedItem, decode_batch
from nlp.live_priority import live_decode, lower_this_threads_priority

log = logging.getLogger(__name__)

LIVE = 0  # priorities: lower goes first
MONITOR = 1
MAX_BATCH = 8
# While a `live` stream is being decoded, `monitor` batches stay small: a live step that
# arrives during a batch waits for all of it (one call cannot be interrupted), and eight
# utterances take seconds on two cores.
BESIDE_LIVE_MAX_BATCH = 2
LIVE_ACTIVE_S = 5.0  # a live stream counts as active this long after its last request
# The service's threads (and its model's compute threads) at this niceness: at 10 a busy
# live decode gets about nine tenths of the cores it shares with them (CFS weights 1024
# against 110).
MONITOR_NICENESS = 10


@dataclass(order=True)
class _Request:
    priority: int
    seq: int
    item: BatchItem = field(compare=False)
    future: Future = field(compare=False)


@dataclass
class ServiceStats:
    batches: int = 0
    items: int = 0
    largest_batch: int = 0
    failed_batches: int = 0


class DecodingService:
    """Decodes `BatchItem`s for many sessions with one model, in batches of up to
    `max_batch`: the `LIVE` items waiting (never mixed with `MONITOR` ones), else the oldest
    `MONITOR` items that share a language and a beam size with the first — at most
    `BESIDE_LIVE_MAX_BATCH` of them while a live stream is active. Batches are decoded in
    fitted windows, which ignore prompts, so prompts do not split them.

    Two lanes. The service's thread decodes at the priority it was started with. Once a
    live stream is active (`note_live`), monitor work waits and a `yielding_model` loader
    was given, monitor batches go to a second thread lowered to `niceness`, decoding on a
    model instance loaded there (so its compute threads are lowered too): the live stream's
    own decodes get the cores first. When no live stream has been active for
    `LIVE_ACTIVE_S`, monitor work is back on the first lane: a process that only monitors
    does not yield its CPU to every other program on the machine."""

    def __init__(
        self,
        model,
        max_batch: int = MAX_BATCH,
        *,
        yielding_model: Callable[[], object] | None = None,
        niceness: int = MONITOR_NICENESS,
    ) -> None:
        self.model = model
        self.max_batch = max_batch
        self.niceness = niceness
        self.stats = ServiceStats()
        self.yielding_model = None  # loaded when a live stream first appears
        self.yielding_ready = threading.Event()
        self._yielding_loader = yielding_model
        self._yielding_thread: threading.Thread | None = None
        self._waiting: list[_Request] = []
        self._seq = count()
        self._wake = threading.Condition()
        self._live_seen_at = float("-inf")  # monotonic time of the last live request
        self._thread = threading.Thread(
            target=self._run, args=(False,), name="decoding-service", daemon=True
        )
        self._thread.start()

    def note_live(self) -> None:
        """A live stream is decoding beside the service: monitor work yields to it."""
        with self._wake:
            self._live_seen_at = time.monotonic()
            self._open_yielding_lane_if_needed()
            self._wake.notify_all()

    def submit(self, item: BatchItem, priority: int = MONITOR) -> Future:
        future: Future = Future()
        with self._wake:
            if priority == LIVE:
                self._live_seen_at = time.monotonic()
            self._waiting.append(_Request(priority, next(self._seq), item, future))
            self._open_yielding_lane_if_needed()
            self._wake.notify_all()
        return future

    def _open_yielding_lane_if_needed(self) -> None:
        """Start the lowered lane (which loads its model) once monitor work waits beside an
        active live stream; not before: a live stream alone, the demo's case, would pay a
        second model load for nothing. Until it is loaded, monitor work stays on the first
        lane (called with the lock held)."""
        if self._yielding_loader is None or self._yielding_thread is not None:
            return
        if self._live_active() and any(r.priority == MONITOR for r in self._waiting):
            self._yielding_thread = threading.Thread(
                target=self._run, args=(True,), name="decoding-service-yielding", daemon=True
            )
            self._yielding_thread.start()

    def decode(self, item: BatchItem, priority: int = MONITOR) -> DecodedItem:
        """Blocks until the item is decoded (raises what decoding it raised)."""
        return self.submit(item, priority).result()

    @property
    def waiting(self) -> int:
        with self._wake:
            return len(self._waiting)

    def _live_active(self) -> bool:
        return time.monotonic() - self._live_seen_at < LIVE_ACTIVE_S

    def _takes(self, request: _Request, yielding: bool) -> bool:
        """Whether the lane takes this request now (called with the lock held)."""
        monitor_yields = self.yielding_model is not None and self._live_active()
        if yielding:
            return request.priority == MONITOR and monitor_yields
        return request.priority == LIVE or not monitor_yields

    def _next_batch(self, yielding: bool) -> list[_Request]:
        with self._wake:
            while True:
                self._waiting.sort()
                mine = [r for r in self._waiting if self._takes(r, yielding)]
                if mine:
                    break
                # Re-checked now and then: a live stream going quiet hands work back.
                self._wake.wait(timeout=0.5)
            first = mine[0]
            batch = [
                r
                for r in mine
                if r.priority == first.priority
                and r.item.language == first.item.language
                and r.item.beam_size == first.item.beam_size
            ][: self._batch_limit(first.priority)]
            taken = {id(r) for r in batch}
            self._waiting = [r for r in self._waiting if id(r) not in taken]
            return batch

    def _batch_limit(self, priority: int) -> int:
        if priority == MONITOR and self._live_active():
            return min(self.max_batch, BESIDE_LIVE_MAX_BATCH)
        return self.max_batch

    def _run(self, yielding: bool) -> None:
        model = self.model
        if yielding:
            lower_this_threads_priority(self.niceness)
            try:
                model = self.yielding_model = self._yielding_loader()
            except Exception:  # monitor work stays on the first lane
                log.exception("The decoding service could not load a model to yield with")
                return
            finally:
                self.yielding_ready.set()
            with self._wake:
                self._wake.notify_all()
        while True:
            batch = self._next_batch(yielding)
            self._decode(batch, model)

    def _decode(self, batch: list[_Request], model) -> None:
        try:
            results = decode_batch(model, [r.item for r in batch])
        except Exception as exc:
            self.stats.failed_batches += 1
            if len(batch) == 1:
                log.exception("Decoding failed")
                batch[0].future.set_exception(exc)
                return
            # One item's audio must not cost the others theirs: each again, on its own.
            log.warning("A batch of %d failed; decoding its items one by one", len(batch))
            for request in batch:
                self._decode([request], model)
            return
        self.stats.batches += 1
        self.stats.items += len(batch)
        self.stats.largest_batch = max(self.stats.largest_batch, len(batch))
        for request, result in zip(batch, results, strict=True):
            request.future.set_result(result)


_services: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_services_lock = threading.Lock()


def service_for(backend: WhisperBackend) -> DecodingService:
    """The process's decoding service for a backend's loaded model (created on first use;
    it loads a second instance at `MONITOR_NICENESS` when monitor work first meets a live
    stream)."""
    from nlp.models import default_cpu_threads, fresh_whisper

    with _services_lock:
        service = _services.get(backend.model)
        if service is None:
            threads = backend.options.cpu_threads or default_cpu_threads()
            service = _services[backend.model] = DecodingService(
                backend.model,
                yielding_model=lambda: fresh_whisper(str(backend.model_path), threads),
            )
        return service


class SharedBackend:
    """A session's `WhisperBackend` whose decodes go through the shared service.

    Audio the service cannot take goes the one-by-one way: longer than one window, or
    before a multilingual model has detected the stream's language (its first utterance).
    """

    # Left context the streaming transcribers keep before an utterance: a fitted window
    # encodes it at a cost, so 2 s rather than 5 (on `benchmarks/asr_stream.py`'s programme,
    # monitor: CPU -16 %, WER 0.109 -> 0.113, within its noise).
    context_s = 2.0

    def __init__(self, backend: WhisperBackend, service: DecodingService, priority: int) -> None:
        self.backend = backend
        self.service = service
        self.priority = priority

    @property
    def options(self):
        return self.backend.options

    @property
    def language(self) -> str | None:
        return self.backend.language

    @property
    def model_path(self):
        return self.backend.model_path

    def decode(self, audio: np.ndarray, prompt: str = "", beam_size: int | None = None) -> Decoded:
        if self.priority == LIVE:  # background analyses pause while it decodes
            with live_decode():
                return self._decode(audio, prompt, beam_size)
        return self._decode(audio, prompt, beam_size)

    def _decode(self, audio: np.ndarray, prompt: str, beam_size: int | None) -> Decoded:
        language = self.backend.language
        if language is None or len(audio) > WINDOW_S * SAMPLE_RATE:
            return self.backend.decode(audio, prompt, beam_size=beam_size)
        beam = beam_size or self.backend.options.stream_beam_size
        item = BatchItem(audio, prompt, language, beam)
        if self.priority == LIVE:  # its own lane: this thread, the process's model
            self.service.note_live()
            [decoded] = decode_batch(self.backend.model, [item])
        else:
            decoded = self.service.decode(item, self.priority)
        return Decoded(drop_repetition_loops(decoded.words), decoded.segment_ends, language)
