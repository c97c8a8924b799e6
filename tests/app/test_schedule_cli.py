"""`schedule add/list/remove/runs` and `daemon` (SIGTERM ends recordings cleanly)."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from tests.app.helpers import open_library, wait_for
from tests.conftest import ROOT, cli_env


def test_schedule_add_list_remove(run_cli, tmp_path):
    added = run_cli(
        "schedule",
        "add",
        "http://x/radio",
        "--cron",
        "mon-fri 06:00",
        "--duration",
        "2h",
        "--name",
        "Morning",
        "--tz",
        "Europe/Berlin",
    )
    assert added.returncode == 0, added.stderr
    schedule_id = added.stdout.split()[1].rstrip(":")
    assert "Next start:" in added.stdout
    listed = run_cli("schedule", "list")
    assert schedule_id in listed.stdout and "Morning" in listed.stdout
    assert "mon-fri 06:00, Europe/Berlin" in listed.stdout and "02:00:00" in listed.stdout
    bad = run_cli("schedule", "add", "http://x", "--cron", "soon", "--duration", "1h")
    assert bad.returncode == 1 and "Cannot read the schedule 'soon'" in bad.stderr
    past = run_cli("schedule", "add", "http://x", "--at", "2001-01-01 06:00", "--duration", "1h")
    assert past.returncode == 1 and "already passed" in past.stderr
    removed = run_cli("schedule", "remove", schedule_id)
    assert removed.returncode == 0 and "Removed" in removed.stdout
    assert run_cli("schedule", "remove", schedule_id).returncode == 1


def test_schedule_import_wavepulse_with_state_filter(run_cli, tmp_path):
    path = tmp_path / "daily.json"
    path.write_text(
        '[{"url": "https://a/WACV", "radio_name": "WACV", "time": [["12:00", "3:00"], '
        '["5:00", "11:59"]], "state": "AL"}, {"url": "https://b/KGWA", "radio_name": "KGWA", '
        '"time": [["18:00", "20:00"]], "state": "OK"}]'
    )
    result = run_cli("schedule", "import", str(path), "--state", "al", "--tz", "UTC")
    assert result.returncode == 0, result.stderr
    assert "Added 1 stations and 2 daily schedules." in result.stdout
    listed = run_cli("schedule", "list").stdout
    assert "WACV 12:00–3:00" in listed and "15:00:00" in listed and "KGWA" not in listed
    sources = run_cli("sources", "list").stdout
    assert "WACV [AL]" in sources


@pytest.mark.slow
def test_daemon_records_on_schedule_and_sigterm_ends_it_cleanly(run_cli, workdir, hls_stream):
    start = (datetime.now(UTC) + timedelta(seconds=3)).strftime("%Y-%m-%d %H:%M:%S")
    added = run_cli(
        "schedule",
        "add",
        hls_stream.url,
        "--at",
        start,
        "--tz",
        "UTC",
        "--duration",
        "10m",
        "--name",
        "Loop",
    )
    assert added.returncode == 0, added.stderr
    daemon = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "daemon"],
        cwd=ROOT,
        env=cli_env(workdir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        library = open_library(workdir)
        wait_for(lambda: library.search.search("library budget"), timeout=60)
        daemon.send_signal(signal.SIGTERM)
        out, err = daemon.communicate(timeout=60)
    finally:
        daemon.kill()
    assert daemon.returncode == 0, err
    assert "started → recording #1" in err and "Stopped." in err
    assert "library budget" in out.lower()  # committed text printed as it arrives
    [recording] = library.recordings.list()
    assert recording.status == "complete" and recording.title == "Loop"
    runs = run_cli("schedule", "runs").stdout
    assert "complete" in runs and "→ #1" in runs
