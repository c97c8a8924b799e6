"""Speakers in the recording view: each in its colour, a filter by one, and a voice named
by double-clicking it — the name then shows in every open recording of that voice."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from storage.speakers import FoundSpeaker
from ui.recording_view import ALL_SPEAKERS, RecordingView
from ui.transcript_model import SPEAKER, TEXT

_FOREGROUND = Qt.ItemDataRole.ForegroundRole


def add_show(library, url: str, lines: list[tuple[str, str]], profiles) -> int:
    rid = library.recordings.create(url=url, mode="offline", title="Morning show").id
    ids = [
        library.segments.save(rid, start_s=i * 5.0, end_s=i * 5.0 + 4, text=text)
        for i, (_who, text) in enumerate(lines)
    ]
    found = [FoundSpeaker(label, p.id, 20.0, None, p.centroid) for label, p in profiles.items()]
    library.speakers.replace_for_recording(
        rid, found, {i: label for i, (label, _) in zip(ids, lines, strict=True)}
    )
    return rid


def voices(library, url: str):
    source = library.sources.upsert(url)[0]
    unit = np.ones(256, np.float32) / 16.0
    return {
        f"Speaker {n}": library.speakers.create_profile(source.id, unit.tobytes(), 20.0)
        for n in (1, 2)
    }


LINES = [
    ("Speaker 1", "Good morning."),
    ("Speaker 2", "Thanks for having me."),
    ("Speaker 1", "Let us talk about the budget."),
    ("Speaker 2", "The plan pays for longer hours."),
]


def test_speakers_have_their_colours_and_the_filter_shows_one(qtbot, window):
    library = window.library
    rid = add_show(
        library, "http://radio.example/a", LINES, voices(library, "http://radio.example/a")
    )
    view = RecordingView(library.recordings.get(rid), library.segments.for_recording(rid))
    qtbot.addWidget(view)
    model = view.transcript_model
    model.fill(0, 3)  # cells are made when first shown
    colours = [model.index(row, SPEAKER).data(_FOREGROUND).color() for row in range(4)]
    assert colours[0] == colours[2] and colours[1] == colours[3] and colours[0] != colours[1]
    assert model.index(0, TEXT).data(_FOREGROUND) is None  # the text keeps its colour
    assert [view.speaker_filter.itemText(i) for i in range(3)] == [
        ALL_SPEAKERS,
        "Speaker 1 (2)",
        "Speaker 2 (2)",
    ]
    view.show_speaker("Speaker 2")
    assert [view.transcript.isRowHidden(r) for r in range(4)] == [True, False, True, False]
    view.show_speaker(None)
    assert not any(view.transcript.isRowHidden(r) for r in range(4))

    asked: list[tuple[int, str]] = []
    view.speaker_rename_requested.connect(lambda *a: asked.append(a))
    view._rename_clicked_speaker(model.index(1, TEXT))  # the text column: nothing
    view._rename_clicked_speaker(model.index(1, SPEAKER))
    assert asked == [(rid, "Speaker 2")]


def test_naming_a_voice_by_double_click_renames_it_in_every_open_recording(
    qtbot, window, monkeypatch
):
    library = window.library
    profiles = voices(library, "http://radio.example/b")
    monday = add_show(library, "http://radio.example/b", LINES, profiles)
    tuesday = add_show(library, "http://radio.example/b", LINES[:2], profiles)
    for rid in (monday, tuesday):
        window.open_recording(rid)
        qtbot.waitUntil(lambda rid=rid: opened(window, rid) is not None, timeout=10_000)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Dana Guest", True))
    view = opened(window, monday)
    assert view is not None, [window.tabs.tabText(i) for i in range(window.tabs.count())]
    view.speaker_rename_requested.emit(monday, "Speaker 2")  # what a double-click sends
    qtbot.waitUntil(
        lambda: all(
            opened(window, rid) is not None
            and opened(window, rid).segments[1].speaker == "Dana Guest"
            for rid in (monday, tuesday)
        ),
        timeout=10_000,
    )
    assert "Dana Guest" in window.statusBar().currentMessage()
    assert [s.speaker for s in library.segments.for_recording(tuesday)] == [
        "Speaker 1",
        "Dana Guest",
    ]


def opened(window, rid: int) -> RecordingView | None:
    for i in range(window.tabs.count()):
        view = window.tabs.widget(i)
        if isinstance(view, RecordingView) and view.recording.id == rid:
            return view
    return None
