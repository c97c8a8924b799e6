"""A main window over a library of its own, shown offscreen."""

from __future__ import annotations

import pytest

from app.config import Settings
from app.services import open_library
from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path):
    settings = Settings(
        data_dir=tmp_path / "data",
        db_url=f"sqlite:///{tmp_path / 'library.db'}",
        cache_dir=tmp_path / "cache",
    )
    library = open_library(settings)
    win = MainWindow(settings, library)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()
    library.close()


@pytest.fixture
def tuned_as_the_app(qapp):
    """The interpreter tuned as `run_gui` tunes it before the window takes input (a stall
    measured without it is not the stall users get); undone afterwards."""
    import gc
    import sys

    from ui.app import keep_gui_thread_responsive

    before = sys.getswitchinterval()
    keep_gui_thread_responsive()
    yield
    sys.setswitchinterval(before)
    gc.unfreeze()
