"""Twitch chat over IRC against a real server on 127.0.0.1 speaking Twitch's dialect."""

from __future__ import annotations

import threading
import time

import pytest

from app.demo.irc_server import TwitchChatServer
from ingest.chat.twitch import TwitchChat, emote_names, parse_endpoint, parse_line, to_event
from ingest.chat.types import ChatEvent
from ingest.errors import IngestError
from tests.app.helpers import wait_for


def test_parse_tags_escapes_prefix_and_trailing():
    line = parse_line(
        "@badges=moderator/1,subscriber/12;display-name=Ann\\sB;emotes=25:0-4,11-15;"
        "first-msg=1;id=abc;tmi-sent-ts=1700000000000;bits=100 "
        ":ann!ann@ann.tmi.twitch.tv PRIVMSG #chan :Kappa hi : Kappa"
    )
    assert (line.command, line.params) == ("PRIVMSG", ["#chan", "Kappa hi : Kappa"])
    event = to_event(line, "chan")
    assert (event.author, event.display_name, event.message_id) == ("ann", "Ann B", "abc")
    assert event.badges == ("moderator", "subscriber") and event.first_message
    assert event.emotes == ("Kappa", "Kappa") and event.bits == 100
    assert event.at.year == 2023


def test_action_moderation_and_notices():
    me = to_event(parse_line(":b!b@b PRIVMSG #c :\x01ACTION waves\x01"), "c")
    assert me.text == "waves"
    timeout = to_event(parse_line("@ban-duration=600 :tmi.twitch.tv CLEARCHAT #c :troll"), "c")
    assert (timeout.kind, timeout.target_user, timeout.duration_s) == ("timeout", "troll", 600)
    ban = to_event(parse_line(":tmi.twitch.tv CLEARCHAT #c :troll"), "c")
    assert ban.kind == "ban"
    assert to_event(parse_line(":tmi.twitch.tv CLEARCHAT #c"), "c").kind == "clear"
    deleted = to_event(
        parse_line("@login=x;target-msg-id=m1 :tmi.twitch.tv CLEARMSG #c :bad words"), "c"
    )
    assert (deleted.kind, deleted.target_message_id) == ("delete", "m1")
    raid = to_event(
        parse_line(
            "@msg-id=raid;msg-param-viewerCount=42;login=r;system-msg=42\\sraiders "
            ":tmi.twitch.tv USERNOTICE #c"
        ),
        "c",
    )
    assert (raid.kind, raid.extra["viewerCount"], raid.extra["system"]) == (
        "raid",
        "42",
        "42 raiders",
    )
    assert parse_line("PING :tmi.twitch.tv").command == "PING"
    assert emote_names("ab", "1:5-9") == ()  # out-of-range positions are ignored


def test_endpoints():
    assert parse_endpoint(None) == ("irc.chat.twitch.tv", 6697, True)
    assert parse_endpoint("irc://127.0.0.1:6667") == ("127.0.0.1", 6667, False)
    assert parse_endpoint("proxy.local:7000") == ("proxy.local", 7000, True)
    with pytest.raises(IngestError):
        parse_endpoint("http://x")


@pytest.fixture
def server():
    srv = TwitchChatServer()
    yield srv
    srv.close()


def test_every_message_once_in_order_across_a_dropped_connection(server):
    events: list[ChatEvent] = []
    statuses: list[str] = []
    lock = threading.Lock()

    def collect(event):
        with lock:
            events.append(event)

    client = TwitchChat(
        "Demo", collect, endpoint=server.endpoint, on_status=lambda s, d: statuses.append(s)
    ).start()
    try:
        assert server.wait_for_joins(1)
        assert any(line.startswith("NICK justinfan") for line in server.received)
        assert "JOIN #demo" in server.received
        assert any("twitch.tv/tags twitch.tv/commands" in line for line in server.received)
        server.ping()
        wait_for(lambda: "PONG :tmi.twitch.tv" in server.received, timeout=5)
        first = [server.privmsg("demo", "ann", f"before drop {i}") for i in range(50)]
        server.privmsg("demo", "bo", "Kappa nice", emotes="25:0-4", badges="subscriber/3")
        server.clearmsg("demo", "ann", first[3], "before drop 3")
        server.clearchat("demo", "troll", 600)
        server.clearchat("demo", "spammer")
        server.usernotice("demo", "cy", "sub", "cy subscribed", "hello!")
        server.usernotice("demo", "dd", "raid", "5 raiders", viewerCount=5)
        wait_for(lambda: len(events) == 56, timeout=10)
        server.drop()
        assert server.wait_for_joins(2, timeout=15), "the client did not reconnect and rejoin"
        after = [server.privmsg("demo", "ann", f"after drop {i}") for i in range(50)]
        wait_for(lambda: len(events) == 106, timeout=10)
        time.sleep(0.3)
    finally:
        client.stop()
    messages = [e for e in events if e.kind == "message"]
    assert [e.message_id for e in messages] == [*first, messages[50].message_id, *after]
    assert len({e.message_id for e in messages}) == len(messages)  # exactly once
    kinds = [e.kind for e in events[50:56]]
    assert kinds == ["message", "delete", "timeout", "ban", "sub", "raid"]
    assert events[52].duration_s == 600 and events[51].target_message_id == first[3]
    assert messages[50].emotes == ("Kappa",) and messages[50].badges == ("subscriber",)
    assert client.reconnects == 1 and "reconnecting" in statuses


def test_unreachable_endpoint_keeps_retrying_without_crashing():
    statuses: list[tuple[str, dict]] = []
    client = TwitchChat(
        "x",
        lambda e: None,
        endpoint="irc://127.0.0.1:9",
        on_status=lambda s, d: statuses.append((s, d)),
    ).start()
    try:
        wait_for(lambda: len(statuses) >= 2, timeout=10)
    finally:
        client.stop()
    assert statuses[0][0] == "reconnecting" and statuses[1][1]["attempt"] == 2
