"""Chat flood: how fast the chat pipeline keeps up, end to end over a loopback IRC server.

Sends `--messages` Twitch PRIVMSGs at `--rate` a second (0: as fast as possible) through the
app's loopback Twitch IRC server to the real client (`TwitchChat`), the recorder
(`ChatRecorder`: moderation with context, one SQLite transaction a batch) and the event bus.
Prints the rate sent, the rate stored, the delay from sending a message to its reaching the
GUI (p50/p95/max), the largest backlog waiting for the recorder and the largest batch.
(`tests/app/test_chat.py` checks that a flood loses, duplicates and reorders nothing.)

    .venv/bin/python benchmarks/chat_flood.py [--rate 500] [--messages 5000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from app.chat_capture import ChatRecorder  # noqa: E402
from app.demo.irc_server import TwitchChatServer  # noqa: E402
from app.events import ChatReceived, EventBus  # noqa: E402
from ingest.chat.twitch import TwitchChat  # noqa: E402
from storage import Library  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=500.0, help="messages a second; 0: no pause")
    parser.add_argument("--messages", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        library = Library(f"sqlite:///{Path(tmp) / 'bench.db'}")
        recording = library.recordings.create(url="https://www.twitch.tv/bench", mode="live")
        sent_at: dict[str, float] = {}
        arrived_at: dict[str, float] = {}
        batches: list[int] = []
        done = threading.Event()
        backlog = 0
        received = 0

        def on_event(event) -> None:
            if not isinstance(event, ChatReceived):
                return
            now = time.perf_counter()
            batches.append(len(event.items))
            for item in event.items:
                arrived_at[item.message_id] = now
            if len(arrived_at) >= args.messages:
                done.set()

        bus = EventBus()
        bus.subscribe(on_event)
        load_start = time.perf_counter()
        recorder = ChatRecorder(library, recording.id, recording.started_at, bus, channel="bench")
        recorder.start()
        load_s = time.perf_counter() - load_start

        def submit(event) -> None:
            nonlocal backlog, received
            received += 1
            backlog = max(backlog, received - len(arrived_at))
            recorder.submit(event)

        server = TwitchChatServer()
        client = TwitchChat("bench", submit, endpoint=server.endpoint).start()
        if not server.wait_for_joins(1):
            print("The chat client did not join the loopback server.", file=sys.stderr)
            return 1
        start = time.perf_counter()
        for i in range(args.messages):
            if args.rate > 0:
                delay = start + i / args.rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            now = time.perf_counter()
            message_id = server.privmsg("bench", f"user{i % 300}", f"message number {i} PogChamp")
            sent_at[message_id] = now
        send_s = time.perf_counter() - start
        finished = done.wait(timeout=max(60.0, args.messages / 50))
        total_s = time.perf_counter() - start
        client.stop()
        recorder.stop()
        server.close()
        stored = library.chat.count(recording.id)
        library.close()
    delays = np.array([arrived_at[m] - sent_at[m] for m in sent_at if m in arrived_at])
    rate = "as fast as possible" if args.rate <= 0 else f"{args.rate:.0f}/s asked"
    print(f"moderation model load: {load_s:.1f} s")
    print(
        f"sent   : {args.messages} messages in {send_s:.2f} s "
        f"({args.messages / send_s:,.0f}/s, {rate})"
    )
    print(
        f"stored : {stored} in {total_s:.2f} s ({stored / total_s:,.0f}/s end to end)"
        + ("" if finished else "  — NOT ALL ARRIVED")
    )
    if len(delays):
        print(
            "send → GUI delay: p50 {:.2f} s, p95 {:.2f} s, max {:.2f} s".format(
                *np.percentile(delays, [50, 95]), delays.max()
            )
        )
    print(
        f"largest backlog: {backlog} messages; "
        f"batches: {len(batches)}, largest {max(batches, default=0)}"
    )
    return 0 if finished else 1


if __name__ == "__main__":
    sys.exit(main())
