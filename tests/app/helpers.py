"""Reading a test's library back, and checks shared by the end-to-end tests."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from ingest.ffmpeg import decode_to_array
from storage import Library


def open_library(workdir: Path) -> Library:
    return Library(f"sqlite:///{workdir / 'library.db'}")


DAY_TOPICS = [
    "farmers at the market sold early peaches; a heat advisory starts thursday afternoon; "
    "the softball league rescheduled its playoff doubleheader",
    "the museum opened a dinosaur exhibit; volunteers repainted the skate park ramps; "
    "the sheriff warned drivers about flooded culverts",
    "the hospital hired twelve nurses; a spelling bee champion visited the studio; "
    "the marina raised mooring fees for sailboats",
    "the orchestra rehearsed a symphony outdoors; firefighters rescued a kitten from a silo; "
    "the zoo welcomed twin otters",
    "the brewery won a medal for its stout; the ferry schedule changed for tourists; "
    "the bakery donated bread to the shelter",
    "the county fair crowned a pumpkin grower; the airport extended its runway lights; "
    "the quilting guild auctioned a heirloom quilt",
    "the choir toured nursing homes; a lighthouse keeper retired after forty winters; "
    "the robotics team qualified for nationals",
    "the orchard reported a bumper apple crop; the rodeo drew record crowds; "
    "the planetarium added a meteor shower show",
]


def add_week_with_a_new_story(library: Library) -> None:
    """Eight daily radio recordings (1–8 July 2024, ids 1–8), each with its own local news
    around the council's budget; from the 6th a bridge collapse is news too: a trend,
    for the trends tests."""
    from datetime import datetime

    background = "the council discussed the budget for parks and roads. "
    for day in range(1, 9):
        rid = library.recordings.create(
            url=f"http://radio/{day}",
            mode="import",
            title=f"Day {day}",
            started_at=datetime(2024, 7, day, 8),
        ).id
        story = "the bridge collapse closed the river crossing. " if day >= 6 else ""
        local = DAY_TOPICS[day - 1] + ". "
        for i in range(4):
            library.segments.save(
                rid, start_s=i * 100.0, end_s=i * 100 + 90, text=background + story + local
            )


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


def demo_moderation_problems(stored: list) -> list[str]:
    """What moderation got wrong on the demo's chat (`stored`: its messages as chat records,
    in order), against what the demo script expects; empty when all is right."""
    from app.demo.script import CHAT, EITHER_VERDICT, EXPECTED_FLAGS

    scripted = [(offset, user, text) for offset, user, text in CHAT if user != "*timeout*"]
    assert [(m.author, m.text) for m in stored] == [(u, t) for _o, u, t in scripted]
    problems = []
    for message, (offset, user, text) in zip(stored, scripted, strict=True):
        got = "not flagged"
        if message.violation:
            got = message.category + (f" ({message.target})" if message.target else "")
        if (offset, user) in EXPECTED_FLAGS:
            categories, target = EXPECTED_FLAGS[(offset, user)]
            if not (
                message.violation
                and message.category in categories
                and (target is None or message.target == target)
            ):
                wanted = " or ".join(sorted(categories)) + (f" ({target})" if target else "")
                problems.append(f"{offset} s {user}: {text!r} should be {wanted}, is {got}")
        elif (offset, user) not in EITHER_VERDICT and message.violation:
            problems.append(f"{offset} s {user}: {text!r} is ordinary chat, is {got}")
    return problems
