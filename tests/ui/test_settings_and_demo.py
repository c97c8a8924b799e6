"""Settings persist and apply to new recordings; the built-in demo runs without internet."""

from __future__ import annotations

import json
import os
import threading

import pytest

from app.config import load_settings
from app.preferences import config_dir
from ui.live_view import LiveView
from ui.settings_dialog import SettingsDialog


def test_settings_are_saved_validated_and_applied(window, qtbot):
    dialog = window.show_settings()
    qtbot.addWidget(dialog)
    dialog.model.setCurrentIndex(1)  # base
    dialog.chat_enabled.setChecked(False)
    dialog.twitch_irc.setText("irc://127.0.0.1:6667")
    dialog.threshold.setValue(0.6)
    dialog.add_channel("#LoudChannel", 0.9)
    dialog.add_channel("quiet", 7)
    dialog.save()
    assert "between 0 and 1" in dialog.problem.text() and dialog.saved is None
    dialog.channels.removeRow(dialog.channels.rowCount() - 1)
    dialog.save()
    saved = json.loads((config_dir() / "settings.json").read_text())
    assert saved["model"] == "base" and saved["chat"]["enabled"] is False
    assert saved["moderation"] == {"threshold": 0.6, "channels": {"loudchannel": 0.9}}
    assert window.settings.model == "base" and not window.settings.chat_enabled
    assert window.settings.threshold_for("LoudChannel") == 0.9
    assert window.settings.threshold_for("other") == 0.6
    assert window.settings.twitch_irc == "irc://127.0.0.1:6667"
    assert load_settings().model == "base"
    again = SettingsDialog(window.settings)
    qtbot.addWidget(again)
    assert again.model_choice() == "base" and again.channels.rowCount() == 1
    (config_dir() / "settings.json").unlink()


def test_settings_import_tutorials_and_refuse_a_broken_catalog(window, qtbot, tmp_path):
    dialog = window.show_settings()
    qtbot.addWidget(dialog)
    before = int(dialog.catalog_state.text().split()[0])
    assert before >= 30  # the shipped catalog
    good = tmp_path / "mine.csv"
    good.write_text(
        "title,url,software,tools\n"
        "Dodge and burn,https://example.com/dodge,Photoshop,Dodge and Burn;Brush Tool\n"
    )
    dialog.import_catalog(good)
    assert dialog.catalog_state.text().startswith("Added 1 tutorials, updated 0.")
    assert f"{before + 1} tutorials" in dialog.catalog_state.text()
    broken = tmp_path / "broken.json"
    broken.write_text('[{"title": "x", "url": "ftp://nope"}]')
    dialog.import_catalog(broken)
    assert "was not changed" in dialog.problem.text()
    again = SettingsDialog(window.settings)
    qtbot.addWidget(again)
    assert f"{before + 1} tutorials" in again.catalog_state.text()  # kept, on disk


@pytest.mark.slow
def test_start_demo_shows_transcript_and_flagged_chat_within_a_minute(window, qtbot):
    window.actions_by_name["Start demo"].trigger()
    qtbot.waitUntil(lambda: bool(window.demos), timeout=20000)
    [view] = [v for v in window.sessions if isinstance(v, LiveView)]
    qtbot.waitUntil(lambda: "mountain" in view.transcript_text().lower(), timeout=60000)
    # The watched stream transcribes at the window's priority, not the pool's lowered one.
    session = window.sessions[view]
    [transcriber] = [t for t in session._threads if t.name == "transcriber"]
    assert os.getpriority(os.PRIO_PROCESS, transcriber.native_id) == os.getpriority(
        os.PRIO_PROCESS, threading.get_native_id()
    )
    # The chat's model loads on the recorder's own thread (skops imports scikit-learn and
    # torch, seconds on a busy machine); its first verdicts come after that.
    qtbot.waitUntil(lambda: any("⚑" in line for line in view.chat.lines()), timeout=90000)
    assert any("timeout" in line for line in view.chat.lines())
    qtbot.waitUntil(lambda: any("Clip" in line for line in view.summaries.lines()), timeout=60000)
    qtbot.waitUntil(lambda: view.keywords.text().startswith("Keywords 00:"), timeout=60000)
    qtbot.waitUntil(lambda: "helpx.adobe.com/photoshop" in view.tutorials.text(), timeout=60000)
    view.stop_button.click()
    qtbot.waitUntil(lambda: view.ended, timeout=60000)
    qtbot.waitUntil(lambda: not window.demos, timeout=10000)


def test_a_bad_preferences_file_opens_the_window_with_defaults_and_says_why(
    qtbot, tmp_path, monkeypatch
):
    from app.preferences import preferences_path
    from ui.app import open_main_window, startup_settings

    monkeypatch.setenv("STREAMLENS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("STREAMLENS_DB", str(tmp_path / "library.db"))
    path = preferences_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"moderation": {"threshold": 7}}')
    try:
        settings, problem = startup_settings()
        assert settings.moderation_threshold is None  # the default, not 7
        assert "moderation.threshold" in problem and "defaults apply" in problem
        window = open_main_window(settings, problem)
        qtbot.addWidget(window)
        assert "moderation.threshold" in window.banner.message
        window.close()
        window.library.close()
    finally:
        path.unlink()
