"""Reading existing transcripts: SRT, WebVTT (YouTube rolling captions), Whisper/WavePulse JSON."""

from __future__ import annotations

import pytest

from ingest.transcripts import (
    TranscriptFormatError,
    looks_like_transcript_json,
    read_transcript,
)

SRT = """\ufeff1
00:00:01,000 --> 00:00:03,500
Good <i>morning</i>, listeners.

2
00:00:04,000 --> 00:00:06,000
The council meets
at noon &amp; votes.
"""

YOUTUBE_VTT = """WEBVTT
Kind: captions
Language: en

00:00:00.000 --> 00:00:02.000 align:start position:0%
welcome<00:00:00.500><c> back</c><00:00:01.000><c> everyone</c>

00:00:02.000 --> 00:00:04.000 align:start position:0%
welcome back everyone
today<00:00:02.500><c> we</c><00:00:03.000><c> paint</c>

NOTE this is a comment

00:00:04.000 --> 00:00:06.000
<v Host>today we paint
a mountain
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_srt_with_bom_tags_entities_and_multiline(tmp_path):
    cues = read_transcript(write(tmp_path, "a.srt", SRT))
    assert [(c.start_s, c.end_s, c.text) for c in cues] == [
        (1.0, 3.5, "Good morning, listeners."),
        (4.0, 6.0, "The council meets at noon & votes."),
    ]


def test_youtube_rolling_captions_are_not_duplicated(tmp_path):
    cues = read_transcript(write(tmp_path, "a.en.vtt", YOUTUBE_VTT))
    assert [c.text for c in cues] == ["welcome back everyone", "today we paint", "a mountain"]
    assert cues[-1].speaker == "Host" and cues[1].start_s == 2.0


def test_wavepulse_and_whisper_json(tmp_path):
    wave = write(
        tmp_path,
        "AK_KSRM_2024_07_11_02_19.json",
        '[{"text": " Hello.", "start": 0.0, "end": 1.5, "speaker": "SPEAKER_01"},'
        ' {"text": "  ", "start": 1.5, "end": 2}]',
    )
    assert looks_like_transcript_json(wave)
    [cue] = read_transcript(wave)
    assert (cue.text, cue.speaker) == ("Hello.", "SPEAKER_01")
    whisper = write(tmp_path, "w.json", '{"segments": [{"start": 1, "end": 2, "text": "hi"}]}')
    assert read_transcript(whisper)[0].text == "hi"
    chat = write(tmp_path, "c.json", '[{"message": "hi", "timestamp": 1}]')
    assert not looks_like_transcript_json(chat)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.srt", "1\nnot a timing\nhello\n", "line 1: expected a cue timing"),
        ("bad.srt", "1\n00:00:01 --> 00:00:02\nhello\n", "cannot read the timing"),
        ("bad.vtt", "00:00.000 --> 00:01.000\nhi\n", "does not start with WEBVTT"),
        ("bad.json", "[{", "not valid JSON"),
        ("bad.json", '[{"start": "x", "end": 1, "text": "a"}]', "segment 1 lacks"),
        ("empty.srt", "", "holds no transcript text"),
    ],
)
def test_malformed_files_say_what_and_where(tmp_path, name, text, message):
    with pytest.raises(TranscriptFormatError, match=message):
        read_transcript(write(tmp_path, name, text))


def test_binary_file_is_not_text(tmp_path):
    path = tmp_path / "x.srt"
    path.write_bytes(b"\xff\xfe\x00garbage\xff")
    with pytest.raises(TranscriptFormatError, match="not UTF-8"):
        read_transcript(path)
