"""Voice profiles and recordings' speakers in the library, on SQLite and PostgreSQL: a name
given once shows in every recording of that voice; forgetting a voice gives the label back."""

from __future__ import annotations

import numpy as np
import pytest

from storage.errors import StorageError
from storage.speakers import FoundSpeaker


def voice(seed: int) -> bytes:
    vector = np.random.default_rng(seed).normal(size=256).astype(np.float32)
    return (vector / np.linalg.norm(vector)).tobytes()


def recording_with_speakers(library, url: str, lines: list[tuple[str, str]], profiles):
    """A recording of `url` whose segments (speaker label, text) are spoken by `profiles`
    (label → profile)."""
    record = library.recordings.create(url=url, mode="offline", title=url)
    ids = [
        library.segments.save(record.id, start_s=i, end_s=i + 1, text=text)
        for i, (_label, text) in enumerate(lines)
    ]
    found = [
        FoundSpeaker(label, profile.id, 10.0, None, profile.centroid)
        for label, profile in profiles.items()
    ]
    shown = {i: profiles[label].display for i, (label, _) in zip(ids, lines, strict=True)}
    library.speakers.replace_for_recording(record.id, found, shown)
    return record


def shown(library, recording_id: int) -> list[str | None]:
    return [s.speaker for s in library.segments.for_recording(recording_id)]


def test_a_name_given_once_shows_in_every_recording_of_the_voice(library):
    source = library.sources.upsert("http://radio.example/live")[0]
    host = library.speakers.create_profile(source.id, voice(1), 30.0)
    guest = library.speakers.create_profile(source.id, voice(2), 12.0)
    assert (host.number, guest.number) == (1, 2)
    assert library.speakers.next_number(source.id) == 3
    lines = [("Speaker 1", "hello"), ("Speaker 2", "hi"), ("Speaker 1", "bye")]
    monday = recording_with_speakers(
        library, "http://radio.example/live", lines, {"Speaker 1": host, "Speaker 2": guest}
    )
    tuesday = recording_with_speakers(
        library, "http://radio.example/live", lines[:1], {"Speaker 1": host}
    )
    assert shown(library, monday.id) == ["Speaker 1", "Speaker 2", "Speaker 1"]

    library.speakers.rename_profile(host.id, "Ana Host")
    assert shown(library, monday.id) == ["Ana Host", "Speaker 2", "Ana Host"]
    assert shown(library, tuesday.id) == ["Ana Host"]
    speakers = {s.label: s for s in library.speakers.for_recording(monday.id)}
    assert speakers["Speaker 1"].display == "Ana Host" and speakers["Speaker 1"].segments == 2
    assert speakers["Speaker 2"].display == "Speaker 2" and speakers["Speaker 2"].segments == 1

    library.speakers.rename_profile(host.id, "Ana M. Host")  # renamed again: from the name
    assert shown(library, tuesday.id) == ["Ana M. Host"]
    with pytest.raises(StorageError, match="already"):
        library.speakers.rename_profile(guest.id, "Ana M. Host")
    assert [p.recordings for p in library.speakers.profiles(source.id)] == [2, 1]

    library.speakers.delete_profile(host.id)
    assert shown(library, monday.id) == ["Speaker 1", "Speaker 2", "Speaker 1"]
    assert [p.id for p in library.speakers.profiles(source.id)] == [guest.id]
    [first, _] = sorted(library.speakers.for_recording(monday.id), key=lambda s: s.label)
    assert first.profile_id is None and first.display == "Speaker 1"


def test_deleting_a_recording_keeps_the_voices_of_its_source(library):
    library.sources.upsert("http://radio.example/b")
    profile = library.speakers.create_profile(library.sources.list()[0].id, voice(3), 20.0)
    record = recording_with_speakers(
        library, "http://radio.example/b", [("Speaker 1", "x")], {"Speaker 1": profile}
    )
    library.recordings.delete(record.id)
    assert library.speakers.for_recording(record.id) == []
    assert [p.id for p in library.speakers.profiles()] == [profile.id]


def test_a_search_hit_says_who_said_it(library):
    source = library.sources.upsert("http://radio.example/c")[0]
    guest = library.speakers.create_profile(source.id, voice(4), 20.0)
    record = recording_with_speakers(
        library,
        "http://radio.example/c",
        [("Speaker 1", "the library budget passed")],
        {"Speaker 1": guest},
    )
    library.speakers.rename_profile(guest.id, "Dana Guest")
    [hit] = library.search.search('"library budget"')
    assert (hit.recording_id, hit.speaker) == (record.id, "Dana Guest")
