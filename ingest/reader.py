"""A stream's audio as `AudioChunk`s on one timeline, across dropped connections.

A live stream that drops is reopened with exponential backoff; the gap is skipped on the
timeline (so transcript and chat times stay aligned with the wall clock). A finite remote
source is reopened where it stopped. The first connection failing is an error; later
failures are reconnects until `give_up_after_s` without audio, which means the stream ended.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ingest.errors import NotAudio
from ingest.ffmpeg import PcmProcess, describe_failure, pcm_command
from ingest.types import SAMPLE_RATE, AudioChunk, StreamInfo

log = logging.getLogger(__name__)

CONNECTING = "connecting"
LIVE = "live"
RECONNECTING = "reconnecting"
ENDED = "ended"

StatusCallback = Callable[[str, dict], None]


@dataclass(frozen=True)
class ReconnectPolicy:
    initial_delay_s: float = 1.0
    factor: float = 2.0
    max_delay_s: float = 30.0
    give_up_after_s: float = 120.0

    def delays(self) -> Iterator[float]:
        delay = self.initial_delay_s
        while True:
            yield delay
            delay = min(self.max_delay_s, delay * self.factor)


class AudioStream:
    """Iterate `chunks()` in one thread; call `stop()` from any other to end it promptly."""

    def __init__(
        self,
        info: StreamInfo,
        *,
        policy: ReconnectPolicy | None = None,
        on_status: StatusCallback | None = None,
        chunk_s: float = 0.5,
        realtime: bool | None = None,
    ) -> None:
        self.info = info
        self.policy = policy or ReconnectPolicy()
        self._on_status = on_status or (lambda state, detail: None)
        self._chunk = int(chunk_s * SAMPLE_RATE)
        # Anything not live is played at its own pace so `record` behaves like a stream.
        self._realtime = (not info.is_live) if realtime is None else realtime
        self._stop = threading.Event()
        self._proc: PcmProcess | None = None
        self._lock = threading.Lock()
        self.position_s = 0.0  # where the next chunk starts on the timeline
        self.reconnects = 0

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            if self._proc is not None:
                self._proc.stop()

    def chunks(self) -> Iterator[AudioChunk]:
        self._on_status(CONNECTING, {})
        self._last_audio_wall = time.monotonic()
        finished = yield from self._read_connection(first=True)
        delays = self.policy.delays()
        attempt = 0
        while not (finished or self._stop.is_set() or self.info.is_local_file):
            delay = next(delays)
            silent_for = time.monotonic() - self._last_audio_wall
            if silent_for + delay > self.policy.give_up_after_s:
                log.info("No audio for %.0f s: the stream has ended", silent_for)
                break
            attempt += 1
            self._on_status(RECONNECTING, {"attempt": attempt, "delay_s": delay})
            if self._stop.wait(delay):
                break
            produced_before = self.position_s
            finished = yield from self._read_connection(first=False)
            if self.position_s > produced_before:
                self.reconnects += 1
                delays = self.policy.delays()
                attempt = 0
        self._on_status(ENDED, {"position_s": self.position_s})

    def _open(self) -> PcmProcess:
        seek = 0.0 if self.info.is_live else self.position_s
        command = pcm_command(
            self.info.audio_url,
            headers=self.info.http_headers,
            seek_s=seek,
            realtime=self._realtime,
        )
        proc = PcmProcess(command)
        with self._lock:
            self._proc = proc
            if self._stop.is_set():
                proc.stop()
        return proc

    def _read_connection(self, first: bool) -> Iterator[AudioChunk]:
        """Yield one connection's audio; returns True when the source has really ended."""
        proc = self._open()
        produced = 0
        try:
            while True:
                samples = proc.read(self._chunk)
                if samples is None:
                    break
                if produced == 0:
                    if not first and self.info.is_live:
                        # Time kept flowing while we were away: skip the outage.
                        self.position_s += time.monotonic() - self._last_audio_wall
                    self._on_status(LIVE, {"position_s": self.position_s})
                produced += len(samples)
                chunk = AudioChunk(samples, self.position_s)
                self.position_s = chunk.end_s
                self._last_audio_wall = time.monotonic()
                yield chunk
        finally:
            proc.stop()
            code = proc.wait()
        if self._stop.is_set():
            return True
        if produced == 0 and first:
            if code:
                raise describe_failure(self.info.audio_url, proc.stderr_text)
            raise NotAudio(f"{self.info.url} contains no audio.")
        log.info("Connection ended (exit %s) at %.1f s", code, self.position_s)
        if produced and code == 0 and not self.info.is_live:
            return True
        return self._playlist_ended()

    def _playlist_ended(self) -> bool:
        """An HLS playlist that says #EXT-X-ENDLIST has ended: no point reconnecting."""
        if ".m3u8" not in self.info.audio_url.lower():
            return False
        text = _fetch_text(self.info.audio_url, self.info.http_headers)
        return text is not None and "#EXT-X-ENDLIST" in text


def _fetch_text(url: str, headers: dict[str, str], limit: int = 1 << 20) -> str | None:
    from urllib.error import URLError
    from urllib.request import Request, urlopen

    try:
        with urlopen(Request(url, headers=headers), timeout=5) as response:
            return response.read(limit).decode("utf-8", "replace")
    except (URLError, OSError, ValueError):
        return None
