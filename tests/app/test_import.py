"""Batch import: a folder with good, corrupt and sidecar files; idempotent re-runs; URL lists."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from app.config import load_settings
from app.importer import FAILED, IMPORTED, SKIPPED, BatchImport, discover, import_key
from tests.app.helpers import open_library, transcript
from tests.conftest import wer
from tests.fixtures import servers
from tests.fixtures.speech import SCRIPT_B

WAVEPULSE = Path(__file__).resolve().parents[3] / "shared" / "data" / "wavepulse" / "transcripts"
SHOW_SRT = """1
00:00:00,500 --> 00:00:02,000
Sidecar subtitles, not Whisper.

2
00:00:02,500 --> 00:00:04,000
Second line, with a comma.
"""


@pytest.fixture
def batch_folder(tmp_path, script_b_wav, silence_mp3) -> Path:
    folder = tmp_path / "archive"
    (folder / "nested").mkdir(parents=True)
    shutil.copy(script_b_wav, folder / "farmers.wav")
    (folder / "nested" / "show.mp3").write_bytes(silence_mp3)
    (folder / "nested" / "show.srt").write_text(SHOW_SRT, encoding="utf-8")
    (folder / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    (folder / "AZ_KAWC_2024_06_27_18_15.json").write_text(
        json.dumps(
            [
                {"text": " The monsoon arrives early.", "start": 0.0, "end": 2.0},
                {"text": " Roads flood downtown.", "start": 2.0, "end": 4.5, "speaker": "S1"},
            ]
        )
    )
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    return folder


def report_lines(stdout: str) -> dict[str, list[str]]:
    lines: dict[str, list[str]] = {"imported": [], "skipped": [], "FAILED": []}
    for line in stdout.splitlines():
        status, _, rest = line.strip().partition("  ")
        if status in lines:
            lines[status].append(rest)
    return lines


@pytest.mark.slow
def test_folder_import_reports_each_item_and_rerun_imports_nothing(batch_folder, run_cli, workdir):
    first = run_cli("import", str(batch_folder))
    assert first.returncode == 1  # one item failed
    assert "Traceback" not in first.stderr
    lines = report_lines(first.stdout)
    assert sorted(line.split(" ")[0] for line in lines["imported"]) == [
        "AZ_KAWC_2024_06_27_18_15.json",
        "farmers.wav",
        "show.mp3",
    ]
    [failed] = lines["FAILED"]
    assert failed.startswith("broken.mp4") and "audio" in failed.lower()
    [skipped] = lines["skipped"]
    assert skipped.startswith("notes.pdf") and "not audio, video or a transcript" in skipped
    assert "3 imported, 1 skipped, 1 failed" in first.stderr

    library = open_library(workdir)
    by_title = {r.title: r for r in library.recordings.list()}
    assert set(by_title) == {"farmers", "show", "KAWC 2024-06-27 18:15"}
    show = by_title["show"]
    assert [s.text for s in library.segments.for_recording(show.id)] == [
        "Sidecar subtitles, not Whisper.",
        "Second line, with a comma.",
    ]
    assert show.mode == "import" and show.status == "complete"
    assert 4.9 <= show.duration_s <= 5.2  # the mp3's length, from its container
    assert wer(SCRIPT_B, transcript(library, by_title["farmers"].id)) <= 0.2
    radio = by_title["KAWC 2024-06-27 18:15"]
    assert radio.started_at.isoformat() == "2024-06-27T18:15:00"
    station = library.sources.get(radio.source_id)
    assert (station.name, station.region) == ("KAWC", "AZ")
    assert library.segments.for_recording(radio.id)[1].speaker == "S1"
    assert library.search.search("monsoon")[0].recording_id == radio.id

    again = run_cli("import", str(batch_folder))
    assert "0 imported, 4 skipped, 1 failed" in again.stderr
    assert sum("already imported" in line for line in report_lines(again.stdout)["skipped"]) == 3
    assert len(library.recordings.list()) == 3


def test_interrupted_item_is_redone_and_renamed_file_is_recognised(batch_folder, workdir):
    library = open_library(workdir)
    settings = load_settings(db=str(workdir / "library.db"), data_dir=str(workdir / "data"))
    items, _ = discover([str(batch_folder / "nested")])
    [item] = items
    assert item.transcript.name == "show.srt"
    stale = library.recordings.create(url="x", mode="import", import_key=import_key(item))
    library.recordings.finish(stale.id, "interrupted", "cut short")
    report = BatchImport(library, settings).run(items)
    assert [o.status for o in report.outcomes] == [IMPORTED]
    assert [r.id for r in library.recordings.list()] == [report.outcomes[0].recording_id]
    (batch_folder / "nested" / "show.mp3").rename(batch_folder / "nested" / "renamed.mp3")
    (batch_folder / "nested" / "show.srt").rename(batch_folder / "nested" / "renamed.srt")
    items, _ = discover([str(batch_folder / "nested" / "*.mp3")])
    assert [o.status for o in BatchImport(library, settings).run(items).outcomes] == [SKIPPED]


def test_url_list_with_a_good_and_a_dead_url(tmp_path, workdir, silence_mp3):
    served = tmp_path / "www"
    served.mkdir()
    (served / "episode.mp3").write_bytes(silence_mp3)
    (served / "episode.srt").write_text(SHOW_SRT)
    server = servers.StaticServer(served)
    try:
        url_list = tmp_path / "vods.txt"
        url_list.write_text(
            f"# last week's episodes\n{server.base_url}/episode.mp3\n\nhttp://127.0.0.1:9/gone.mp3\n"
        )
        items, problems = discover([str(url_list)])
        [dead] = problems  # found out while listing (a playlist URL expands to its items)
        assert dead.status == FAILED and "refused" in dead.detail
        library = open_library(workdir)
        settings = load_settings(db=str(workdir / "library.db"), data_dir=str(workdir / "data"))
        report = BatchImport(library, settings).run(items)
        assert [o.status for o in BatchImport(library, settings).run(items).outcomes] == [SKIPPED]
    finally:
        server.close()
    [good] = report.outcomes
    assert good.status == IMPORTED and library.recordings.get(good.recording_id).duration_s > 4
    assert discover([str(tmp_path / "missing" / "*.mp3")])[1][0].detail == (
        "no files match this pattern"
    )


@pytest.mark.skipif(not WAVEPULSE.is_dir(), reason="../shared/data/wavepulse is not present")
def test_wavepulse_transcripts_import_once(run_cli, workdir):
    # Without the per-item analysis (summaries, keywords, entities: ~2 s an item, tested
    # elsewhere) so the suite stays within its time.
    first = run_cli("import", str(WAVEPULSE), "--no-analysis", timeout=600)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "100 imported, 0 skipped, 0 failed" in first.stderr
    again = run_cli("import", str(WAVEPULSE), "--no-analysis", timeout=600)
    assert "0 imported, 100 skipped, 0 failed" in again.stderr
    library = open_library(workdir)
    assert len(library.recordings.list()) == 100
    assert len({r.source_id for r in library.recordings.list()}) > 20  # stations, not files


def video(out: Path, tone_hz: int, seconds: float = 3.0) -> Path:
    """A small H.264/AAC video: a colour card and a tone (its content tells it apart)."""
    from tests.fixtures.speech import FFMPEG

    subprocess.run(
        [
            FFMPEG,
            "-y",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"color=c=navy:s=64x64:d={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=f={tone_hz}:d={seconds}",
            "-c:v",
            "libx264",
            "-c:a",
            "aac",
            "-shortest",
            str(out),
        ],
        check=True,
    )
    return out


def test_chat_replays_beside_videos_are_stored_with_their_recordings(run_cli, workdir, tmp_path):
    """Each video with its subtitles and, named after it, a chat replay in one of the three
    formats (yt-dlp `.live_chat.json`, chat-downloader `.chat.jsonl`, a `timestamp,author,
    message` CSV): the chat lands on that recording's timeline, moderated, a deletion
    applied; a replay without its video is reported, not lost silently."""
    from tests.chat.test_replay import yt_line

    folder = tmp_path / "vods"
    folder.mkdir()
    subtitles = "1\n00:00:00,500 --> 00:00:02,500\nWelcome to the stream.\n"
    for name, tone in (("monday", 330), ("tuesday", 440), ("wednesday", 550)):
        video(folder / f"{name}.mp4", tone)
        (folder / f"{name}.srt").write_text(subtitles, encoding="utf-8")
    deletion = json.dumps(
        {
            "replayChatItemAction": {
                "actions": [{"markChatItemAsDeletedAction": {"targetItemId": "m2"}}],
                "videoOffsetTimeMsec": "2500",
            }
        }
    )
    (folder / "monday.live_chat.json").write_text(
        "\n".join(
            [
                yt_line("hello from monday", 500, "Ann", "m1"),
                yt_line("buy followers at cheap views dot com", 1500, "Spam", "m2"),
                deletion,
            ]
        )
    )
    (folder / "tuesday.chat.jsonl").write_text(
        json.dumps(
            {
                "message": "tuesday gg",
                "message_id": "t1",
                "timestamp": 1700000000000000,
                "time_in_seconds": 2.0,
                "author": {"name": "Bo", "id": "UCbo"},
                "message_type": "text_message",
            }
        )
        + "\n"
    )
    (folder / "wednesday.csv").write_text(
        'timestamp,author,message\n0.75,Cy,wednesday hi\n2.25,Di,"nice, very nice"\n'
    )
    (folder / "friday.live_chat.json").write_text(yt_line("nobody streamed friday", 100))

    result = run_cli("import", str(folder), "--no-analysis")
    assert result.returncode == 0, result.stderr
    lines = report_lines(result.stdout)
    assert sorted(line.split(" ")[0] for line in lines["imported"]) == [
        "monday.mp4",
        "tuesday.mp4",
        "wednesday.mp4",
    ]
    [orphan] = lines["skipped"]
    assert orphan.startswith("friday.live_chat.json") and "no recording beside it" in orphan

    library = open_library(workdir)
    by_title = {r.title: r for r in library.recordings.list()}
    chats = {
        title: [
            (m.offset_s, m.display_name, m.text, m.deleted)
            for m in library.chat.for_recording(r.id)
            if m.kind == "message"
        ]
        for title, r in by_title.items()
    }
    assert chats == {
        "monday": [
            (0.5, "Ann", "hello from monday :wave:", False),
            (1.5, "Spam", "buy followers at cheap views dot com :wave:", True),
        ],
        "tuesday": [(2.0, "Bo", "tuesday gg", False)],
        "wednesday": [(0.75, "Cy", "wednesday hi", False), (2.25, "Di", "nice, very nice", False)],
    }
    for recording in by_title.values():  # each message judged, as live chat is
        messages = library.chat.for_recording(recording.id, kinds=("message",))
        assert all(m.violation is not None for m in messages)
    shown = run_cli("chat", str(by_title["wednesday"].id)).stdout
    assert "Cy" in shown and "nice, very nice" in shown

    again = run_cli("import", str(folder), "--no-analysis")
    assert "0 imported" in again.stderr
    assert library.chat.count(by_title["monday"].id) == 2  # not stored twice
