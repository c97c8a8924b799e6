"""The main window: the library, live sessions and opened recordings as tabs."""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QInputDialog,
    QMainWindow,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.config import Settings, load_settings
from app.distributed.monitor import RemoteSessions
from app.events import EventBus, ScheduledRun
from app.recording_contents import (
    RecordingChat,
    RecordingContents,
    RecordingDetails,
    read_chat,
    read_recording,
    search_library,
    work_out_details,
)
from app.records import Library
from app.scheduler import RecordingScheduler, SchedulerBusy
from app.services import apply_settings
from app.session import LiveSession, RecordingJob
from app.timefmt import hms
from ui import workers
from ui.bridge import EventBridge
from ui.export_dialog import ExportDialog
from ui.import_dialog import ImportDialog
from ui.library_view import LibraryView
from ui.live_view import LiveView
from ui.new_recording import NewRecordingDialog
from ui.recording_view import RecordingView
from ui.schedules_dialog import AddScheduleDialog, SchedulesDialog
from ui.settings_dialog import SettingsDialog
from ui.sources_view import SourcesView
from ui.streams_view import StreamsView
from ui.trends_view import TrendsView
from ui.widgets import ErrorBanner

log = logging.getLogger(__name__)
STOP_WAIT_S = 20.0


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings, library: Library, run_schedules: bool = True) -> None:
        super().__init__()
        self.settings = settings
        self.library = library
        self.bus = EventBus()
        self.bridge = EventBridge(self.bus, self)
        self.sessions: dict[LiveView, LiveSession] = {}
        self.demos: dict[LiveView, object] = {}  # a DemoSource per demo tab
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
        self.library_view.resume_requested.connect(self.resume)
        self.library_view.analysis_requested.connect(self.reanalyse)
        self.library_view.export_requested.connect(self.export_csv)
        self.library_view.demo_requested.connect(self.start_demo)
        self.library_view.add_source_requested.connect(self.add_source)
        self.library_view.import_requested.connect(self.import_archives)
        self.library_view.settings_requested.connect(self.show_settings)
        self.tabs.addTab(self.library_view, "Library")
        self.tabs.tabBar().setTabButton(0, self.tabs.tabBar().ButtonPosition.RightSide, None)
        self.sources_view = SourcesView(library)
        self.sources_view.record_requested.connect(
            lambda url, name, mode: self.start_recording(
                RecordingJob(url=url, name=name or None, mode=mode), show=mode == "live"
            )
        )
        self.sources_view.schedule_requested.connect(self.add_schedule_for)
        self.tabs.addTab(self.sources_view, "Sources")
        self.tabs.tabBar().setTabButton(1, self.tabs.tabBar().ButtonPosition.RightSide, None)
        self.trends_view = TrendsView(library)
        self.trends_view.open_requested.connect(self.open_recording)
        self.tabs.addTab(self.trends_view, "Trends")
        self.tabs.tabBar().setTabButton(2, self.tabs.tabBar().ButtonPosition.RightSide, None)
        self.streams_view = StreamsView()
        self.streams_view.watch_remote(RemoteSessions(self.library))  # workers, other processes
        self.streams_view.open_requested.connect(self.show_session)
        self.streams_view.stop_requested.connect(self.stop_sessions)
        self.bridge.segment.connect(self.streams_view.on_segment)
        self.bridge.status.connect(self.streams_view.on_status)
        self.bridge.chat.connect(self.streams_view.on_chat)
        self.tabs.addTab(self.streams_view, "Streams")
        self.tabs.tabBar().setTabButton(3, self.tabs.tabBar().ButtonPosition.RightSide, None)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self._build_actions()
        self.bridge.status.connect(self._on_status)
        self.bridge.scheduled.connect(self._on_scheduled_run)
        self.bridge.session_started.connect(self.attach_session)
        self.statusBar()
        self.scheduler = RecordingScheduler(
            settings, library, self.bus, on_session=self.bridge.session_started.emit
        )
        self.scheduler_note = ""
        self._start_scheduler(run_schedules)
        self._restore_state()
        self.refresh_library()
        self.sources_view.refresh()

    # --- actions -------------------------------------------------------------------------

    def _build_actions(self) -> None:
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        on_toolbar = ("&New", "Start &demo", "&Sources", "S&chedules", "&Import", "&Export")
        menus = {
            "&File": (
                ("&New recording…", QKeySequence.StandardKey.New, self.new_recording),
                ("Start &demo", "Ctrl+D", self.start_demo),
                ("&Import archived streams…", "Ctrl+I", self.import_archives),
                ("&Export to CSV…", "Ctrl+E", self.export_csv),
                ("&Close tab", QKeySequence.StandardKey.Close, self.close_current_tab),
                ("&Quit", QKeySequence.StandardKey.Quit, self.close),
            ),
            "&View": (
                ("&Library", "Ctrl+1", lambda: self.tabs.setCurrentWidget(self.library_view)),
                ("&Sources", "Ctrl+2", self.show_sources),
                ("&Trends and mentions", "Ctrl+3", self.show_trends),
                ("&Find in transcripts", QKeySequence.StandardKey.Find, self.focus_search),
                ("&Refresh library", QKeySequence.StandardKey.Refresh, self.refresh_library),
            ),
            "&Tools": (
                ("S&chedules…", "Ctrl+Shift+S", self.show_schedules),
                ("Check a c&hat log…", "Ctrl+Shift+M", self.check_chat_log),
                ("&Punctuate text…", "Ctrl+Shift+P", self.punctuate_text),
                ("Se&ttings…", QKeySequence.StandardKey.Preferences, self.show_settings),
            ),
        }
        self.actions_by_name: dict[str, QAction] = {}
        for title, entries in menus.items():
            menu = self.menuBar().addMenu(title)
            for text, shortcut, slot in entries:
                action = QAction(text, self)
                action.setShortcut(QKeySequence(shortcut))
                action.triggered.connect(slot)
                menu.addAction(action)
                self.actions_by_name[text.replace("&", "").rstrip("…")] = action
                if text.startswith(on_toolbar):
                    toolbar.addAction(action)

    # --- demo and settings -----------------------------------------------------------------

    def start_demo(self) -> None:
        """Serve the built-in demo stream and chat on 127.0.0.1 and monitor them."""
        from app.demo.source import DemoSource

        demo = DemoSource()
        worker = workers.Worker(demo.start)
        worker.signals.returned.connect(self._demo_started)
        worker.signals.errored.connect(self.banner.show_error)
        workers.start(worker)
        self.statusBar().showMessage("Starting the demo stream…", 5000)

    def _demo_started(self, demo) -> LiveView:
        settings = dataclasses.replace(self.settings, twitch_irc=demo.chat.endpoint)
        view = self.start_recording(demo.job(), settings)
        self.demos[view] = demo
        return view

    def _stop_demo(self, view) -> None:
        demo = self.demos.pop(view, None)
        if demo is not None:
            workers.start(workers.Worker(demo.stop))

    def show_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.settings, self)
        dialog.accepted.connect(self._settings_saved)
        dialog.show()
        return dialog

    def _settings_saved(self) -> None:
        fresh = load_settings()
        # The library stays where it is until the next start; the rest applies now.
        self.settings = dataclasses.replace(
            fresh, data_dir=self.settings.data_dir, db_url=self.settings.db_url
        )
        apply_settings(self.settings)
        self.statusBar().showMessage("Settings saved; they apply to new recordings.", 8000)

    # --- schedules, import, export, sources -------------------------------------------------

    def _start_scheduler(self, run_schedules: bool) -> None:
        """Run the schedules in this window unless another process (the daemon) already does."""
        try:
            if run_schedules:
                self.scheduler.run()
                return
        except SchedulerBusy as exc:
            self.scheduler_note = str(exc)
        except Exception as exc:  # a broken job store must not keep the window from opening
            log.exception("Could not start the scheduler")
            self.banner.show_error(f"Schedules cannot run: {exc}")
        try:
            self.scheduler.open()
        except Exception as exc:
            log.exception("Could not open the job store")
            self.banner.show_error(f"Schedules cannot be shown: {exc}")

    def show_schedules(self) -> SchedulesDialog:
        dialog = SchedulesDialog(self.scheduler, self.library, self.scheduler_note, self)
        dialog.show()
        return dialog

    def add_schedule_for(self, url: str, name: str) -> None:
        dialog = AddScheduleDialog(self, url=url, name=name)
        if dialog.exec() and dialog.spec is not None:
            worker = workers.Worker(self.scheduler.add, dialog.spec)
            worker.signals.returned.connect(
                lambda info: self.statusBar().showMessage(
                    f"Scheduled {info.spec.label}: next start {info.next_run:%Y-%m-%d %H:%M}"
                    if info.next_run
                    else f"Scheduled {info.spec.label}",
                    10000,
                )
            )
            worker.signals.errored.connect(self.banner.show_error)
            workers.start(worker)

    def _on_scheduled_run(self, event: ScheduledRun) -> None:
        detail = f" ({event.detail})" if event.detail else ""
        self.statusBar().showMessage(f"Schedule “{event.name}”: {event.status}{detail}", 15000)
        if event.status == "failed":
            self.banner.show_error(f"Scheduled recording “{event.name}” failed{detail}")
        if event.status in ("complete", "failed", "missed"):
            self.refresh_library()

    def import_archives(self) -> ImportDialog:
        dialog = ImportDialog(self.library, self.settings, self)
        dialog.imported.connect(self.refresh_library)
        dialog.imported.connect(self.sources_view.refresh)
        dialog.show()
        return dialog

    def export_csv(self) -> ExportDialog:
        from app.tutorial_catalog import active_catalog

        dialog = ExportDialog(
            self.library,
            self.library_view.selected_ids(),
            self,
            tutorial_catalog=lambda: active_catalog(self.settings),
        )
        dialog.show()
        return dialog

    def show_sources(self) -> None:
        self.tabs.setCurrentWidget(self.sources_view)
        self.sources_view.refresh()

    def add_source(self) -> None:
        """The Sources tab with its *Add by URL* dialog open (a first-run step)."""
        self.show_sources()
        self.sources_view.add_by_url()

    def check_chat_log(self) -> QDialog:
        from ui.chat_log_dialog import ChatLogDialog

        dialog = ChatLogDialog(self, self.settings.moderation_threshold)
        dialog.show()
        return dialog

    def punctuate_text(self) -> QDialog:
        from ui.punctuate_dialog import PunctuateDialog

        dialog = PunctuateDialog(self)
        dialog.show()
        return dialog

    def show_trends(self) -> None:
        self.tabs.setCurrentWidget(self.trends_view)

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
        if widget in (self.library_view, self.sources_view, self.trends_view, self.streams_view):
            return
        session = self.sessions.pop(widget, None) if isinstance(widget, LiveView) else None
        if isinstance(widget, LiveView) and widget.recording_id is not None:
            self.streams_view.remove_session(widget.recording_id)
        if session is not None:
            session.stop()
        self._stop_demo(widget)
        self.tabs.removeTab(index)
        widget.deleteLater()

    # --- live sessions -------------------------------------------------------------------

    def start_recording(
        self, job: RecordingJob, settings: Settings | None = None, show: bool = True
    ) -> LiveView:
        """A tab for a new session (made current when `show`; several started at once from
        Sources stay in the background and are followed in the Streams tab)."""
        view = LiveView(job.name or job.url)
        session = LiveSession(job, self.library, settings or self.settings, self.bus)
        self._wire(view, session)
        self.tabs.addTab(view, job.name or "Live")
        if show:
            self.tabs.setCurrentWidget(view)
        worker = workers.Worker(session.start)
        worker.signals.returned.connect(lambda rid: self._session_started(view, rid))
        worker.signals.errored.connect(lambda message: self._session_failed(view, message))
        workers.start_at_full_priority(worker)  # what it starts is the watched stream
        return view

    def _wire(self, view: LiveView, session: LiveSession) -> None:
        """A live tab follows its session's events and can stop it."""
        self.sessions[view] = session
        for signal, slot in (
            (self.bridge.segment, view.on_segment),
            (self.bridge.status, view.on_status),
            (self.bridge.error, view.on_error),
            (self.bridge.chat, view.on_chat),
            (self.bridge.chat_status, view.on_chat_status),
            (self.bridge.summary, view.on_summary),
            (self.bridge.keywords, view.on_keywords),
            (self.bridge.tutorials, view.on_tutorials),
        ):
            signal.connect(slot)
        view.stop_requested.connect(session.stop)

    def attach_session(self, session: LiveSession) -> LiveView:
        """A tab for a session started elsewhere (by the scheduler): already running."""
        title = (
            session.job.name or (session.info.title if session.info else None) or session.job.url
        )
        view = LiveView(title)
        view.recording_id = session.recording_id
        view.state.setText("● Live (scheduled)")
        self._wire(view, session)
        self.tabs.addTab(view, title[:30])
        if session.recording_id is not None:
            self.streams_view.add_session(session.recording_id, title, session.job.mode)
        self.refresh_library()
        return view

    def _session_started(self, view: LiveView, recording_id: int) -> None:
        if not isValid(view) or view not in self.sessions:
            return  # the tab was closed (or the window) while the session was starting
        view.recording_id = recording_id
        session = self.sessions[view]
        info = session.info
        if info is not None and info.title:
            view.title.setText(f"<b>{view.title.text()[3:-4]}</b> — {info.title}")
            self.tabs.setTabText(self.tabs.indexOf(view), info.title[:30])
        name = session.job.name or (info.title if info else None) or session.job.url
        self.streams_view.add_session(recording_id, name, session.job.mode)
        self.refresh_library()

    def show_session(self, recording_id: int) -> None:
        """The tab of the running (or just ended) session recording `recording_id`."""
        for view in self.sessions:
            if view.recording_id == recording_id and isValid(view):
                self.tabs.setCurrentWidget(view)
                return
        self.open_recording(recording_id)  # its tab was closed: the stored recording

    def stop_sessions(self, recording_ids: list[int]) -> None:
        for view, session in list(self.sessions.items()):
            if view.recording_id in recording_ids:
                workers.start(workers.Worker(session.stop))

    def _session_failed(self, view: LiveView, message: str) -> None:
        if not isValid(view):
            return  # its window is gone; the failure is in the log
        self.banner.show_error(message)
        view.state.setText("Failed")
        view.partial.setText(message)
        view.stop_button.setEnabled(False)
        self.sessions.pop(view, None)

    def _on_status(self, event) -> None:
        if event.state in ("ended", "failed"):
            for view in [v for v in self.demos if v.recording_id == event.recording_id]:
                self._stop_demo(view)
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
        worker = workers.Worker(search_library, self.library, query)
        worker.signals.returned.connect(lambda hits: self.library_view.show_hits(query, hits))
        worker.signals.errored.connect(self.banner.show_error)
        workers.start(worker)

    def open_recording(self, recording_id: int, seconds: float = 0.0) -> None:
        """Show the recording as soon as its transcript is read, then add its chat, then
        the station breaks, chat statistics and tutorials: for six hours of radio with
        50,000 chat messages the chat takes about a second to read and the rest seconds to
        work out (`benchmarks/gui_large.py`)."""

        def then(fn, *args, done, failed) -> None:
            worker = workers.Worker(fn, *args)
            worker.signals.returned.connect(done)
            worker.signals.errored.connect(self.banner.show_error)
            worker.signals.errored.connect(failed)
            workers.start(worker)

        def shown(contents: RecordingContents) -> None:
            view = self._show_recording(contents, seconds)

            def chat_read(chat: RecordingChat | None) -> None:
                if isValid(view):  # not closed meanwhile
                    view.add_chat(chat)
                    then(
                        work_out_details,
                        self.library,
                        self.settings,
                        contents,
                        chat,
                        done=details_found,
                        failed=no_details,
                    )

            def details_found(more: RecordingDetails) -> None:
                if isValid(view):
                    view.add_details(more)

            def no_details(_message: str) -> None:
                details_found(RecordingDetails([]))

            then(
                read_chat,
                self.library,
                contents,
                done=chat_read,
                failed=lambda _message: chat_read(None),
            )

        worker = workers.Worker(read_recording, self.library, recording_id)
        worker.signals.returned.connect(shown)
        worker.signals.errored.connect(self.banner.show_error)
        workers.start(worker)

    def _show_recording(self, data: RecordingContents, seconds: float) -> RecordingView:
        recording = data.recording
        view = RecordingView(
            recording,
            data.segments,
            data.chat,
            data.windows,
            data.summaries,
            data.keywords,
            data.entities,
            data.tutorials,
            data.chat_stats,
            data.break_rows,
            chat_pending=data.chat is None,
            details_pending=data.break_rows is None,
            overview=data.overview,
        )
        view.analysis_requested.connect(self.reanalyse)
        view.speaker_rename_requested.connect(self.ask_speaker_name)
        title = (recording.title or recording.url)[:30]
        self.tabs.addTab(view, f"#{recording.id} {title}")
        self.tabs.setCurrentWidget(view)
        view.jump_to(seconds)
        return view

    def reanalyse(self, rid: int, punctuate: bool | None) -> None:
        """Redo a recording's analyses off the GUI thread (with punctuation first when
        `punctuate`); its open tabs are then shown afresh, where the user was."""
        from app.transcript_analysis import analyse_recording

        views = [v for v in self._open_views(RecordingView) if v.recording.id == rid]
        for view in views:
            view.set_busy(True)
        self.statusBar().showMessage(f"Analysing recording #{rid} again…")
        worker = workers.Worker(analyse_recording, self.library, rid, punctuate)

        def done(notes: str) -> None:
            self.statusBar().showMessage(f"Recording #{rid}: {notes}.", 10_000)
            self._show_afresh(views)
            self.refresh_library()

        def failed(message: str) -> None:
            self.banner.show_error(message)
            for view in views:
                if isValid(view):
                    view.set_busy(False)

        worker.signals.returned.connect(done)
        worker.signals.errored.connect(failed)
        workers.start(worker)

    def _show_afresh(self, views: list[RecordingView]) -> None:
        """Read the recordings of `views` again and show them where the user was."""
        for view in views:
            if isValid(view) and self.tabs.indexOf(view) >= 0:
                row = view.current_row
                seconds = view.segments[row].start_s if row >= 0 else 0.0
                self.tabs.removeTab(self.tabs.indexOf(view))
                view.deleteLater()
                self.open_recording(view.recording.id, seconds)

    def ask_speaker_name(self, rid: int, shown: str) -> None:
        """Ask for a name for the voice shown as `shown` in recording `rid`."""
        name, ok = QInputDialog.getText(
            self,
            "Name this voice",
            f"Name for {shown}, in every recording where this voice is found\n"
            "(leave empty to go back to its number):",
            text="" if shown.startswith("Speaker ") else shown,
        )
        if ok:
            self.rename_speaker(rid, shown, name)

    def rename_speaker(self, rid: int, shown: str, name: str) -> None:
        """Name a voice off the GUI thread; every open recording is then shown afresh (the
        voice may speak in any of them)."""
        from app.speaker_names import rename_speaker

        worker = workers.Worker(rename_speaker, self.library, rid, shown, name)

        def done(profile) -> None:
            self.statusBar().showMessage(
                f"{shown} is now {profile.display} in every recording of that voice.", 10_000
            )
            self._show_afresh(self._open_views(RecordingView))

        worker.signals.returned.connect(done)
        worker.signals.errored.connect(self.banner.show_error)
        workers.start(worker)

    def resume(self, rid: int) -> None:
        """Transcribe what an interrupted recording archived, then analyse it. What was
        transcribed stays stored even if the analysis then fails (the message says so)."""
        from app.transcription import resume_and_analyse

        def run(report) -> str:
            outcome = resume_and_analyse(
                rid, self.library, self.settings, progress=lambda done, _total: report(done)
            )
            return outcome.describe()

        def finished(message: str) -> None:
            self.statusBar().showMessage(message + ".", 10_000)
            self.refresh_library()

        worker = workers.Worker(run)
        worker.signals.progress.connect(
            lambda done: self.statusBar().showMessage(
                f"Resuming recording #{rid}: {hms(done)} transcribed…"
            )
        )
        worker.signals.returned.connect(finished)
        worker.signals.errored.connect(self.banner.show_error)
        self.statusBar().showMessage(f"Resuming recording #{rid}…")
        workers.start(worker)

    def _open_views(self, kind: type) -> list:
        return [
            self.tabs.widget(i)
            for i in range(self.tabs.count())
            if isinstance(self.tabs.widget(i), kind)
        ]

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
        column = store.value("library/sort_column")
        if column is not None:
            order = Qt.SortOrder(int(store.value("library/sort_order", 1)))
            self.library_view.set_sort(int(column), order)
        self.library_view.sort_changed.connect(self._remember_sort)

    def _remember_sort(self, column: int, order: Qt.SortOrder) -> None:
        """The library's sort survives a restart (a refresh keeps it by itself)."""
        store = self._state_store()
        store.setValue("library/sort_column", int(column))
        store.setValue("library/sort_order", Qt.SortOrder(order).value)

    def closeEvent(self, event) -> None:
        store = self._state_store()
        store.setValue("geometry", self.saveGeometry())
        store.setValue("state", self.saveState())
        for session in list(self.sessions.values()):
            session.stop()
        self.scheduler.shutdown(stop_recordings=True, timeout_s=STOP_WAIT_S)
        for session in list(self.sessions.values()):
            session.wait(STOP_WAIT_S)
        for demo in self.demos.values():
            demo.stop()
        self.demos.clear()
        self.bridge.detach()
        super().closeEvent(event)
