"""The main window: the library, live sessions and opened recordings as tabs."""

from __future__ import annotations

import logging

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QTabWidget, QVBoxLayout, QWidget

from app.config import Settings
from app.events import EventBus
from app.session import LiveSession, RecordingJob
from storage import Library
from ui import workers
from ui.bridge import EventBridge
from ui.library_view import LibraryView
from ui.live_view import LiveView
from ui.new_recording import NewRecordingDialog
from ui.recording_view import RecordingView
from ui.widgets import ErrorBanner

log = logging.getLogger(__name__)
STOP_WAIT_S = 20.0


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings, library: Library) -> None:
        super().__init__()
        self.settings = settings
        self.library = library
        self.bus = EventBus()
        self.bridge = EventBridge(self.bus, self)
        self.sessions: dict[LiveView, LiveSession] = {}
        self.setWindowTitle("Streamlens")
        self.resize(1200, 760)

        self.banner = ErrorBanner()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.library_view = LibraryView()
        self.library_view.open_recording.connect(self.open_recording)
        self.library_view.search_requested.connect(self.search)
        self.tabs.addTab(self.library_view, "Library")
        self.tabs.tabBar().setTabButton(0, self.tabs.tabBar().ButtonPosition.RightSide, None)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self._build_actions()
        self.bridge.status.connect(self._on_status)
        self._restore_state()
        self.refresh_library()

    # --- actions -------------------------------------------------------------------------

    def _build_actions(self) -> None:
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        menu = self.menuBar().addMenu("&File")
        for text, shortcut, slot in (
            ("&New recording…", QKeySequence.StandardKey.New, self.new_recording),
            ("&Refresh library", QKeySequence.StandardKey.Refresh, self.refresh_library),
            ("&Find in transcripts", QKeySequence.StandardKey.Find, self.focus_search),
            ("&Close tab", QKeySequence.StandardKey.Close, self.close_current_tab),
            ("&Quit", QKeySequence.StandardKey.Quit, self.close),
        ):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(slot)
            menu.addAction(action)
            if text.startswith(("&New", "&Refresh")):
                toolbar.addAction(action)

    def new_recording(self) -> None:
        dialog = NewRecordingDialog(self)
        if dialog.exec() and dialog.job is not None:
            self.start_recording(dialog.job)

    def focus_search(self) -> None:
        self.tabs.setCurrentWidget(self.library_view)
        self.library_view.search_box.setFocus()
        self.library_view.search_box.selectAll()

    def close_current_tab(self) -> None:
        self.close_tab(self.tabs.currentIndex())

    def close_tab(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget is self.library_view:
            return
        session = self.sessions.pop(widget, None) if isinstance(widget, LiveView) else None
        if session is not None:
            session.stop()
        self.tabs.removeTab(index)
        widget.deleteLater()

    # --- live sessions -------------------------------------------------------------------

    def start_recording(self, job: RecordingJob) -> LiveView:
        view = LiveView(job.name or job.url)
        session = LiveSession(job, self.library, self.settings, self.bus)
        self.sessions[view] = session
        self.bridge.segment.connect(view.on_segment)
        self.bridge.status.connect(view.on_status)
        self.bridge.error.connect(view.on_error)
        view.stop_requested.connect(session.stop)
        self.tabs.addTab(view, job.name or "Live")
        self.tabs.setCurrentWidget(view)
        worker = workers.Worker(session.start)
        worker.signals.returned.connect(lambda rid: self._session_started(view, rid))
        worker.signals.errored.connect(lambda message: self._session_failed(view, message))
        workers.start(worker)
        return view

    def _session_started(self, view: LiveView, recording_id: int) -> None:
        view.recording_id = recording_id
        info = self.sessions[view].info if view in self.sessions else None
        if info is not None and info.title:
            view.title.setText(f"<b>{view.title.text()[3:-4]}</b> — {info.title}")
            self.tabs.setTabText(self.tabs.indexOf(view), info.title[:30])
        self.refresh_library()

    def _session_failed(self, view: LiveView, message: str) -> None:
        self.banner.show_error(message)
        view.state.setText("Failed")
        view.partial.setText(message)
        view.stop_button.setEnabled(False)
        self.sessions.pop(view, None)

    def _on_status(self, event) -> None:
        if event.state in ("ended", "failed"):
            error = event.detail.get("error")
            if event.state == "failed" and error:
                self.banner.show_error(error)
            self.refresh_library()

    # --- library -------------------------------------------------------------------------

    def refresh_library(self) -> None:
        worker = workers.Worker(self.library.recordings.list)
        worker.signals.returned.connect(self.library_view.set_recordings)
        worker.signals.errored.connect(self.banner.show_error)
        workers.start(worker)

    def search(self, query: str) -> None:
        worker = workers.Worker(self.library.search.search, query)
        worker.signals.returned.connect(lambda hits: self.library_view.show_hits(query, hits))
        worker.signals.errored.connect(self.banner.show_error)
        workers.start(worker)

    def open_recording(self, recording_id: int, seconds: float = 0.0) -> None:
        def load():
            return (
                self.library.recordings.get(recording_id),
                self.library.segments.for_recording(recording_id),
            )

        worker = workers.Worker(load)
        worker.signals.returned.connect(lambda data: self._show_recording(data, seconds))
        worker.signals.errored.connect(self.banner.show_error)
        workers.start(worker)

    def _show_recording(self, data, seconds: float) -> RecordingView:
        recording, segments = data
        view = RecordingView(recording, segments)
        title = (recording.title or recording.url)[:30]
        self.tabs.addTab(view, f"#{recording.id} {title}")
        self.tabs.setCurrentWidget(view)
        view.jump_to(seconds)
        return view

    # --- state ---------------------------------------------------------------------------

    def _state_store(self) -> QSettings:
        return QSettings(str(self.settings.data_dir / "window.ini"), QSettings.Format.IniFormat)

    def _restore_state(self) -> None:
        store = self._state_store()
        geometry = store.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = store.value("state")
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event) -> None:
        store = self._state_store()
        store.setValue("geometry", self.saveGeometry())
        store.setValue("state", self.saveState())
        for session in list(self.sessions.values()):
            session.stop()
        for session in list(self.sessions.values()):
            session.wait(STOP_WAIT_S)
        self.bridge.detach()
        super().closeEvent(event)
