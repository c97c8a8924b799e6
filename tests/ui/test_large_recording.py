"""Six hours of radio with a busy chat open through the main window with the right rows.

How fast, and how long the window may stall meanwhile, is `benchmarks/gui_large.py`'s
business (timings in a test only flake); this pins down that the lazily made rows are the
right ones: the transcript, the chat read after it, the chat filter, a jump, and the station
breaks found afterwards.
"""

from __future__ import annotations

from app.timefmt import hms
from benchmarks.gui_large import build_large_recording
from ui.recording_view import RecordingView

SEGMENTS = 5000
MESSAGES = 50_000


def test_a_six_hour_recording_with_a_busy_chat_opens_with_the_right_rows(window, qtbot):
    large = build_large_recording(window.library, SEGMENTS, MESSAGES)
    window.resize(1400, 900)
    window.open_recording(large.recording_id)
    qtbot.waitUntil(lambda: isinstance(window.tabs.currentWidget(), RecordingView), timeout=30_000)
    view = window.tabs.currentWidget()

    transcript = view.transcript
    assert transcript.rowCount() == SEGMENTS
    for row in (0, 1, 2500, SEGMENTS - 1):
        assert transcript.item(row, 0).text() == hms(large.segment_starts[row])
        assert transcript.item(row, 2).text() == large.segment_texts[row]

    qtbot.waitUntil(lambda: view.chat_view is not None, timeout=30_000)  # read after the rest
    chat = view.chat_view
    assert len(chat.lines()) == large.messages + large.events
    assert chat.summary.text().startswith(f"{large.messages + large.events} shown")
    chat.filter.setCurrentIndex(1)  # Flagged only
    flagged = chat.lines()
    assert len(flagged) == large.flagged
    assert all("⚑" in line for line in flagged)
    assert chat.summary.text() == (
        f"{large.flagged} shown · {large.messages} messages · {large.flagged} flagged"
    )
    chat.filter.setCurrentIndex(3)  # Deleted by moderators
    assert len(chat.lines()) == large.deleted

    row = 3210
    view.jump_to(large.segment_starts[row] + 0.5)
    assert view.current_row == row

    def on_screen() -> bool:
        rect = transcript.visualRect(transcript.model().index(row, 0))
        return transcript.viewport().rect().contains(rect.center())

    qtbot.waitUntil(on_screen)

    # station breaks, the chat statistics and tutorials are worked out after the view is shown
    qtbot.waitUntil(lambda: view.chat_stats_view is not None, timeout=60_000)
    assert view.break_rows == large.break_rows
    assert view.hide_breaks.text() == f"Hide ads and station breaks ({len(large.break_rows)})"
    assert "Station break" in transcript.item(large.break_rows[-1], 2).toolTip()
    assert view.current_row == row and on_screen()  # still where the user jumped
