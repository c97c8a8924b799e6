"""YouTube live chat through yt-dlp: its `live_chat` "subtitle" is the chat, written line by
line while the stream runs (and all at once for an archived one). yt-dlp runs as a child
process writing to a temporary file; a tail loop turns each new line into events."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from ingest.chat.replay import ytdlp_line_events
from ingest.chat.types import ChatEvent

log = logging.getLogger(__name__)


def ytdlp_chat_command(url: str, out_template: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "yt_dlp",
        "--skip-download",
        "--write-subs",
        "--sub-langs",
        "live_chat",
        "--no-progress",
        "--quiet",
        "-o",
        out_template,
        url,
    ]


class ChatFileTail:
    """Follows a growing JSON-lines chat file; complete lines only, each exactly once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._position = 0
        self._partial = b""
        self.bad_lines = 0

    def read_new(self) -> list[ChatEvent]:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self._position)
                data = handle.read()
        except FileNotFoundError:
            return []
        self._position += len(data)
        *lines, self._partial = (self._partial + data).split(b"\n")
        events: list[ChatEvent] = []
        for line in lines:
            if not line.strip():
                continue
            try:
                parsed = ytdlp_line_events(json.loads(line))
            except (json.JSONDecodeError, UnicodeDecodeError):
                parsed = None
            if parsed is None:
                self.bad_lines += 1
            else:
                events.extend(parsed)
        return events


class YouTubeChat:
    def __init__(
        self,
        url: str,
        on_event: Callable[[ChatEvent], None],
        on_status: Callable[[str, dict], None] | None = None,
        poll_s: float = 1.0,
    ) -> None:
        self.url = url
        self.on_event = on_event
        self.on_status = on_status or (lambda state, detail: None)
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._dir = tempfile.TemporaryDirectory(prefix="streamlens-ytchat-")
        self._proc: subprocess.Popen | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> YouTubeChat:
        template = str(Path(self._dir.name) / "chat.%(ext)s")
        self._proc = subprocess.Popen(
            ytdlp_chat_command(self.url, template),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._thread = threading.Thread(target=self._tail, name="youtube-chat", daemon=True)
        self._thread.start()
        return self

    def _tail(self) -> None:
        tail = ChatFileTail(Path(self._dir.name) / "chat.live_chat.json")
        self.on_status("connected", {})
        while True:
            finished = self._proc.poll() is not None
            for event in tail.read_new():
                self.on_event(event)
            if finished or self._stop.wait(self.poll_s):
                break
        for event in tail.read_new():
            self.on_event(event)
        if self._proc.returncode not in (0, None) and not self._stop.is_set():
            message = (self._proc.stderr.read() or b"").decode(errors="replace").strip()
            self.on_status("error", {"message": f"YouTube chat ended: {message[-300:]}"})
        self.on_status("ended", {"bad_lines": tail.bad_lines})

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        if self._thread is not None:
            self._thread.join(timeout)
        self._dir.cleanup()
