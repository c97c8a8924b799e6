"""Reading a test's library back, and checks shared by the end-to-end tests."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from ingest.ffmpeg import decode_to_array
from storage import Library


def open_library(workdir: Path) -> Library:
    return Library(f"sqlite:///{workdir / 'library.db'}")


def transcript(library: Library, recording_id: int) -> str:
    return " ".join(s.text for s in library.segments.for_recording(recording_id))


def assert_timeline_is_monotonic(library: Library, recording_id: int) -> None:
    segments = library.segments.for_recording(recording_id)
    assert segments, "no transcript was stored"
    for seg in segments:
        assert seg.start_s <= seg.end_s
    for a, b in itertools.pairwise(segments):
        assert a.end_s <= b.start_s + 0.05, (a, b)


def archived_seconds(library: Library, recording_id: int) -> float:
    files = library.recordings.archive_files(recording_id)
    assert files, "no archived audio"
    return sum(len(decode_to_array(f.uri)) for f in files) / 16000


def wait_for(predicate, timeout: float, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError("condition not met in time")
