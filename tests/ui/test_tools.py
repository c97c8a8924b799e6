"""Sources, schedules, import and export as the analyst uses them in the window."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox

from ui.live_view import LiveView
from ui.schedules_dialog import AddScheduleDialog
from ui.sources_view import AddSourceDialog

STATIONS = [
    {
        "url": "https://r.example/WACV",
        "radio_name": "WACV",
        "time": [["5:00", "9:00"]],
        "state": "AL",
    },
    {
        "url": "https://r.example/KGWA",
        "radio_name": "KGWA",
        "time": [["18:00", "20:00"]],
        "state": "OK",
    },
]


def table_column(table, column: int) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]


def test_station_directory_import_favourite_and_filter(window, qtbot, tmp_path):
    path = tmp_path / "stations.json"
    path.write_text(json.dumps(STATIONS))
    view = window.sources_view
    window.show_sources()
    view.import_stations(str(path))
    qtbot.waitUntil(lambda: view.table.rowCount() == 2, timeout=5000)
    assert sorted(table_column(view.table, 1)) == ["KGWA", "WACV"]
    view.table.selectRow(table_column(view.table, 1).index("WACV"))
    view.toggle_favourite()
    qtbot.waitUntil(lambda: table_column(view.table, 0)[0] == "★", timeout=5000)
    assert table_column(view.table, 1)[0] == "WACV"  # favourites first
    view.filter_box.setText("ok")
    visible = [r for r in range(2) if not view.table.isRowHidden(r)]
    assert [view.table.item(r, 1).text() for r in visible] == ["KGWA"]


def test_add_source_checks_the_url_first(qtbot, hls_stream):
    dialog = AddSourceDialog()
    qtbot.addWidget(dialog)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    dialog.url.setText("http://127.0.0.1:9/nothing.m3u8")
    dialog.check()
    qtbot.waitUntil(lambda: dialog.check_button.isEnabled(), timeout=30000)
    assert "refused" in dialog.preview.text() and not save.isEnabled()
    dialog.url.setText(hls_stream.url)
    dialog.check()
    qtbot.waitUntil(lambda: dialog.info is not None, timeout=30000)
    assert "live now" in dialog.preview.text() and save.isEnabled()


def test_add_and_remove_a_schedule(window, qtbot):
    dialog = window.show_schedules()
    qtbot.addWidget(dialog)
    form = AddScheduleDialog(dialog, url="http://x/radio", name="Morning")
    form.cron.setText("someday 06:00")
    form._accept()
    assert "Cannot read the schedule" in form.problem.text()
    form.cron.setText("mon-fri 06:00")
    form.duration.setText("2h")
    form._accept()
    dialog._run(dialog.scheduler.add, form.spec)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=5000)
    assert table_column(dialog.table, 1) == ["Morning"]
    assert table_column(dialog.table, 3) == ["02:00:00"]
    dialog.table.selectRow(0)
    dialog.remove_selected()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 0, timeout=5000)


def test_import_shows_each_outcome_and_refreshes_the_library(window, qtbot, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "talk.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nHello from a file.\n")
    (folder / "broken.mp3").write_bytes(b"not audio at all" * 100)
    dialog = window.import_archives()
    qtbot.addWidget(dialog)
    dialog.add_inputs([str(folder)])
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=60000)
    statuses = dict(
        zip(table_column(dialog.results, 0), table_column(dialog.results, 1), strict=True)
    )
    assert statuses == {"talk.srt": "imported", "broken.mp3": "failed"}
    assert "1 imported, 0 skipped, 1 failed" in dialog.summary.text()
    assert "could not be imported" in dialog.banner.message
    qtbot.waitUntil(lambda: window.library_view.model.rowCount() == 1, timeout=5000)


def test_export_selected_recordings(window, qtbot, tmp_path):
    rid = window.library.recordings.create(url="http://r/x", mode="live", title="Noon").id
    window.library.segments.save(rid, start_s=0, end_s=1, text="=1+1, said the host")
    window.refresh_library()
    qtbot.waitUntil(lambda: window.library_view.model.rowCount() == 1, timeout=5000)
    window.library_view.table.selectRow(0)
    dialog = window.export_csv()
    qtbot.addWidget(dialog)
    assert dialog.selected.isChecked() and "1 selected" in dialog.selected.text()
    out = tmp_path / "noon.csv"
    dialog.out.setText(str(out))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=10000)
    assert "Wrote 1 transcript rows" in dialog.result.text()
    with open(out, newline="", encoding="utf-8") as f:
        [row] = list(csv.DictReader(f))
    assert row["text"] == "'=1+1, said the host"


@pytest.mark.slow
def test_a_schedule_records_while_the_window_is_open(window, qtbot, hls_stream):
    from app.schedules import once

    start = (datetime.now(UTC) + timedelta(seconds=2)).replace(tzinfo=None)
    spec = once(hls_stream.url, start.isoformat(sep=" ", timespec="seconds"), 8, timezone="UTC")
    window.scheduler.add(spec)
    qtbot.waitUntil(lambda: any(isinstance(w, LiveView) for w in window.sessions), timeout=30000)
    [view] = [w for w in window.sessions if isinstance(w, LiveView)]
    qtbot.waitUntil(lambda: view.ended, timeout=60000)
    qtbot.waitUntil(
        lambda: [r.status for r in window.library.schedule_runs.list()] == ["complete"],
        timeout=10000,
    )
    assert view.recording_id == window.library.schedule_runs.list()[0].recording_id
    qtbot.waitUntil(lambda: "complete" in window.statusBar().currentMessage(), timeout=5000)


def test_trends_tab_finds_the_new_story_and_opens_its_moment(window, qtbot):
    from tests.app.helpers import add_week_with_a_new_story
    from ui.recording_view import RecordingView

    add_week_with_a_new_story(window.library)
    window.library.entities.replace(
        7,
        [
            {
                "scope": "recording",
                "start_s": 0,
                "end_s": 400,
                "name": "Flagler County",
                "kind": "GPE",
                "mentions": 3,
                "first_s": 120.0,
            },
        ],
    )
    window.actions_by_name["Trends and mentions"].trigger()
    view = window.trends_view
    assert window.tabs.currentWidget() is view
    view.find_button.click()  # no date given: the newest fifth of the library is "recent"
    qtbot.waitUntil(lambda: "2024-07-07 08:00 UTC" in view.summary.text(), timeout=30_000)
    view.use_since.setChecked(True)
    view.since.setDate(QDate(2024, 7, 6))
    view.find_button.click()
    qtbot.waitUntil(lambda: "since 2024-07-06" in view.summary.text(), timeout=30_000)
    top = view.tree.topLevelItem(0)
    assert "bridge collapse" in top.text(0) and (top.text(1), top.text(2)) == ("3", "0")
    moment = top.child(0)
    assert moment.text(0).startswith(("#6 Day 6", "#7 Day 7", "#8 Day 8"))
    # A title too long for the column loses its middle (the time at its end stays), and
    # hovering shows all of it.
    assert view.tree.textElideMode() == Qt.TextElideMode.ElideMiddle
    assert moment.toolTip(0) == moment.text(0)
    with qtbot.waitSignal(view.open_requested) as opened:
        view.tree.itemDoubleClicked.emit(moment, 0)
    assert opened.args[0] in (6, 7, 8)
    qtbot.waitUntil(lambda: isinstance(window.tabs.currentWidget(), RecordingView), timeout=30_000)

    view.who.setText("flagler")
    view.who.returnPressed.emit()
    qtbot.waitUntil(lambda: view.mentions.topLevelItemCount() == 1, timeout=10_000)
    hit = view.mentions.topLevelItem(0)
    assert hit.text(0) == "#7 Day 7" and hit.text(4) == "00:02:00"
    assert hit.toolTip(0) == "#7 Day 7"
    assert view.mentions.textElideMode() == Qt.TextElideMode.ElideMiddle
    view.who.setText("nobody here")
    view.who.returnPressed.emit()
    qtbot.waitUntil(lambda: "No recording mentions" in view.mentions.topLevelItem(0).text(0))


def test_restore_punctuation_from_the_recording_view(window, qtbot):
    from ui.recording_view import RecordingView

    lib = window.library
    rid = lib.recordings.create(url="http://radio/talk", mode="import", title="Captions").id
    raw = [
        "good morning everyone and welcome to the show",
        "today we talk about the new bridge over the river",
        "what do you think about the cost of the project",
        "call us and tell us what you think",
    ]
    for i, text in enumerate(raw):
        lib.segments.save(rid, start_s=i * 10.0, end_s=i * 10 + 9, text=text)
    window.open_recording(rid, 20.0)
    qtbot.waitUntil(lambda: isinstance(window.tabs.currentWidget(), RecordingView))
    view = window.tabs.currentWidget()
    assert view.summary_view is None  # nothing analysed yet
    view.punctuate_button.click()
    assert not view.punctuate_button.isEnabled()  # one run at a time
    qtbot.waitUntil(
        lambda: (
            isinstance(window.tabs.currentWidget(), RecordingView)
            and window.tabs.currentWidget() is not view
        ),
        timeout=120_000,
    )
    fresh = window.tabs.currentWidget()
    views = [window.tabs.widget(i) for i in range(window.tabs.count())]
    assert sum(isinstance(v, RecordingView) for v in views) == 1  # replaced, not duplicated
    texts = [fresh.transcript.item(r, 2).text() for r in range(fresh.transcript.rowCount())]
    assert texts[0].startswith("Good morning") and texts[2].rstrip().endswith("?")
    assert fresh.current_row == 2  # still where the user was
    assert fresh.summary_view is not None and fresh.keywords_view is not None
    assert [s.raw_text for s in lib.segments.for_recording(rid)] == raw  # ASR text kept
    assert "punctuation restored" in window.statusBar().currentMessage()


@pytest.mark.slow
def test_library_menu_resumes_an_interrupted_recording(window, qtbot, programme_wav):
    from tests.conftest import wer
    from tests.fixtures.speech import SCRIPT_A

    lib = window.library
    rid = lib.recordings.create(url="http://radio/cut", mode="live", title="Cut off").id
    lib.recordings.add_archive_file(rid, 0, str(programme_wav), 0.0)
    lib.recordings.finish(rid, "interrupted", "the app was closed by force")
    window.refresh_library()
    qtbot.waitUntil(lambda: window.library_view.proxy.rowCount() == 1)
    index = window.library_view.proxy.index(0, 0)
    actions = {a.text(): a for a in window.library_view.menu_for(index).actions()}
    assert actions["Resume transcription"].isEnabled()
    actions["Resume transcription"].trigger()
    qtbot.waitUntil(lambda: "complete" in window.statusBar().currentMessage(), timeout=180_000)
    assert lib.recordings.get(rid).status == "complete"
    text = " ".join(s.text for s in lib.segments.for_recording(rid))
    assert wer(SCRIPT_A, text) <= 0.2, text
    assert lib.summaries.for_recording(rid)  # analysed too
    view = window.library_view

    def resume_offered() -> bool:  # a fresh index each time: a refresh resets the model
        index = view.proxy.index(0, 0)
        actions = {a.text(): a for a in view.menu_for(index).actions()}
        resume = actions.get("Resume transcription")
        return index.isValid() and resume is not None and resume.isEnabled()

    qtbot.waitUntil(lambda: view.proxy.index(0, 0).isValid() and not resume_offered())
    # a complete recording has nothing left to resume


def test_check_a_chat_log_and_punctuate_text_from_the_tools_menu(window, qtbot, tmp_path):
    log = tmp_path / "chat.csv"
    log.write_text(
        "timestamp,author,message\n1,ann,hi all\n2,bob,great play\n"
        "3,troll,you are a worthless idiot kys\n"
        "4,spam,follow me at www.cheap-viewers.com for free followers\nbad row\n"
    )
    dialog = window.check_chat_log()
    qtbot.addWidget(dialog)
    dialog.check(str(log))
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 4, timeout=60_000)
    assert "4 messages, 2 flagged" in dialog.result.text()
    assert "1 unreadable line(s) skipped" in dialog.result.text()
    rows = {dialog.table.item(r, 0).text(): r for r in range(4)}
    insult = rows["you are a worthless idiot kys"]
    assert dialog.table.item(insult, 1).text() == "yes"
    assert dialog.table.item(insult, 2).text() == "HIB"
    assert dialog.table.item(rows["hi all"], 2).text() == ""  # no category without a flag
    dialog.flagged_only.setChecked(True)
    assert [dialog.table.isRowHidden(r) for r in range(4)] == [True, True, False, False]
    dialog.check(str(tmp_path / "missing.csv"))
    qtbot.waitUntil(lambda: dialog.banner.isVisible(), timeout=10_000)
    assert "Cannot read" in dialog.banner.label.text()

    punctuate = window.punctuate_text()
    qtbot.addWidget(punctuate)
    punctuate.source.setPlainText("hello everyone welcome back how are you all doing today")
    punctuate.run_button.click()
    qtbot.waitUntil(lambda: punctuate.output.toPlainText() != "", timeout=60_000)
    out = punctuate.output.toPlainText()
    assert out.startswith("Hello") and out.rstrip().endswith("?")
    punctuate.source.setPlainText("   ")
    punctuate.run_button.click()
    assert "Paste some text" in punctuate.banner.label.text()
