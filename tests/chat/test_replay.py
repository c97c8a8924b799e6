"""Chat replay files: yt-dlp live_chat.json, chat-downloader JSON/JSONL, CSV; bad lines counted."""

from __future__ import annotations

import json

import pytest

from ingest.chat.replay import (
    FORMAT_CHAT_DOWNLOADER,
    FORMAT_CSV,
    FORMAT_YTDLP,
    ChatFormatError,
    parse_chat_replay,
)
from ingest.chat.youtube import ChatFileTail


def yt_line(text: str, offset_ms: int, author: str = "Ann", message_id: str = "m") -> str:
    return json.dumps(
        {
            "replayChatItemAction": {
                "actions": [
                    {
                        "addChatItemAction": {
                            "item": {
                                "liveChatTextMessageRenderer": {
                                    "message": {
                                        "runs": [
                                            {"text": text + " "},
                                            {"emoji": {"emojiId": "x", "shortcuts": [":wave:"]}},
                                        ]
                                    },
                                    "authorName": {"simpleText": author},
                                    "authorExternalChannelId": f"UC{author}",
                                    "timestampUsec": "1700000000000000",
                                    "id": message_id,
                                }
                            }
                        }
                    }
                ],
                "videoOffsetTimeMsec": str(offset_ms),
            }
        }
    )


def test_ytdlp_live_chat_with_a_malformed_line_and_a_deletion():
    deletion = json.dumps(
        {
            "replayChatItemAction": {
                "actions": [{"markChatItemAsDeletedAction": {"targetItemId": "m1"}}],
                "videoOffsetTimeMsec": "9000",
            }
        }
    )
    text = "\n".join(
        [yt_line("hello", 1500, message_id="m1"), "{not json", yt_line("bye", 3000), deletion]
    )
    replay = parse_chat_replay(text, "x.live_chat.json")
    assert replay.format == FORMAT_YTDLP and replay.bad_lines == 1
    first, second, deleted = replay.events
    assert (first.text, first.offset_s, first.emotes, first.display_name) == (
        "hello :wave:",
        1.5,
        (":wave:",),
        "Ann",
    )
    assert second.offset_s == 3.0 and deleted.kind == "delete" and deleted.target_message_id == "m1"
    assert "1 unreadable line(s)" in replay.describe()


def test_chat_downloader_json_and_jsonl():
    items = [
        {
            "message": "gg",
            "message_id": "a",
            "timestamp": 1700000000000000,
            "time_in_seconds": 12.5,
            "author": {"name": "Bo", "id": "UCbo", "badges": [{"title": "Member"}]},
            "message_type": "text_message",
            "emotes": [{"name": ":gg:"}],
        },
        {"message_type": "viewer_engagement_message", "message": "Welcome"},
        "garbage",
    ]
    replay = parse_chat_replay(json.dumps(items), "c.json")
    assert replay.format == FORMAT_CHAT_DOWNLOADER
    assert [(e.text, e.offset_s, e.badges) for e in replay.events] == [("gg", 12.5, ("Member",))]
    assert (replay.skipped, replay.bad_lines) == (1, 1)
    jsonl = "\n".join(json.dumps(i) for i in items[:2]) + "\n{broken\n"
    replay = parse_chat_replay(jsonl, "c.jsonl")
    assert (
        replay.format == FORMAT_CHAT_DOWNLOADER
        and len(replay.events) == 1
        and replay.bad_lines == 1
    )


def test_csv_with_iso_times_offsets_and_bad_rows():
    text = (
        "timestamp,author,message\n"
        "2026-11-28T10:00:05Z,Ann,hello, world\n"
        "12.5,Bo,second\n"
        "yesterday,Cy,bad time\n"
        "onlyonefield\n"
    )
    replay = parse_chat_replay(text, "chat.csv")
    assert replay.format == FORMAT_CSV and replay.bad_lines == 2
    assert [e.text for e in replay.events] == ["hello, world", "second"]
    assert replay.events[0].at.isoformat() == "2026-11-28T10:00:05+00:00"
    assert replay.events[1].offset_s == 12.5


@pytest.mark.parametrize("text", ["", "just some words\n", "a,b\n1,2\n", "[{]"])
def test_unknown_formats_are_refused_in_words(text):
    with pytest.raises(ChatFormatError):
        parse_chat_replay(text, "mystery.txt")


def test_growing_file_is_read_line_by_line_exactly_once(tmp_path):
    path = tmp_path / "chat.live_chat.json"
    tail = ChatFileTail(path)
    assert tail.read_new() == []
    line = yt_line("one", 100)
    path.write_text(line + "\n" + line[:40])  # the second line is still being written
    assert [e.text for e in tail.read_new()] == ["one :wave:"]
    with open(path, "a") as handle:
        handle.write(line[40:] + "\n")
    assert [e.text for e in tail.read_new()] == ["one :wave:"]
    assert tail.read_new() == []
