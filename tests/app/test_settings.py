"""Settings: one typed model for the preferences file, and bad values said in one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from app.config import load_settings
from app.errors import SettingsError
from app.preferences import Preferences, read_preferences, write_preferences
from tests.conftest import ROOT


def run_cli(tmp_path, extra_env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, STREAMLENS_DB=str(tmp_path / "lib.db"), **extra_env)
    env["STREAMLENS_DATA_DIR"] = str(tmp_path / "data")
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize("value", ["abc", "-2", "1.5"])
def test_a_bad_thread_count_is_one_error_line(tmp_path, value):
    run = run_cli(tmp_path, {"STREAMLENS_CPU_THREADS": value}, "recordings")
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert run.stderr.strip() == (
        "error: STREAMLENS_CPU_THREADS must be a whole number of threads (0 lets Streamlens "
        f"choose), not {value!r}."
    )


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ('{"moderation": {"threshold": 7}}', "moderation.threshold"),
        ('{"chat": {"enabled": "perhaps"}}', "chat.enabled"),
        ('{"moderation": {"channels": ["a"]}}', "moderation.channels"),
        ('{"model": ""}', "model"),
        ('{"moderation": ', "is not valid JSON"),
        ("[1, 2]", "the file"),
    ],
)
def test_a_bad_preferences_file_is_one_error_line(tmp_path, content, said):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.json").write_text(content)
    run = run_cli(tmp_path, {"STREAMLENS_CONFIG_DIR": str(tmp_path / "config")}, "recordings")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    [line] = run.stderr.strip().splitlines()
    assert line.startswith("error: The preferences file") and said in line


def test_preferences_round_trip_and_keep_unknown_keys(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"model": "base", "future": {"x": 1}, "chat": {"new": True}}))
    prefs = read_preferences(path)
    assert prefs.model == "base" and prefs.chat.enabled is True
    changed = prefs.model_copy(
        update={"moderation": prefs.moderation.model_validate({"channels": {"#Loud": 0.9}})}
    )
    write_preferences(changed, path)
    saved = json.loads(path.read_text())
    assert saved["future"] == {"x": 1} and saved["chat"]["new"] is True
    assert saved["moderation"]["channels"] == {"loud": 0.9}  # as chat reports channel names
    assert read_preferences(path) == changed


def test_the_environment_overrides_the_file(tmp_path, monkeypatch):
    write_preferences(Preferences(model="base"), tmp_path / "config" / "settings.json")
    monkeypatch.setenv("STREAMLENS_CONFIG_DIR", str(tmp_path / "config"))
    assert load_settings().model == "base"
    monkeypatch.setenv("STREAMLENS_MODEL", "tiny.en")
    monkeypatch.setenv("STREAMLENS_CPU_THREADS", "3")
    settings = load_settings()
    assert settings.model == "tiny.en" and settings.cpu_threads == 3
    monkeypatch.setenv("STREAMLENS_CPU_THREADS", "many")
    with pytest.raises(SettingsError, match="STREAMLENS_CPU_THREADS"):
        load_settings()
