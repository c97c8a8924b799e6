"""The demo source: the monologue as a live HLS stream and its chat as a Twitch channel, both
served on 127.0.0.1 by the app itself, so a first run needs neither internet nor a URL."""

from __future__ import annotations

import functools
import http.server
import logging
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from app.demo.irc_server import TwitchChatServer
from app.demo.script import CHANNEL, CHAT, TITLE
from app.errors import UsageError
from app.session import RecordingJob
from ingest.ffmpeg import ffmpeg_exe

log = logging.getLogger(__name__)

AUDIO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "monologue.opus"
SEGMENT_S = 1.0


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A player that hangs up mid-segment (its session stopped, the window closed) is
        normal: nothing to print. Anything else goes to the log, not to the terminal."""
        if isinstance(sys.exc_info()[1], ConnectionError):  # broken pipe, reset, aborted
            return
        log.warning("The demo stream could not answer %s", client_address, exc_info=True)


class DemoSource:
    def __init__(self, audio: Path = AUDIO) -> None:
        self.audio = audio
        self._dir: Path | None = None
        self._encoder: subprocess.Popen | None = None
        self._http: http.server.ThreadingHTTPServer | None = None
        self.chat = TwitchChatServer()
        self._stop = threading.Event()
        self._started_at = 0.0
        self.sent = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}/live.m3u8"

    def job(self, mode: str = "live") -> RecordingJob:
        # Short clips, so a one-minute demo shows summaries arriving as it runs.
        return RecordingJob(
            url=self.url, mode=mode, name=TITLE, chat=f"twitch:{CHANNEL}", summary_clip_s=20.0
        )

    def start(self, timeout_s: float = 15.0) -> DemoSource:
        """Begin streaming; returns once the first HLS segment exists."""
        if not self.audio.is_file():
            raise UsageError(f"The demo audio is missing ({self.audio}); reinstall Streamlens.")
        self._dir = Path(tempfile.mkdtemp(prefix="streamlens-demo-"))
        playlist = self._dir / "live.m3u8"
        self._encoder = subprocess.Popen(
            [
                ffmpeg_exe(),
                "-y",
                "-loglevel",
                "error",
                "-re",
                "-i",
                str(self.audio),
                "-c:a",
                "aac",
                "-b:a",
                "64k",
                "-f",
                "hls",
                "-hls_time",
                str(SEGMENT_S),
                "-hls_list_size",
                "0",
                "-hls_segment_filename",
                str(self._dir / "seg%05d.ts"),
                str(playlist),
            ],
            stdin=subprocess.DEVNULL,
        )
        self._started_at = time.time()
        handler = functools.partial(_QuietHandler, directory=str(self._dir))
        self._http = _QuietServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        threading.Thread(target=self._replay_chat, name="demo-chat", daemon=True).start()
        deadline = time.monotonic() + timeout_s
        while not (playlist.exists() and ".ts" in playlist.read_text()):
            if time.monotonic() > deadline or self._encoder.poll() not in (None, 0):
                self.stop()
                raise UsageError("The demo stream could not start (ffmpeg produced no audio).")
            time.sleep(0.1)
        return self

    def _replay_chat(self) -> None:
        """Once a chat client has joined, send each line at its time in the stream."""
        while not self.chat.wait_for_joins(1, timeout=0.5):
            if self._stop.is_set():
                return
        for offset, user, text in CHAT:
            delay = self._started_at + offset - time.time()
            if delay > 0 and self._stop.wait(delay):
                return
            if user == "*timeout*":
                self.chat.clearchat(CHANNEL, text, 60)
            else:
                self.chat.privmsg(CHANNEL, user, text, at=self._started_at + offset)
            self.sent += 1

    def stop(self) -> None:
        self._stop.set()
        if self._encoder is not None and self._encoder.poll() is None:
            self._encoder.terminate()
            try:
                self._encoder.wait(5)
            except subprocess.TimeoutExpired:
                self._encoder.kill()
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        self.chat.close()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
