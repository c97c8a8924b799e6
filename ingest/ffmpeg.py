"""Running ffmpeg: where it is, the command that turns any input into 16 kHz mono PCM,
and what its error output means to a user."""

from __future__ import annotations

import collections
import os
import subprocess
import threading
from collections.abc import Iterator

import numpy as np

from ingest.errors import IngestError, NotAudio, StreamUnavailable
from ingest.types import SAMPLE_RATE

BYTES_PER_SAMPLE = 2
RW_TIMEOUT_US = 15_000_000  # a network read that stalls this long counts as a drop


def ffmpeg_exe() -> str:
    """`STREAMLENS_FFMPEG`, else the binary that ships in imageio-ffmpeg."""
    configured = os.environ.get("STREAMLENS_FFMPEG")
    if configured:
        return configured
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def pcm_command(
    source: str,
    *,
    headers: dict[str, str] | None = None,
    seek_s: float = 0.0,
    realtime: bool = False,
) -> list[str]:
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error"]
    if realtime:
        cmd.append("-re")
    if "://" in source and source.split("://", 1)[0] in ("http", "https"):
        cmd += ["-rw_timeout", str(RW_TIMEOUT_US)]
        if headers:
            agent = headers.get("User-Agent")
            if agent:
                cmd += ["-user_agent", agent]
            extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items() if k != "User-Agent")
            if extra:
                cmd += ["-headers", extra]
    if seek_s > 0:
        cmd += ["-ss", f"{seek_s:.3f}"]
    cmd += ["-i", source, "-vn", "-sn", "-dn", "-ac", "1", "-ar", str(SAMPLE_RATE)]
    cmd += ["-f", "s16le", "pipe:1"]
    return cmd


class PcmProcess:
    """One ffmpeg process producing PCM on stdout; stderr is kept for error messages."""

    def __init__(self, command: list[str]) -> None:
        try:
            self._proc = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        except OSError as exc:
            raise IngestError(f"ffmpeg could not be started ({command[0]}): {exc}") from exc
        self._stderr: collections.deque[str] = collections.deque(maxlen=30)
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_thread.start()

    def _drain_stderr(self) -> None:
        for raw in self._proc.stderr:
            line = raw.decode("utf-8", "replace").strip()
            if line:
                self._stderr.append(line)

    def read(self, n_samples: int) -> np.ndarray | None:
        """Up to `n_samples` float32 samples; None at end of stream."""
        data = self._proc.stdout.read(n_samples * BYTES_PER_SAMPLE)
        if not data:
            return None
        usable = len(data) - len(data) % BYTES_PER_SAMPLE
        return np.frombuffer(data[:usable], dtype=np.int16).astype(np.float32) / 32768.0

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()

    def wait(self) -> int:
        code = self._proc.wait()
        self._stderr_thread.join(timeout=2)
        return code

    @property
    def stderr_text(self) -> str:
        return "\n".join(self._stderr)


def describe_failure(source: str, stderr: str) -> IngestError:
    """An exception with a sentence for the user from ffmpeg's error output."""
    lowered = stderr.lower()
    last = stderr.strip().splitlines()[-1] if stderr.strip() else "no output"
    for code, words in (("404", "404 Not Found"), ("403", "403 Forbidden"), ("401", "401")):
        if f"server returned {code}" in lowered or f"http error {code}" in lowered:
            return StreamUnavailable(f"Cannot open {source}: the server answered {words}.")
    if "connection refused" in lowered:
        return StreamUnavailable(f"Cannot open {source}: the server refused the connection.")
    if "name or service not known" in lowered or "failed to resolve" in lowered:
        return StreamUnavailable(f"Cannot open {source}: the host name does not resolve.")
    if "timed out" in lowered or "connection timed out" in lowered:
        return StreamUnavailable(f"Cannot open {source}: the server did not answer in time.")
    if "no such file" in lowered:
        return StreamUnavailable(f"No such file: {source}")
    if "server returned 5" in lowered:
        return StreamUnavailable(f"Cannot open {source}: the server had an error ({last}).")
    if (
        "invalid data found" in lowered
        or "does not contain any stream" in lowered
        or "could not find codec parameters" in lowered
        or "matches no streams" in lowered
        or "not find corresponding trailer" in lowered
        or "moov atom not found" in lowered
    ):
        return NotAudio(f"{source} holds no audio that can be decoded.")
    return StreamUnavailable(f"Cannot read {source}: {last}")


def decode_to_array(source: str, seek_s: float = 0.0) -> np.ndarray:
    """The whole input as float32 16 kHz mono (archived audio, files to transcribe)."""
    pieces = list(iter_pcm(source, seek_s=seek_s))
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)


def iter_pcm(source: str, seek_s: float = 0.0, block_s: float = 30.0) -> Iterator[np.ndarray]:
    """Decode a finite input in blocks; raises when ffmpeg fails before any audio."""
    proc = PcmProcess(pcm_command(source, seek_s=seek_s))
    produced = 0
    try:
        while True:
            block = proc.read(int(block_s * SAMPLE_RATE))
            if block is None:
                break
            produced += len(block)
            yield block
    finally:
        proc.stop()
        code = proc.wait()
    if code != 0 and produced == 0:
        raise describe_failure(source, proc.stderr_text)
    if produced == 0:
        raise NotAudio(f"{source} contains no audio.")
