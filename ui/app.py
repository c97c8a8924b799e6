"""Starting the desktop app."""

from __future__ import annotations

import gc
import logging
import os
import sys
from pathlib import Path

from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QStyle, QTableView

from app.config import Settings, load_settings
from app.errors import USER_ERRORS, SettingsError
from app.logsetup import configure_logging
from app.preferences import Preferences
from app.services import apply_settings, open_library
from app.session import wait_for_session_threads
from ui import workers
from ui.main_window import MainWindow

ICON = Path(__file__).resolve().parents[1] / "resources" / "icons" / "streamlens.svg"
DESKTOP_FILE = "streamlens"  # resources/streamlens.desktop, installed by `desktop install`
SESSION_EXIT_WAIT_S = 120.0  # a stopped session finishes the audio it already has


def application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, named and with its icon (window and taskbar)."""
    app = QApplication.instance() or QApplication(argv or sys.argv)
    app.setApplicationName("Streamlens")
    app.setOrganizationName("Streamlens")
    app.setApplicationDisplayName("Streamlens")
    # Ties windows to the menu entry: the taskbar shows its icon and groups them under it.
    QGuiApplication.setDesktopFileName(DESKTOP_FILE)
    app.setWindowIcon(QIcon(str(ICON)))
    app.setStyle("Fusion")  # follows the system's light or dark colour scheme
    app.aboutToQuit.connect(finish_background_work)
    return app


def finish_background_work() -> None:
    """At quit, after the window stopped its sessions: let their threads and the pooled tasks
    end before Python shuts down (a thread torn down inside Whisper aborts the process with a
    crash report). Should one hang, everything committed is already stored: exit without
    waiting any longer, rather than abort."""
    done = workers.finish_all(timeout_s=30)
    done = wait_for_session_threads(timeout_s=SESSION_EXIT_WAIT_S) and done
    if not done:
        logging.getLogger(__name__).warning("Background work still running at quit; exiting")
        logging.shutdown()
        os._exit(0)


def startup_settings() -> tuple[Settings, str]:
    """The settings to open with, and a problem to show in the window ("" for none).

    A bad preferences file does not keep the window closed: the defaults apply, the banner
    says what is wrong, and saving Settings writes a good file. A bad environment variable
    raises `SettingsError` (whoever set it is at a terminal to fix it).
    """
    try:
        return load_settings(), ""
    except SettingsError as exc:
        settings = load_settings(preferences=Preferences())
        return settings, f"{exc} Until then the defaults apply."


def open_main_window(settings: Settings | None = None, problem: str = "") -> MainWindow | None:
    """The main window over the user's library, shown; None (after saying why) when the
    library cannot be opened."""
    settings = settings or load_settings()
    apply_settings(settings)
    try:
        library = open_library(settings)
    except USER_ERRORS as exc:
        QMessageBox.critical(None, "Streamlens", str(exc))
        return None
    window = MainWindow(settings, library)
    if problem:
        window.banner.show_error(problem)
    window.show()
    return window


def run_gui(argv: list[str] | None = None) -> int:
    app = application(argv)
    try:
        settings, problem = startup_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        QMessageBox.critical(None, "Streamlens", str(exc))
        return 2
    configure_logging(settings.data_dir)
    window = open_main_window(settings, problem)
    if window is None:
        return 1
    keep_gui_thread_responsive()
    return app.exec()


GUI_SWITCH_INTERVAL_S = 0.001


def keep_gui_thread_responsive() -> None:
    """Tune the interpreter for a window that shares Python with busy worker threads (call
    once the application exists).

    - What start-up loaded (Qt, models' code, about 200,000 objects) lives as long as the app:
      frozen out of the collector's full passes, which otherwise stall the window 250-450 ms
      while a long recording loads.
    - Qt's drawing calls let go of the GIL; to take it back, the GUI thread waits for the
      worker holding it to reach the switch interval (5 ms by default) — once per call. A
      chart's paint waited 127 ms that way (12 ms of it drawing) while the chat statistics
      of a six-hour recording were computed. At 1 ms the wait is short, and the workers lose
      about a percent to the extra switches.

    - PySide6 builds a class's Python enums on first use: a recording view's first
      `viewport()` and `style()` calls built 48 (those of every kind of widget, of QStyle and
      its options), 50 ms on the GUI thread when the first recording opened.
      Built here, at start-up, and frozen with the rest.

    `benchmarks/gui_large.py` measures all three."""
    if QApplication.instance() is not None:
        table = QTableView()  # asked as a recording view asks
        table.viewport()  # a plain QWidget: finding its Python type builds every widget class
        table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table)
        table.deleteLater()
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
