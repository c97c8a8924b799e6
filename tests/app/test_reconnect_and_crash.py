"""A dropped stream and a killed process: one timeline, nothing committed lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from tests.app.helpers import (
    archived_seconds,
    assert_timeline_is_monotonic,
    open_library,
    transcript,
    wait_for,
)
from tests.conftest import ROOT, cli_env, wer
from tests.fixtures import servers, speech
from tests.fixtures.speech import SCRIPT_A, SCRIPT_B

pytestmark = pytest.mark.slow


@pytest.fixture
def two_part_radio(speech_dir, programme_wav, script_b_wav, silence_mp3):
    """Programme: silence, SCRIPT_A, 3 s silence, SCRIPT_B, silence; then silence forever."""
    gap = speech.silence(3.0, speech_dir / "gap3.wav")
    wav = speech.concat([programme_wav, gap, script_b_wav], speech_dir / "two_part.wav")
    server = servers.IcecastServer(servers.encode_mp3(wav, speech_dir / "two.mp3"), silence_mp3)
    yield server
    server.close()


def start_record(workdir, url: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "record", url, *extra],
        cwd=ROOT,
        env=cli_env(workdir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def committed_text(workdir) -> str:
    library = open_library(workdir)
    try:
        return " ".join(transcript(library, r.id) for r in library.recordings.list())
    finally:
        library.close()


def test_dropped_connection_reconnects_on_one_timeline(two_part_radio, workdir):
    proc = start_record(workdir, two_part_radio.url, "--mode", "live", "--duration", "45")
    wait_for(lambda: "instead" in committed_text(workdir).lower(), timeout=60)
    before = {s.id: (s.text, s.final) for s in _segments(workdir)}
    two_part_radio.drop(down_for_s=3.0)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "reconnecting" in err
    library = open_library(workdir)
    [recording] = library.recordings.list()
    assert recording.status == "complete"
    segments = library.segments.for_recording(recording.id)
    after = {s.id: s.text for s in segments}
    for sid, (text, final) in before.items():  # nothing committed before the drop was lost
        assert after[sid] == text if final else after[sid].startswith(text)
    assert_timeline_is_monotonic(library, recording.id)
    text = transcript(library, recording.id)
    assert wer(SCRIPT_A + " " + SCRIPT_B, text) <= 0.2, text
    last_a = max(s.end_s for s in segments if "instead" in s.text.lower())
    first_b = min(s.start_s for s in segments if "farmers" in s.text.lower())
    assert first_b - last_a >= 3.0  # the outage is on the timeline, not squeezed out
    assert 44.0 <= recording.duration_s <= 48.0


def _segments(workdir):
    library = open_library(workdir)
    try:
        return [s for r in library.recordings.list() for s in library.segments.for_recording(r.id)]
    finally:
        library.close()


def test_kill_9_keeps_committed_text_and_the_archive_resumes(two_part_radio, workdir, run_cli):
    proc = start_record(workdir, two_part_radio.url, "--mode", "monitor")
    wait_for(lambda: "budget" in committed_text(workdir).lower(), timeout=60)
    kept = committed_text(workdir)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)

    listing = run_cli("recordings")
    assert listing.returncode == 0
    assert "interrupted" in listing.stdout
    library = open_library(workdir)
    [recording] = library.recordings.list()
    assert recording.status == "interrupted"
    assert transcript(library, recording.id).startswith(kept[:20])
    assert "budget" in transcript(library, recording.id).lower()
    assert archived_seconds(library, recording.id) > 5.0

    resumed = run_cli("resume", str(recording.id))
    assert resumed.returncode == 0, resumed.stderr
    # Resumed, then analysed, as the GUI's Resume does: the same app entry point.
    assert "complete" in resumed.stderr and "keywords and entities" in resumed.stderr
    library = open_library(workdir)
    after = library.recordings.get(recording.id)
    assert after.status == "complete"
    assert library.keywords.for_recording(recording.id)
    assert len(transcript(library, recording.id)) >= len(kept)
    assert_timeline_is_monotonic(library, recording.id)
    # One voice, before the kill (live labels) and after the resume (its own pass): one
    # speaker, under one name, and stored as the recording's speaker.
    segments = library.segments.for_recording(recording.id)
    assert {s.speaker for s in segments} == {"Speaker 1"}
    assert [s.label for s in library.speakers.for_recording(recording.id)] == ["Speaker 1"]


def test_ctrl_c_stops_cleanly_and_keeps_the_recording(two_part_radio, workdir):
    proc = start_record(workdir, two_part_radio.url, "--mode", "live")
    wait_for(lambda: "welcome" in committed_text(workdir).lower(), timeout=60)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "complete" in err
    assert "welcome" in out.lower()  # lines were printed as they were committed
    library = open_library(workdir)
    [recording] = library.recordings.list()
    assert recording.status == "complete"
    assert all(s.final for s in library.segments.for_recording(recording.id))


def test_ctrl_c_stops_every_recording_of_one_record_call_and_keeps_their_text(
    icecast, second_station, workdir
):
    """Two stations in one `record` process, stopped with Ctrl-C while both are still being
    decoded: each recording is closed complete, every line final before the signal is still
    there as it was, the provisional ones are made final, and neither recording holds the
    other's words."""
    proc = start_record(workdir, icecast.url, second_station.url, "--mode", "monitor")

    def both_started() -> bool:
        library = open_library(workdir)
        try:
            recordings = library.recordings.list()
            return len(recordings) == 2 and all(
                any(s.final for s in library.segments.for_recording(r.id)) for r in recordings
            )
        finally:
            library.close()

    wait_for(both_started, timeout=90)
    before = {s.id: s.text for s in _segments(workdir) if s.final}
    assert len(before) >= 2
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and err.count(" complete: ") == 2, err
    library = open_library(workdir)
    recordings = library.recordings.list()
    assert [r.status for r in recordings] == ["complete", "complete"]
    assert all(f"#{r.id} [" in out for r in recordings)  # lines as committed, by recording
    after = {s.id: s for s in _segments(workdir)}
    for segment_id, text in before.items():  # no final line was lost or rewritten
        assert segment_id in after and after[segment_id].text == text
    assert all(s.final for s in after.values())
    by_station = {r.url: transcript(library, r.id).lower() for r in recordings}
    station_a, station_b = by_station[icecast.url], by_station[second_station.url]
    assert "farmers" not in station_a and "drought" not in station_a
    assert "library" not in station_b and "council" not in station_b


def test_a_continued_recording_that_hears_its_words_again_keeps_them_once(
    speech_dir, silence_mp3, workdir
):
    """A worker takes over a recording whose process died, and the stream gives it again
    words that were already committed (audio handed twice): they stand once in the
    recording (the continued transcriber goes on from the committed words), and what is
    new after them is all there."""
    from app.config import load_settings
    from app.events import EventBus
    from app.session import LiveSession, RecordingJob
    from storage.recordings import STATUS_INTERRUPTED, utcnow

    council = "Today the city council will vote on the new library budget."
    settings = load_settings(db=f"sqlite:///{workdir / 'library.db'}", data_dir=str(workdir))
    library = open_library(workdir)
    lead = speech.silence(2.0, speech_dir / "lead_takeover.wav")
    # Joining a radio can lose its first second or two: only silence is lost here.
    said = speech.concat(
        [lead, lead, speech.speak(council, speech_dir / "council_takeover.wav"), lead],
        speech_dir / "said.wav",
    )

    def record(wav, duration_s: float, continues: int | None = None) -> int:
        radio = servers.IcecastServer(servers.encode_mp3(wav, wav.with_suffix(".mp3")),
                                      silence_mp3)  # fmt: skip
        job = RecordingJob(url=radio.url, mode="monitor", duration_s=duration_s, chat="off")
        session = LiveSession(job, library, settings, EventBus(), continues=continues)
        try:
            rid = session.start()
            assert session.wait().status == "complete"
            return rid
        finally:
            radio.close()

    rid = record(said, speech.duration_s(said))
    before = {s.id: s.text for s in library.segments.for_recording(rid)}
    assert "council will vote on the new library budget" in transcript(library, rid).lower()
    library.recordings.update(rid, status=STATUS_INTERRUPTED)  # its process died

    later = SCRIPT_B.split(". ")[0] + "."  # "Later we will hear ... summer drought."
    again = speech.concat(
        [said, speech.speak(later, speech_dir / "later_takeover.wav"), lead],
        speech_dir / "said_again.wav",
    )
    # The continued timeline starts at the wall-clock time since the recording began.
    started = library.recordings.get(rid).started_at
    going_on_at = (utcnow() - started).total_seconds() + 3.0  # and the start-up
    assert record(again, going_on_at + speech.duration_s(again), continues=rid) == rid
    segments = library.segments.for_recording(rid)
    for segment_id, text in before.items():  # nothing committed before is lost or changed
        assert any(s.id == segment_id and s.text == text for s in segments)
    text = transcript(library, rid)
    assert text.lower().count("library budget") == 1, text
    assert wer(council + " " + later, text) <= 0.2, text
    assert_timeline_is_monotonic(library, rid)
    library.close()


def test_a_stop_requested_from_elsewhere_ends_a_recording_as_ctrl_c_would(icecast, workdir):
    """The Streams wall of another window (or machine) stops a recording this process runs
    by leaving a stop request in the library: the session ends complete, its text kept."""
    from app.config import load_settings
    from app.events import EventBus
    from app.session import LiveSession, RecordingJob

    settings = load_settings(db=f"sqlite:///{workdir / 'library.db'}", data_dir=str(workdir))
    library = open_library(workdir)
    job = RecordingJob(url=icecast.url, mode="monitor", chat="off")  # no duration: runs on
    session = LiveSession(job, library, settings, EventBus())
    rid = session.start()
    try:
        wait_for(lambda: "welcome" in transcript(library, rid).lower(), timeout=60)
        elsewhere = open_library(workdir)
        elsewhere.recordings.request_stop(rid)
        elsewhere.close()
        result = session.wait(timeout=40)
    finally:
        session.stop()
    assert result is not None, "the stop request was not honoured"
    assert result.status == "complete"
    assert "welcome" in transcript(library, rid).lower()
    library.close()
