"""Twitch chat over IRC: anonymous and read-only, as Twitch documents it.

Connects as `justinfanNNNNN` (no account or token), requests the tags and commands
capabilities, joins `#channel`, answers PING, and turns PRIVMSG, CLEARCHAT, CLEARMSG and
USERNOTICE into `ChatEvent`s. A dropped connection (or Twitch's RECONNECT) is retried with
exponential backoff and the channel rejoined. The endpoint is configurable
(`irc://host:port` plain, `ircs://host:port` or `host:port` TLS) so a proxy or a local test
server can stand in for irc.chat.twitch.tv.
"""

from __future__ import annotations

import contextlib
import logging
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlparse

from ingest.chat.types import (
    KIND_BAN,
    KIND_CLEAR,
    KIND_DELETE,
    KIND_MESSAGE,
    KIND_NOTICE,
    KIND_RAID,
    KIND_SUB,
    KIND_TIMEOUT,
    ChatEvent,
    utc_from_ms,
)
from ingest.errors import IngestError

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "ircs://irc.chat.twitch.tv:6697"
_TAG_ESCAPES = {":": ";", "s": " ", "\\": "\\", "r": "\r", "n": "\n"}
SUB_NOTICES = {"sub", "resub", "subgift", "submysterygift", "giftpaidupgrade", "primepaidupgrade"}


@dataclass(frozen=True)
class IrcLine:
    tags: dict[str, str]
    prefix: str
    command: str
    params: list[str]

    @property
    def nick(self) -> str:
        return self.prefix.split("!", 1)[0]

    @property
    def trailing(self) -> str:
        return self.params[-1] if self.params else ""


def unescape_tag(value: str) -> str:
    out = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            out.append(_TAG_ESCAPES.get(value[i + 1], value[i + 1]))
            i += 2
            continue
        if ch != "\\":
            out.append(ch)
        i += 1
    return "".join(out)


def parse_line(line: str) -> IrcLine:
    """One IRC line (IRCv3 tags, prefix, command, params with a trailing part)."""
    rest = line.rstrip("\r\n")
    tags: dict[str, str] = {}
    if rest.startswith("@"):
        raw, _, rest = rest[1:].partition(" ")
        for item in raw.split(";"):
            key, _, value = item.partition("=")
            tags[key] = unescape_tag(value)
    prefix = ""
    if rest.startswith(":"):
        prefix, _, rest = rest[1:].partition(" ")
    rest = rest.lstrip(" ")
    trailing = None
    if " :" in rest:
        rest, _, trailing = rest.partition(" :")
    elif rest.startswith(":"):
        rest, trailing = "", rest[1:]
    parts = rest.split()
    command = parts[0].upper() if parts else ""
    params = parts[1:] + ([trailing] if trailing is not None else [])
    return IrcLine(tags, prefix, command, params)


def emote_names(text: str, spec: str) -> tuple[str, ...]:
    """Names of the emotes in `text` from the `emotes` tag ("25:0-4,12-16/1902:6-10")."""
    found: list[tuple[int, str]] = []
    for part in filter(None, spec.split("/")):
        _emote_id, _, ranges = part.partition(":")
        for span in filter(None, ranges.split(",")):
            try:
                start, end = (int(x) for x in span.split("-"))
            except ValueError:
                continue
            found.append((start, text[start : end + 1]))
    return tuple(name for _start, name in sorted(found) if name)


def to_event(line: IrcLine, channel: str) -> ChatEvent | None:
    """The chat event an IRC line carries, or None for protocol traffic."""
    tags = line.tags
    at = utc_from_ms(tags.get("tmi-sent-ts"))
    common = {"at": at, "platform": "twitch", "channel": channel}
    if line.command == "PRIVMSG":
        text = line.trailing
        if text.startswith("\x01ACTION ") and text.endswith("\x01"):
            text = text[8:-1]
        return ChatEvent(
            kind=KIND_MESSAGE,
            text=text,
            author=tags.get("login") or line.nick,
            display_name=tags.get("display-name") or line.nick,
            message_id=tags.get("id"),
            badges=tuple(b.split("/")[0] for b in tags.get("badges", "").split(",") if b),
            emotes=emote_names(text, tags.get("emotes", "")),
            bits=int(tags.get("bits") or 0),
            first_message=tags.get("first-msg") == "1",
            **common,
        )
    if line.command == "CLEARCHAT":
        target = line.params[1] if len(line.params) > 1 else None
        if target is None:
            return ChatEvent(kind=KIND_CLEAR, **common)
        duration = tags.get("ban-duration")
        return ChatEvent(
            kind=KIND_TIMEOUT if duration else KIND_BAN,
            target_user=target,
            duration_s=float(duration) if duration else None,
            **common,
        )
    if line.command == "CLEARMSG":
        return ChatEvent(
            kind=KIND_DELETE,
            text=line.trailing,
            target_user=tags.get("login"),
            target_message_id=tags.get("target-msg-id"),
            **common,
        )
    if line.command == "USERNOTICE":
        notice = tags.get("msg-id", "")
        kind = KIND_SUB if notice in SUB_NOTICES else KIND_RAID if notice == "raid" else KIND_NOTICE
        extra = {k[10:]: v for k, v in tags.items() if k.startswith("msg-param-")}
        extra["notice"] = notice
        extra["system"] = tags.get("system-msg", "")
        return ChatEvent(
            kind=kind,
            text=line.trailing if len(line.params) > 1 else "",
            author=tags.get("login", ""),
            display_name=tags.get("display-name", ""),
            message_id=tags.get("id"),
            extra=extra,
            **common,
        )
    return None


def parse_endpoint(value: str | None) -> tuple[str, int, bool]:
    """(host, port, tls) from `irc://h:p`, `ircs://h:p` or `h:p` (TLS)."""
    text = (value or DEFAULT_ENDPOINT).strip()
    if "://" not in text:
        text = "ircs://" + text
    parsed = urlparse(text)
    if parsed.scheme not in ("irc", "ircs") or not parsed.hostname:
        raise IngestError(f"Cannot read the IRC endpoint {value!r} (try irc.chat.twitch.tv:6697).")
    tls = parsed.scheme == "ircs"
    return parsed.hostname, parsed.port or (6697 if tls else 6667), tls


class TwitchChat:
    """Reads one channel's chat in a thread and hands each event to `on_event`."""

    def __init__(
        self,
        channel: str,
        on_event: Callable[[ChatEvent], None],
        *,
        endpoint: str | None = None,
        on_status: Callable[[str, dict], None] | None = None,
        max_backoff_s: float = 30.0,
        connect_timeout_s: float = 10.0,
    ) -> None:
        self.channel = channel.lower().lstrip("#")
        self.host, self.port, self.tls = parse_endpoint(endpoint)
        self.on_event = on_event
        self.on_status = on_status or (lambda state, detail: None)
        self.max_backoff_s = max_backoff_s
        self.connect_timeout_s = connect_timeout_s
        self.reconnects = 0
        self._stop = threading.Event()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> TwitchChat:
        self._thread = threading.Thread(target=self._run, name=f"twitch-chat-{self.channel}")
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        delay = 1.0
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self._session()
            except OSError as exc:
                if self._stop.is_set():
                    break
                log.info("Twitch chat %s: connection lost (%s)", self.channel, exc)
            if self._stop.is_set():
                break
            if time.monotonic() - started > 60:
                delay = 1.0  # it had been working: start the backoff over
            self.reconnects += 1
            self.on_status("reconnecting", {"delay_s": delay, "attempt": self.reconnects})
            if self._stop.wait(delay * (0.8 + 0.4 * random.random())):
                break
            delay = min(self.max_backoff_s, delay * 2)
        self.on_status("ended", {})

    def _session(self) -> None:
        raw = socket.create_connection((self.host, self.port), timeout=self.connect_timeout_s)
        sock: socket.socket = (
            ssl.create_default_context().wrap_socket(raw, server_hostname=self.host)
            if self.tls
            else raw
        )
        self._sock = sock
        try:
            sock.settimeout(360)  # Twitch pings every ~5 minutes
            nick = f"justinfan{random.randint(10000, 99999)}"
            self._send(sock, "CAP REQ :twitch.tv/tags twitch.tv/commands")
            self._send(sock, "PASS SCHMOOPIIE")
            self._send(sock, f"NICK {nick}")
            self._send(sock, f"JOIN #{self.channel}")
            self.on_status("connected", {"channel": self.channel})
            buffer = b""
            while not self._stop.is_set():
                data = sock.recv(65536)
                if not data:
                    raise ConnectionResetError("the server closed the connection")
                buffer += data
                *lines, buffer = buffer.split(b"\n")
                for raw_line in lines:
                    self._handle(sock, raw_line.decode("utf-8", errors="replace"))
        finally:
            self._sock = None
            with contextlib.suppress(OSError):
                sock.close()

    def _handle(self, sock: socket.socket, text: str) -> None:
        if not text.strip():
            return
        line = parse_line(text)
        if line.command == "PING":
            self._send(sock, f"PONG :{line.trailing or 'tmi.twitch.tv'}")
            return
        if line.command == "RECONNECT":
            raise ConnectionResetError("Twitch asked to reconnect")
        if line.command == "NOTICE" and "msg_channel_suspended" in line.tags.get("msg-id", ""):
            self.on_status("error", {"message": f"The Twitch channel {self.channel} is suspended."})
        event = to_event(line, self.channel)
        if event is not None:
            self.on_event(event)

    @staticmethod
    def _send(sock: socket.socket, text: str) -> None:
        sock.sendall((text + "\r\n").encode("utf-8"))
