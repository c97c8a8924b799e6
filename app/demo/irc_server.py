"""A small IRC server speaking Twitch's chat dialect, on 127.0.0.1.

It answers the anonymous login (CAP REQ, PASS, NICK, JOIN) as Twitch does and sends what
it is told to: tagged PRIVMSGs, CLEARCHAT, CLEARMSG, USERNOTICE, PING. The demo replays a
chat through it; tests use it to check the client against the real protocol, including a
dropped connection (`drop`).
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
import uuid


def escape_tag(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\:")
        .replace(" ", "\\s")
        .replace("\r", "\\r")
        .replace("\n", "\\n")
    )


def tags(**values) -> str:
    return "@" + ";".join(f"{k.replace('_', '-')}={escape_tag(str(v))}" for k, v in values.items())


class _Client(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        owner = self.server.owner
        nick = "justinfan"
        try:
            for raw in self.rfile:
                line = raw.decode("utf-8", errors="replace").strip()
                owner.received.append(line)
                if line.startswith("NICK "):
                    nick = line[5:].strip()
                    self._send(f":tmi.twitch.tv 001 {nick} :Welcome, GLHF!")
                elif line.startswith("CAP REQ"):
                    self._send(f":tmi.twitch.tv CAP * ACK :{line.split(':', 1)[-1]}")
                elif line.startswith("JOIN "):
                    channel = line[5:].strip()
                    self._send(f":{nick}!{nick}@{nick}.tmi.twitch.tv JOIN {channel}")
                    owner.joined(self.connection, channel)
        except OSError:
            pass
        finally:
            owner.left(self.connection)

    def _send(self, text: str) -> None:
        self.connection.sendall((text + "\r\n").encode())


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: TwitchChatServer


class TwitchChatServer:
    def __init__(self, port: int = 0) -> None:
        self._server = _Server(("127.0.0.1", port), _Client)
        self._server.owner = self
        self._clients: dict[socket.socket, str] = {}
        self._lock = threading.Lock()
        self._joined = threading.Condition(self._lock)
        self.joins = 0
        self.received: list[str] = []
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def endpoint(self) -> str:
        return f"irc://127.0.0.1:{self.port}"

    # --- clients ---------------------------------------------------------------------------

    def joined(self, connection: socket.socket, channel: str) -> None:
        with self._joined:
            self._clients[connection] = channel
            self.joins += 1
            self._joined.notify_all()

    def left(self, connection: socket.socket) -> None:
        with self._lock:
            self._clients.pop(connection, None)

    def wait_for_joins(self, count: int, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._joined:
            while self.joins < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._joined.wait(left)
            return True

    def drop(self) -> None:
        """Cut every connection, as a network failure would."""
        with self._lock:
            clients = list(self._clients)
            self._clients.clear()
        for connection in clients:
            try:
                connection.shutdown(socket.SHUT_RDWR)
                connection.close()
            except OSError:
                pass

    def send_raw(self, line: str) -> int:
        """Send a line to every joined client; returns how many got it."""
        data = (line + "\r\n").encode()
        with self._lock:
            clients = list(self._clients)
        sent = 0
        for connection in clients:
            try:
                connection.sendall(data)
                sent += 1
            except OSError:
                self.left(connection)
        return sent

    # --- Twitch messages ---------------------------------------------------------------------

    def privmsg(
        self,
        channel: str,
        user: str,
        text: str,
        *,
        message_id: str | None = None,
        at: float | None = None,
        **extra: str,
    ) -> str:
        message_id = message_id or str(uuid.uuid4())
        head = tags(
            badges=extra.pop("badges", ""),
            color="#1E90FF",
            display_name=extra.pop("display_name", user),
            emotes=extra.pop("emotes", ""),
            first_msg=extra.pop("first_msg", "0"),
            id=message_id,
            tmi_sent_ts=int((at or time.time()) * 1000),
            user_id=abs(hash(user)) % 10**8,
            **extra,
        )
        self.send_raw(f"{head} :{user}!{user}@{user}.tmi.twitch.tv PRIVMSG #{channel} :{text}")
        return message_id

    def clearchat(self, channel: str, user: str, duration_s: int | None = None) -> None:
        values = {"room_id": 1, "target_user_id": 2, "tmi_sent_ts": int(time.time() * 1000)}
        if duration_s:
            values["ban_duration"] = duration_s
        self.send_raw(f"{tags(**values)} :tmi.twitch.tv CLEARCHAT #{channel} :{user}")

    def clearmsg(self, channel: str, user: str, message_id: str, text: str) -> None:
        head = tags(login=user, target_msg_id=message_id, tmi_sent_ts=int(time.time() * 1000))
        self.send_raw(f"{head} :tmi.twitch.tv CLEARMSG #{channel} :{text}")

    def usernotice(
        self, channel: str, user: str, kind: str, system: str, text: str = "", **params
    ) -> None:
        values = {
            "display_name": user,
            "login": user,
            "msg_id": kind,
            "system_msg": system,
            "tmi_sent_ts": int(time.time() * 1000),
            "id": str(uuid.uuid4()),
        }
        values.update({f"msg_param_{k}": v for k, v in params.items()})
        tail = f" :{text}" if text else ""
        self.send_raw(f"{tags(**values)} :tmi.twitch.tv USERNOTICE #{channel}{tail}")

    def ping(self) -> None:
        self.send_raw("PING :tmi.twitch.tv")

    def close(self) -> None:
        self.drop()
        self._server.shutdown()
        self._server.server_close()
