"""Runs the desktop app as `main.py` would, on whatever display Qt finds, starts the demo,
waits for its transcript, takes a screenshot of the screen and reports what it saw as JSON.

Not a test itself: `test_real_window.py` runs it under `xvfb-run`, where Qt uses its xcb
platform (a real X server) instead of the offscreen one the other tests use.

    python tests/ui/real_window_driver.py REPORT.json SCREENSHOT.png [SECONDS]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer, QtMsgType, qInstallMessageHandler  # noqa: E402

from app.config import load_settings  # noqa: E402
from app.logsetup import configure_logging  # noqa: E402
from ui.app import application, open_main_window  # noqa: E402
from ui.live_view import LiveView  # noqa: E402

qt_messages: list[dict] = []


def keep_qt_message(kind: QtMsgType, context, message: str) -> None:
    qt_messages.append({"kind": kind.name, "category": context.category, "text": message})


def main() -> int:
    report_path, shot_path = Path(sys.argv[1]), Path(sys.argv[2])
    deadline_s = float(sys.argv[3]) if len(sys.argv) > 3 else 90.0
    qInstallMessageHandler(keep_qt_message)
    settings = load_settings()
    configure_logging(settings.data_dir)
    app = application([sys.argv[0]])
    window = open_main_window(settings)
    report: dict = {"platform": app.platformName(), "qt_messages": qt_messages}
    if window is None:
        report["error"] = "the main window did not open"
        report_path.write_text(json.dumps(report))
        return 1
    started = time.monotonic()
    QTimer.singleShot(300, window.start_demo)

    def live_view() -> LiveView | None:
        views = [window.tabs.widget(i) for i in range(window.tabs.count())]
        return next((v for v in views if isinstance(v, LiveView)), None)

    def check() -> None:
        view = live_view()
        heard = view.transcript_text() if view else ""
        if (heard and time.monotonic() - started > 5) or time.monotonic() - started > deadline_s:
            finish(view, heard)
        else:
            QTimer.singleShot(250, check)

    def finish(view: LiveView | None, heard: str) -> None:
        app.processEvents()
        screen = app.primaryScreen()
        shot = screen.grabWindow(0)  # the whole X screen, as a screenshot tool takes it
        shot.save(str(shot_path))
        report.update(
            window_visible=window.isVisible(),
            window_title=window.windowTitle(),
            window_icon=not window.windowIcon().isNull(),
            active_window=app.activeWindow() is window,
            geometry=[window.x(), window.y(), window.width(), window.height()],
            screen=[screen.size().width(), screen.size().height()],
            banner=window.banner.message,
            demo_tab=view is not None,
            demo_state=view.state.text() if view else "",
            transcript=heard,
            seconds=round(time.monotonic() - started, 1),
        )
        window.close()  # stops the demo session and its servers cleanly
        report_path.write_text(json.dumps(report))
        app.quit()

    QTimer.singleShot(500, check)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
