"""Chat in the window: live beside the transcript with flags, stored with a filter, the chart."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QPoint, Qt

from app.chat_capture import ChatItem
from app.demo.irc_server import TwitchChatServer
from app.events import ChatReceived
from storage import ChatMessageRecord, ChatWindowRecord, RecordingRecord, SegmentRecord
from ui.live_view import LiveView
from ui.new_recording import NewRecordingDialog
from ui.recording_view import RecordingView


def test_live_chat_pane_highlights_flags_and_feeds_the_chart(qtbot):
    view = LiveView("Demo")
    qtbot.addWidget(view)
    view.recording_id = 7
    view.on_chat(
        ChatReceived(
            7,
            (
                ChatItem(3.0, "message", "ann", "hello"),
                ChatItem(4.0, "message", "troll", "you idiot", True, 0.9, "HIB", "Broadcaster"),
                ChatItem(5.0, "timeout", "troll", ""),
            ),
        )
    )
    view.on_chat(ChatReceived(8, (ChatItem(1.0, "message", "other", "not mine"),)))
    lines = view.chat.lines()
    assert lines[0] == "[00:00:03] ann: hello"
    assert "⚑ HIB (0.90)" in lines[1] and lines[2].startswith("[00:00:05] — timeout")
    assert len(lines) == 3
    assert view.chat.list.item(1).background().color().red() > 240
    assert view.chart.total_chat == 2 and view.chart.flags == [4.0]
    assert "2 messages · 1 flagged" in view.chat.counts.text()


def record(**values) -> ChatMessageRecord:
    base = dict(
        id=1,
        recording_id=1,
        at=datetime.now(UTC),
        offset_s=0.0,
        kind="message",
        platform="twitch",
        message_id=None,
        author="a",
        display_name="a",
        text="x",
    )
    base.update(values)
    return ChatMessageRecord(**base)


def make_recording(**values) -> RecordingRecord:
    base = dict(
        id=1,
        url="u",
        title="Show",
        platform=None,
        channel=None,
        is_live=True,
        mode="live",
        model=None,
        started_at=datetime(2026, 1, 1),
        ended_at=None,
        duration_s=600.0,
        status="complete",
        error=None,
        archive_dir=None,
    )
    base.update(values)
    return RecordingRecord(**base)


def ten_segments() -> list[SegmentRecord]:
    return [SegmentRecord(i, 1, i * 60.0, i * 60.0 + 50, f"part {i}") for i in range(10)]


def test_recording_view_chat_filter_and_chart_jump(qtbot):
    recording = make_recording(title="Show")
    segments = ten_segments()
    chat = [
        record(offset_s=30, text="hi"),
        record(offset_s=305, text="awful", violation=True, category="HIB", score=0.8),
        record(offset_s=306, kind="ban", target_user="troll", text=""),
        record(offset_s=320, text="gone", deleted=True),
    ]
    windows = [ChatWindowRecord(300, 360, 3, 2, 0, 0, 1, 1, 4.0, True)]
    view = RecordingView(recording, segments, chat, windows)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    assert len(view.chat_view.lines()) == 4
    view.chat_view.filter.setCurrentIndex(1)
    assert view.chat_view.lines() == ["[00:05:05] a: awful   ⚑ HIB (0.80)"]
    view.chat_view.filter.setCurrentIndex(2)
    assert len(view.chat_view.lines()) == 1 and "ban" in view.chat_view.lines()[0]
    view.chat_view.filter.setCurrentIndex(3)
    assert view.chat_view.lines() == ["[00:05:20] a: gone"]
    chat_list = view.chat_view.list
    where = chat_list.visualRect(chat_list.model().index(0, 0)).center()
    qtbot.mouseClick(chat_list.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert view.current_row == 5  # 320 s falls in the segment starting at 300 s
    chart = view.chart
    assert chart.spikes == [(300, 360)] and chart.flags == [305]
    plot = chart._plot()
    x = int(plot.left() + plot.width() * 0.75)
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(x, int(plot.center().y())))
    assert view.current_row == 7  # 75 % of 600 s = 450 s


def test_new_recording_dialog_chat_choice(qtbot):
    dialog = NewRecordingDialog()
    qtbot.addWidget(dialog)
    dialog.url.setText("http://x/live.m3u8")
    dialog.chat.setText("irc please")
    dialog._accept()
    assert "Chat: write auto" in dialog.problem.text()
    dialog.chat.setText("twitch:demo")
    assert dialog.build_job().chat == "twitch:demo"


@pytest.mark.slow
def test_live_session_shows_chat_as_it_arrives(window, qtbot, hls_stream):
    server = TwitchChatServer()
    try:
        window.settings = dataclasses.replace(window.settings, twitch_irc=server.endpoint)
        dialog = NewRecordingDialog(window)
        dialog.url.setText(hls_stream.url)
        dialog.mode.setCurrentIndex(1)
        dialog.chat.setText("twitch:demo")
        view = window.start_recording(dialog.build_job())
        assert server.wait_for_joins(1, timeout=60)
        qtbot.waitUntil(lambda: view.recording_id is not None, timeout=30000)
        server.privmsg("demo", "ann", "what a nice show")
        server.privmsg("demo", "bob", "buy cheap followers at www.followers-cheap.com now")
        qtbot.waitUntil(lambda: len(view.chat.lines()) == 2, timeout=15000)
        assert view.chat.lines()[0].endswith("ann: what a nice show")
        assert view.chat.state.text() == "Chat: connected" or "live" in view.chat.state.text()
        view.stop_button.click()
        qtbot.waitUntil(lambda: view.ended, timeout=60000)
        assert window.library.chat.count(view.recording_id) == 2
    finally:
        server.close()


def test_recording_view_summary_panel_jumps_to_the_sentence(qtbot):
    from storage import SummaryRecord

    recording = make_recording(title="Show")
    segments = ten_segments()
    summaries = [
        SummaryRecord("recording", 0.0, 600.0, [(130.0, 140.0, "the main point")]),
        SummaryRecord(
            "clip", 0.0, 300.0, [(10.0, 20.0, "first"), (130.0, 140.0, "the main point")]
        ),
        SummaryRecord("clip", 300.0, 600.0, [(400.0, 410.0, "later")]),
    ]
    view = RecordingView(recording, segments, [], [], summaries)
    qtbot.addWidget(view)
    lines = view.summary_view.lines()
    assert lines[0] == "Whole recording" and lines[1] == "[00:02:10] the main point"
    assert "Clip 00:05:00–00:10:00" in lines and "[00:06:40] later" in lines
    view.summary_view.list.itemClicked.emit(
        view.summary_view.list.item(lines.index("[00:06:40] later"))
    )
    assert view.current_row == 6


def test_recording_view_greys_and_hides_station_breaks(qtbot):
    recording = make_recording(title="Morning show")
    texts = [
        "The county board approved the water plant.",
        "You're listening to News Talk 1450 WQRS. Stay with us.",
        "Construction starts in the spring.",
        "This hour is brought to you by Harbor Street Hardware.",
        "Shop the summer sale at Harbor Home, with patio sets at half price.",  # an ad
    ]
    # 21 s between segments: too far apart for the middle one to count as part of a break block
    segments = [SegmentRecord(i, 1, i * 30.0, i * 30.0 + 9, text) for i, text in enumerate(texts)]
    view = RecordingView(recording, segments)
    qtbot.addWidget(view)
    assert view.break_rows == [1, 3, 4]
    assert view.hide_breaks.text() == "Hide ads and station breaks (3)"
    grey = view.transcript.item(1, 2).foreground().color()
    assert grey != view.transcript.item(0, 2).foreground().color()
    assert "Station break" in view.transcript.item(3, 2).toolTip()
    view.hide_breaks.setChecked(True)
    hidden = [view.transcript.isRowHidden(r) for r in range(5)]
    assert hidden == [False, True, False, True, True]
    view.hide_breaks.setChecked(False)
    assert not any(view.transcript.isRowHidden(r) for r in range(5))


def test_recording_view_keywords_entities_and_tutorial_links(qtbot):
    from nlp.tutorials import Recommendation, Tutorial
    from storage import EntityRecord, KeywordRecord

    recording = make_recording(title="Art")
    segments = ten_segments()
    keywords = [
        KeywordRecord("recording", 0, 600, "layer mask", 3.0, 4),
        KeywordRecord("window", 300, 600, "curves", 2.0, 2),
    ]
    entities = [EntityRecord("recording", 0, 600, "Photoshop", "product", 5, 3.0)]
    tutorials = [
        Recommendation(
            Tutorial(
                "Mask layers",
                "https://helpx.adobe.com/photoshop/using/masking-layers.html",
                "Hide parts of a layer.",
                "Photoshop",
                ("Layer Mask",),
            ),
            0.9,
            ("Layer Mask",),
        )
    ]
    view = RecordingView(recording, segments, [], [], [], keywords, entities, tutorials)
    qtbot.addWidget(view)
    assert "layer mask" in view.keywords_view.summary.text()
    assert "Photoshop" in view.keywords_view.summary.text()
    item = view.keywords_view.windows.item(0)
    assert item.text() == "[00:05:00] curves"
    view.keywords_view.windows.itemClicked.emit(item)
    assert view.current_row == 5
    label = view.tutorials_view.label
    assert 'href="https://helpx.adobe.com/photoshop/using/masking-layers.html"' in label.text()
    assert label.openExternalLinks()


def test_recording_view_chat_stats_show_the_spike_and_jump_to_it(window, qtbot):
    from datetime import datetime, timedelta

    from ui.recording_view import RecordingView

    lib = window.library
    rid = lib.recordings.create(url="http://twitch/x", mode="live", title="Match night").id
    lib.recordings.update(rid, duration_s=900.0)
    for minute in range(15):
        text = "what a goal from the striker" if minute == 12 else f"minute {minute} talk"
        lib.segments.save(rid, start_s=minute * 60.0, end_s=minute * 60 + 50, text=text)
    rows = []
    start = datetime(2026, 1, 1, 20)
    for minute in range(15):
        count = 40 if minute == 12 else 2  # the chat erupts in minute 12
        for i in range(count):
            offset = minute * 60 + i
            rows.append(
                {
                    "at": start + timedelta(seconds=offset),
                    "offset_s": float(offset),
                    "kind": "message",
                    "message_id": f"{minute}-{i}",
                    "author": f"fan{i % 7}",
                    "display_name": f"Fan{i % 7}",
                    "text": "GOAL" if minute == 12 else "hi",
                    "emotes": ["PogChamp"] if minute == 12 else [],
                }
            )
    lib.chat.add_many(rid, rows)
    window.open_recording(rid)
    qtbot.waitUntil(lambda: isinstance(window.tabs.currentWidget(), RecordingView))
    view = window.tabs.currentWidget()
    qtbot.waitUntil(lambda: view.chat_stats_view is not None)  # worked out after it is shown
    stats = view.chat_stats_view
    assert "<b>68</b> messages" in stats.totals.text() and "PogChamp (40)" in stats.totals.text()
    assert stats.spikes.count() == 1
    spike = stats.spikes.item(0)
    assert spike.text().startswith("[00:12:00–00:13:00] 40 messages")
    assert "what a goal" in spike.text()
    stats.spikes.itemClicked.emit(spike)
    assert view.segments[view.current_row].text == "what a goal from the striker"
