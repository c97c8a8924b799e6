"""Schedules: what records when (add, remove, import a station list) and what happened."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import UsageError
from app.records import Library, ScheduleRunRecord
from app.scheduler import RecordingScheduler, ScheduleInfo
from app.schedules import (
    ScheduleSpec,
    ensure_future,
    local_timezone,
    once,
    recurring,
)
from app.stations import import_station_list
from app.timefmt import hms, parse_duration
from ui import workers
from ui.widgets import ErrorBanner

COMMON_ZONES = [
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Australia/Sydney",
]


def local(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "—"


def fill_table(table: QTableWidget, rows: list[list[str]], keys: list | None = None) -> None:
    table.setSortingEnabled(False)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if keys is not None and c == 0:
                item.setData(Qt.ItemDataRole.UserRole, keys[r])
            table.setItem(r, c, item)
    table.setSortingEnabled(True)


def make_table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class SchedulesDialog(QDialog):
    """Lists schedules with their next start, and the history of planned starts."""

    def __init__(
        self, scheduler: RecordingScheduler, library: Library, note: str = "", parent=None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Schedules")
        self.scheduler = scheduler
        self.library = library
        self.banner = ErrorBanner()
        self.note = QLabel(note)
        self.note.setWordWrap(True)
        self.note.setVisible(bool(note))
        self.table = make_table(["ID", "Name", "When", "Duration", "Mode", "Next start", "URL"])
        self.runs = make_table(["Planned", "Status", "Schedule", "Recording", "Detail"])
        add = QPushButton("Add…")
        add.clicked.connect(self.add_schedule)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        import_button = QPushButton("Import station list…")
        import_button.setToolTip("A WavePulse schedule JSON: [{url, radio_name, time, state}]")
        import_button.clicked.connect(self.import_stations)
        buttons = QHBoxLayout()
        for button in (add, self.remove_button, import_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        tabs = QTabWidget()
        tabs.addTab(self.table, "Schedules")
        tabs.addTab(self.runs, "History")
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.note)
        layout.addWidget(tabs, 1)
        layout.addLayout(buttons)
        self.resize(980, 520)
        self.refresh()

    def refresh(self) -> None:
        def load():
            return self.scheduler.list(), self.library.schedule_runs.list(limit=500)

        worker = workers.Worker(load)
        worker.signals.returned.connect(self._show)
        worker.signals.errored.connect(self.banner.show_error)
        workers.start(worker)

    def _show(self, data: tuple[list[ScheduleInfo], list[ScheduleRunRecord]]) -> None:
        infos, runs = data
        fill_table(
            self.table,
            [
                [
                    i.spec.id,
                    i.spec.name or "",
                    f"{i.spec.when} ({i.spec.timezone})",
                    hms(i.spec.duration_s),
                    i.spec.mode,
                    local(i.next_run),
                    i.spec.url,
                ]
                for i in infos
            ],
            [i.spec.id for i in infos],
        )
        fill_table(
            self.runs,
            [
                [
                    local(r.scheduled_at.replace(tzinfo=UTC)),
                    r.status,
                    r.schedule_name or r.url,
                    f"#{r.recording_id}" if r.recording_id else "",
                    r.detail or "",
                ]
                for r in runs
            ],
        )

    def selected_ids(self) -> list[str]:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return [self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in sorted(rows)]

    def add_schedule(self) -> None:
        dialog = AddScheduleDialog(self)
        if dialog.exec() and dialog.spec is not None:
            self._run(self.scheduler.add, dialog.spec)

    def remove_selected(self) -> None:
        for schedule_id in self.selected_ids():
            self._run(self.scheduler.remove, schedule_id)

    def import_stations(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import a station list", "", "Station lists (*.json)"
        )
        if path:
            self._run(self._import_stations, path)

    def _import_stations(self, path: str) -> int:
        return import_station_list(self.library, path, scheduler=self.scheduler).schedules

    def _run(self, fn, *args) -> None:
        worker = workers.Worker(fn, *args)
        worker.signals.returned.connect(lambda _result: self.refresh())
        worker.signals.errored.connect(self.banner.show_error)
        workers.start(worker)


class AddScheduleDialog(QDialog):
    """One-off (a date and time) or recurring (days and a time) recording of a URL."""

    def __init__(self, parent=None, url: str = "", name: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a schedule")
        self.spec: ScheduleSpec | None = None
        self.url = QLineEdit(url)
        self.url.setPlaceholderText("a stream URL (radio, Twitch, YouTube, HLS)")
        self.name = QLineEdit(name)
        self.name.setPlaceholderText("optional: e.g. Morning show")
        self.once = QRadioButton("Once at")
        self.repeat = QRadioButton("Repeatedly")
        self.repeat.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.once)
        group.addButton(self.repeat)
        self.at = QDateTimeEdit(QDateTime.currentDateTime().addSecs(3600))
        self.at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.at.setCalendarPopup(True)
        self.cron = QLineEdit("mon-fri 06:00")
        self.cron.setToolTip("'mon-fri 06:00', 'daily 18:30', 'sat,sun 10:00' or '0 6 * * 1-5'")
        self.duration = QLineEdit("2h")
        self.duration.setPlaceholderText("30m, 2h, 1:30:00")
        self.zone = QComboBox()
        self.zone.setEditable(True)
        self.zone.addItems(list(dict.fromkeys([local_timezone(), *COMMON_ZONES])))
        self.mode = QComboBox()
        self.mode.addItem("Monitor — cheaper, for many stations", "monitor")
        self.mode.addItem("Live — text within seconds", "live")
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b3261e;")
        self.problem.setWordWrap(True)
        when = QWidget()
        when_layout = QFormLayout(when)
        when_layout.setContentsMargins(0, 0, 0, 0)
        when_layout.addRow(self.repeat, self.cron)
        when_layout.addRow(self.once, self.at)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add schedule")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Stream URL", self.url)
        form.addRow("Name", self.name)
        form.addRow("When", when)
        form.addRow("Record for", self.duration)
        form.addRow("Time zone", self.zone)
        form.addRow("Mode", self.mode)
        form.addRow(self.problem)
        form.addRow(buttons)
        self.resize(560, self.sizeHint().height())

    def _accept(self) -> None:
        try:
            self.spec = self.build_spec()
        except UsageError as exc:
            self.problem.setText(str(exc))
            return
        self.accept()

    def build_spec(self) -> ScheduleSpec:
        url = self.url.text().strip()
        if not url:
            raise UsageError("Enter the address of the stream to record.")
        duration = parse_duration(self.duration.text().strip() or "0")
        options = {
            "timezone": self.zone.currentText().strip() or "UTC",
            "name": self.name.text().strip() or None,
            "mode": self.mode.currentData(),
        }
        if self.once.isChecked():
            at = self.at.dateTime().toString("yyyy-MM-dd HH:mm")
            spec = once(url, at, duration, **options)
            ensure_future(spec)
            return spec
        return recurring(url, self.cron.text(), duration, **options)
