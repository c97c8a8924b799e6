"""Chat beside a recording: a flood loses nothing, moderation events land, stats, CLI."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from datetime import UTC, datetime

import pytest

from app.chat_capture import MAX_BATCH, ChatRecorder, chat_spec_for
from app.chat_stats import compute_windows, recording_stats, refresh_windows
from app.demo.irc_server import TwitchChatServer
from app.events import ChatReceived, EventBus
from ingest.chat.twitch import TwitchChat
from storage import ChatMessageRecord
from tests.app.helpers import demo_moderation_problems, open_library, wait_for
from tests.nlp.test_moderation import CHANNEL_CHATTER


@pytest.fixture
def server():
    srv = TwitchChatServer()
    yield srv
    srv.close()


def test_chat_spec_from_platform_or_choice():
    assert chat_spec_for("auto", "https://www.twitch.tv/Shroud", "twitchstream").target == "Shroud"
    assert (
        chat_spec_for("auto", "https://www.youtube.com/watch?v=x", "youtube").platform == "youtube"
    )
    assert chat_spec_for("auto", "http://127.0.0.1/live.m3u8", None) is None
    assert chat_spec_for("twitch:demo", "http://127.0.0.1/live.m3u8", None).target == "demo"
    assert chat_spec_for("off", "https://www.twitch.tv/x", "twitchstream") is None


def test_a_flood_of_500_messages_a_second_for_10_seconds_loses_nothing(server, workdir):
    """5000 messages at 500 a second through the loopback IRC server are each stored once,
    in order, with a verdict, and reach the GUI once, in order, as they are stored (not only
    when the recorder stops). The recorder starts late, as if its database had been locked
    for a few seconds, so more than MAX_BATCH messages are waiting for it: it catches up in
    transactions of at most MAX_BATCH. (The rate it keeps up with is a figure:
    `benchmarks/chat_flood.py`.)"""
    library = open_library(workdir)
    recording = library.recordings.create(url="https://www.twitch.tv/demo", mode="live")
    bus = EventBus()
    batches: list[list[str | None]] = []
    bus.subscribe(
        lambda e: (
            batches.append([item.message_id for item in e.items])
            if isinstance(e, ChatReceived)
            else None
        )
    )
    recorder = ChatRecorder(library, recording.id, recording.started_at, bus, channel="demo")
    recorder.ensure_model()
    received: list[str | None] = []

    def submit(event) -> None:
        received.append(event.message_id)
        recorder.submit(event)

    client = TwitchChat("demo", submit, endpoint=server.endpoint).start()
    assert server.wait_for_joins(1)
    sent: list[str] = []

    def flood():
        start = time.monotonic()
        for i in range(5000):
            target = start + i / 500
            delay = target - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            sent.append(server.privmsg("demo", f"user{i % 300}", f"message number {i} PogChamp"))

    thread = threading.Thread(target=flood)
    thread.start()
    wait_for(lambda: len(received) > MAX_BATCH + 100, timeout=30, interval=0.05)
    recorder.start()
    thread.join()
    with contextlib.suppress(TimeoutError):
        wait_for(lambda: library.chat.count(recording.id) >= 5000, timeout=60)
    stored_before_stop = library.chat.count(recording.id)
    client.stop()
    recorder.stop()
    stored = library.chat.for_recording(recording.id)
    assert [m.message_id for m in stored] == sent  # all, once, in order
    assert all(m.violation is not None for m in stored)  # every message got a verdict
    assert [i for batch in batches for i in batch] == sent  # the GUI too: all, once, in order
    assert len(batches[0]) == MAX_BATCH  # the backlog: one full transaction...
    assert all(len(batch) <= MAX_BATCH for batch in batches)  # ...never a bigger one
    assert stored_before_stop == 5000  # stored as it came, not only when stopped


def test_moderation_events_mark_messages_and_are_stored(server, workdir):
    library = open_library(workdir)
    recording = library.recordings.create(url="https://www.twitch.tv/demo", mode="live")
    recorder = ChatRecorder(library, recording.id, recording.started_at, EventBus(), channel="demo")
    recorder.start()
    client = TwitchChat("demo", recorder.submit, endpoint=server.endpoint).start()
    assert server.wait_for_joins(1)
    bad = server.privmsg("demo", "troll", "you are a worthless idiot streamer")
    server.privmsg("demo", "troll", "i will keep saying it")
    kept = server.privmsg("demo", "fan", "great run today!", first_msg="1")
    server.clearmsg("demo", "troll", bad, "you are a worthless idiot streamer")
    server.clearchat("demo", "troll", 600)
    server.usernotice("demo", "fan", "sub", "fan subscribed at Tier 1.")
    wait_for(lambda: len(library.chat.for_recording(recording.id)) == 6, timeout=10)
    client.stop()
    recorder.stop()
    rows = {m.message_id: m for m in library.chat.for_recording(recording.id)}
    assert rows[bad].deleted and not rows[kept].deleted
    assert sum(m.deleted for m in rows.values() if m.author == "troll") == 2  # the timeout too
    kinds = [m.kind for m in library.chat.for_recording(recording.id)]
    assert kinds.count("timeout") == 1 and kinds.count("delete") == 1 and kinds.count("sub") == 1
    refresh_windows(library, recording.id)
    stats = recording_stats(library, recording.id)
    assert stats.messages == 3 and stats.chatters == 2 and stats.first_timers == 1
    assert stats.moderation == {"delete": 1, "timeout": 1}
    hits = library.chat.search("worthless")
    assert hits and hits[0].source == "chat" and hits[0].snippet.startswith("troll:")


def message(offset: float, author: str = "a", kind: str = "message") -> ChatMessageRecord:
    return ChatMessageRecord(
        id=0,
        recording_id=1,
        at=datetime.now(UTC),
        offset_s=offset,
        kind=kind,
        platform="twitch",
        message_id=None,
        author=author,
        display_name=author,
        text="x",
    )


def test_spike_windows_stand_far_above_the_rolling_baseline():
    messages = [message(m * 60 + s, f"u{s % 3}") for m in range(12) for s in range(0, 60, 20)]
    messages += [message(10 * 60 + 0.1 * i, f"burst{i}") for i in range(40)]  # minute 10
    windows = compute_windows(messages, duration_s=720, first_seen_before=set())
    assert [w["is_spike"] for w in windows].index(True) == 10
    assert sum(w["is_spike"] for w in windows) == 1
    assert windows[10]["messages"] == 43 and windows[10]["first_timers"] == 40


def test_stats_over_the_chat_a_view_already_read_equal_stats_read_afresh(workdir):
    """The recording view hands the chat it read to the statistics instead of reading 50,000
    messages twice; each spike's sample is the first messages of its window in time order."""
    from benchmarks.gui_large import build_large_recording

    library = open_library(workdir)
    large = build_large_recording(library, 300, 4000, seed=3)
    rid = large.recording_id
    events = library.chat.for_recording(rid)
    given = recording_stats(
        library, rid, events=events, segments=library.segments.for_recording(rid)
    )
    assert given == recording_stats(library, rid)
    assert given.spikes, "the synthetic chat has bursts"
    messages = sorted((m for m in events if m.kind == "message"), key=lambda m: m.offset_s)
    for spike in given.spikes:
        window = [m for m in messages if spike.start_s <= m.offset_s < spike.end_s]
        assert spike.sample == [f"{m.display_name or m.author}: {m.text}" for m in window[:5]]


@pytest.mark.slow
def test_record_captures_chat_on_the_transcript_timeline(server, hls_stream, run_cli, workdir):
    import subprocess
    import sys

    from tests.conftest import ROOT, cli_env

    env = cli_env(workdir)
    env["STREAMLENS_TWITCH_IRC"] = server.endpoint
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "record",
            hls_stream.url,
            "--chat",
            "twitch:demo",
            "--duration",
            "14",
            "--mode",
            "monitor",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.wait_for_joins(1, timeout=60)
    for i in range(20):
        server.privmsg("demo", f"viewer{i % 4}", f"hello number {i}")
        time.sleep(0.25)
    server.privmsg("demo", "spammer", "FREE FOLLOWERS at cheapviewers dot com buy now")
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "21 chat messages" in err
    library = open_library(workdir)
    [recording] = library.recordings.list()
    chat = library.chat.for_recording(recording.id)
    assert len(chat) == 21
    assert all(0 <= m.offset_s <= recording.duration_s + 1 for m in chat)
    assert library.chat.windows(recording.id), "chat windows were not stored"
    printed = run_cli("chat", str(recording.id))
    assert "viewer1: hello number 1" in printed.stdout
    stats = run_cli("stats", str(recording.id))
    assert "messages 21" in stats.stdout and "chatters 5" in stats.stdout


def test_moderate_cli_reads_jsonl_with_context_and_replays(run_cli, tmp_path):
    path = tmp_path / "log.jsonl"
    lines = [
        {"message": "great stream, thanks!"},
        {
            "message": "follow me at www.cheap-viewers.com for free followers",
            "context": ["hi", "hello"],
        },
        {"message": "lol", "context": [{"author": "x", "message": "lol"}], "author": "x"},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines))
    result = run_cli("moderate", str(path))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["message"] for r in rows] == [x["message"] for x in lines]
    assert set(rows[0]) == {"message", "violation", "score", "category", "target"}
    assert all(0 <= r["score"] <= 1 for r in rows)
    csv_path = tmp_path / "chat.csv"
    csv_path.write_text("timestamp,author,message\n1,ann,hi all\nbad row\n")
    result = run_cli("moderate", str(csv_path))
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 1
    assert "1 unreadable line" in result.stderr
    result = run_cli("moderate", str(tmp_path / "nope.jsonl"))
    assert result.returncode == 1 and "Cannot read" in result.stderr


@pytest.mark.xfail(
    strict=True,
    reason="issue 17: the message-only model misses the demo's insult (score 0.13, threshold "
    "0.16); the bot's ad is now an advertisement both times; strict, so the fix shows here",
)
def test_the_demo_chat_is_moderated_as_its_script_expects(workdir):
    """The demo's chat through the recorder a live session uses (its channel, title and the
    default threshold; the real moderation model; SQLite): the insult, the advertisements
    and the third identical message are flagged with their categories, ordinary chat is
    not, and each timeout greys its user's messages."""
    from datetime import timedelta

    from app.demo.script import CHANNEL, CHAT, TITLE
    from ingest.chat.types import KIND_MESSAGE, KIND_TIMEOUT, ChatEvent

    library = open_library(workdir)
    recording = library.recordings.create(url=f"https://www.twitch.tv/{CHANNEL}", mode="live")
    recorder = ChatRecorder(
        library, recording.id, recording.started_at, EventBus(), channel=CHANNEL, title=TITLE
    )
    start = recording.started_at.replace(tzinfo=UTC)
    events = [
        ChatEvent(at=start + timedelta(seconds=offset), kind=KIND_TIMEOUT, target_user=text)
        if user == "*timeout*"
        else ChatEvent(
            at=start + timedelta(seconds=offset),
            kind=KIND_MESSAGE,
            text=text,
            author=user,
            message_id=str(i),
        )
        for i, (offset, user, text) in enumerate(CHAT)
    ]
    recorder.store_all(events)
    stored = library.chat.for_recording(recording.id, kinds=("message",))
    problems = demo_moderation_problems(stored)
    assert not problems, "\n".join(problems)
    deleted = {m.author for m in stored if m.deleted}
    assert deleted == {"trollface99", "cheapviews_bot"}


@pytest.mark.slow
def test_demo_command_records_the_built_in_stream_and_chat(run_cli, workdir):
    result = run_cli("demo", "--mode", "monitor", timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "mountain" in result.stdout.lower()  # the monologue, transcribed
    assert "-- timeout: trollface99" in result.stdout
    library = open_library(workdir)
    [recording] = library.recordings.list()
    assert recording.status == "complete"
    stored = library.chat.for_recording(recording.id, kinds=("message",))
    # Every scripted message arrived, in order (asserted inside). Whether each was judged as
    # the script expects is test_the_demo_chat_is_moderated_as_its_script_expects (issue 17).
    demo_moderation_problems(stored)
    for message in library.chat.for_recording(recording.id, flagged_only=True):
        # each flag printed as it arrived: ⚑ category: author: text
        assert f"⚑ {message.category}: {message.author}: {message.text}" in result.stdout


def test_a_channel_threshold_changes_what_is_flagged_in_that_channel(workdir):
    """The same chat, judged with each channel's threshold from the preferences (passed to the
    recorder as a live session does): an insult a lenient channel lets through, an ordinary
    gripe a strict channel flags; both for the first message of a stream (message-only
    model) and for messages after a screenful of chat (context model)."""
    from datetime import timedelta

    from app.config import load_settings
    from app.preferences import Preferences
    from ingest.chat.types import KIND_MESSAGE, ChatEvent

    preferences = Preferences.model_validate(
        {"moderation": {"channels": {"#StrictChannel": 0.05, "LenientChannel": 0.95}}}
    )
    settings = load_settings(data_dir=str(workdir / "data"), preferences=preferences)
    insult, gripe = "you are a worthless idiot, nobody likes you", "this game is trash"
    chat = [("troll", insult)] + [(f"viewer{i}", t) for i, t in enumerate(CHANNEL_CHATTER)]
    chat += [("bully", insult), ("grumpy", gripe)]
    first, later, griping = 0, len(chat) - 2, len(chat) - 1
    library = open_library(workdir)
    flagged = {}
    for channel in ("otherchannel", "strictchannel", "lenientchannel"):
        recording = library.recordings.create(url=f"https://www.twitch.tv/{channel}", mode="live")
        recorder = ChatRecorder(
            library,
            recording.id,
            recording.started_at,
            EventBus(),
            channel=channel,
            threshold=settings.threshold_for(channel),
        )
        start = recording.started_at.replace(tzinfo=UTC)
        recorder.store_all(
            [
                ChatEvent(
                    at=start + timedelta(seconds=i),
                    kind=KIND_MESSAGE,
                    text=text,
                    author=author,
                    message_id=str(i),
                )
                for i, (author, text) in enumerate(chat)
            ]
        )
        rows = library.chat.for_recording(recording.id)
        flagged[channel] = {int(m.message_id) for m in rows if m.violation}
    assert {first, later} <= flagged["otherchannel"] and griping not in flagged["otherchannel"]
    assert {first, later, griping} <= flagged["strictchannel"]
    assert not {first, later, griping} & flagged["lenientchannel"]
