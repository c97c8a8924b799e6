"""The rows each search backend selects, as `SearchHit`s: one shape for both databases."""

from __future__ import annotations

from storage.records import SearchHit


def transcript_hit(row, snippet: str) -> SearchHit:
    """A hit from a row that starts (recording_id, title, segment id, start_s, end_s, text,
    speaker), as both backends select it, and its highlighted snippet."""
    recording_id, title, segment_id, start_s, end_s, body, speaker = row[:7]
    return SearchHit(
        recording_id=recording_id,
        recording_title=title,
        segment_id=segment_id,
        start_s=start_s,
        end_s=end_s,
        text=body,
        snippet=snippet,
        speaker=speaker,
    )


def chat_hit(
    message_id: int, recording_id: int, offset_s: float, title, snippet: str, author, body
) -> SearchHit:
    """A chat message's hit: its author is its speaker."""
    return SearchHit(
        recording_id=recording_id,
        recording_title=title,
        segment_id=message_id,
        start_s=offset_s,
        end_s=offset_s,
        text=body,
        snippet=f"{author}: {snippet}",
        source="chat",
        speaker=author,
    )
