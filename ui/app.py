"""Starting the desktop app."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from app.config import load_settings
from app.errors import USER_ERRORS
from app.logsetup import configure_logging
from app.services import open_library
from ui.main_window import MainWindow


def run_gui(argv: list[str] | None = None) -> int:
    settings = load_settings()
    configure_logging(settings.data_dir)
    app = QApplication.instance() or QApplication(argv or sys.argv)
    app.setApplicationName("Streamlens")
    app.setOrganizationName("Streamlens")
    app.setStyle("Fusion")  # follows the system's light or dark colour scheme
    try:
        library = open_library(settings)
    except USER_ERRORS as exc:
        QMessageBox.critical(None, "Streamlens", str(exc))
        return 1
    window = MainWindow(settings, library)
    window.show()
    return app.exec()
