"""Starting the desktop app."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app.config import Settings, load_settings
from app.errors import USER_ERRORS, SettingsError
from app.logsetup import configure_logging
from app.preferences import Preferences
from app.services import open_library
from ui import workers
from ui.main_window import MainWindow

ICON = Path(__file__).resolve().parents[1] / "resources" / "icons" / "streamlens.svg"
DESKTOP_FILE = "streamlens"  # resources/streamlens.desktop, installed by `desktop install`


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
    app.aboutToQuit.connect(workers.finish_all)
    return app


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
    return app.exec()
