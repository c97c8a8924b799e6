"""The desktop app in a real window: Xvfb is a real X server, so Qt loads its xcb platform
plugin and the system libraries behind it, as on a user's desktop (the other GUI tests run
offscreen and would never notice a missing library)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

DRIVER = Path(__file__).with_name("real_window_driver.py")
SCREEN = (1280, 800)


def distinct_colours(image: QImage, step: int = 7) -> int:
    return len(
        {
            image.pixel(x, y)
            for x in range(0, image.width(), step)
            for y in range(0, image.height(), step)
        }
    )


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("xvfb-run") is None, reason="xvfb-run is not installed (`make test` installs it)"
)
def test_the_app_opens_a_real_window_and_runs_the_demo(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    env.update(
        STREAMLENS_CONFIG_DIR=str(tmp_path / "config"),
        STREAMLENS_DATA_DIR=str(tmp_path / "data"),
        STREAMLENS_DB=str(tmp_path / "library.db"),
        STREAMLENS_CACHE_DIR=str(tmp_path / "cache"),
    )
    report_path, shot_path = tmp_path / "report.json", tmp_path / "screen.png"
    run = subprocess.run(
        [
            "xvfb-run",
            "--auto-servernum",
            "--server-args",
            f"-screen 0 {SCREEN[0]}x{SCREEN[1]}x24",
            sys.executable,
            str(DRIVER),
            str(report_path),
            str(shot_path),
            "120",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # Exit 0: the window closed and the process ended cleanly (no abort on the way out).
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr and "Aborted" not in run.stderr, run.stderr[-3000:]
    report = json.loads(report_path.read_text())
    assert report["platform"] == "xcb"  # a real X11 window, not the offscreen platform
    assert report["window_visible"] and report["window_title"] == "Streamlens"
    assert report["window_icon"]
    assert report["banner"] == ""
    assert report["demo_tab"] and report["transcript"].strip(), report
    problems = [
        m
        for m in report["qt_messages"]
        if m["kind"] in ("QtCriticalMsg", "QtFatalMsg") or m["category"].startswith("qt.qpa")
    ]
    assert problems == []
    log = (tmp_path / "data" / "streamlens.log").read_text()
    assert " ERROR " not in log and " CRITICAL " not in log, log[-3000:]

    shot = QImage(str(shot_path))
    assert (shot.width(), shot.height()) == SCREEN
    assert distinct_colours(shot) > 20  # widgets, text and a chart, not a blank screen
    x, y, w, h = report["geometry"]
    window_part = shot.copy(x, y, w, h)
    background = shot.copy(x + w, 0, SCREEN[0] - x - w, SCREEN[1]) if x + w < SCREEN[0] else None
    assert distinct_colours(window_part) > distinct_colours(background) if background else True
