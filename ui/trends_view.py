"""Trends across the library, and who is mentioned where: the `trends` and
`entities --find` commands as a tab.

Both queries read every transcript in the period, so they run off the GUI thread; a
double-click on a moment or a mention opens that recording at that time.
"""

from __future__ import annotations

from datetime import datetime, time

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.keywords import Trend, default_trend_start, trends
from app.timefmt import hms
from storage import Library
from ui import workers
from ui.widgets import ErrorBanner

MOMENT = Qt.ItemDataRole.UserRole  # (recording id, seconds) on rows that open a recording


class TrendsView(QWidget):
    open_requested = Signal(int, float)  # recording id, seconds into it

    def __init__(self, library: Library, parent=None) -> None:
        super().__init__(parent)
        self.library = library
        self.worker: workers.Worker | None = None
        self.banner = ErrorBanner()

        self.since = QDateEdit(calendarPopup=True)
        self.since.setDisplayFormat("yyyy-MM-dd")
        self.use_since = QCheckBox("Recent since")
        self.use_since.setToolTip("Unticked: the newest fifth of your recordings counts as recent")
        self.use_since.toggled.connect(self.since.setEnabled)
        self.since.setEnabled(False)
        self.until = QDateEdit(calendarPopup=True)
        self.until.setDisplayFormat("yyyy-MM-dd")
        self.until.setDate(QDate.currentDate())
        self.use_until = QCheckBox("until")
        self.use_until.toggled.connect(self.until.setEnabled)
        self.until.setEnabled(False)
        self.find_button = QPushButton("Find trends")
        self.find_button.clicked.connect(self.find_trends)
        controls = QHBoxLayout()
        for widget in (self.use_since, self.since, self.use_until, self.until, self.find_button):
            controls.addWidget(widget)
        controls.addStretch(1)

        self.summary = QLabel(
            "Terms that far more recent recordings mention than earlier ones did."
        )
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Term / moment", "Recent recordings", "Before", "z"])
        self.tree.setColumnWidth(0, 420)
        for column in (1, 2, 3):
            self.tree.header().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemDoubleClicked.connect(self._open)

        who_label = QLabel("<b>Who is mentioned where</b> — people, places, organisations, events")
        self.who = QLineEdit()
        self.who.setPlaceholderText("Who or what is mentioned where? A name, e.g. Flagler County")
        self.who.returnPressed.connect(self.find_mentions)
        self.mentions = QTreeWidget()
        self.mentions.setHeaderLabels(["Recording", "Name", "Kind", "Mentions", "First at"])
        self.mentions.setColumnWidth(0, 300)
        self.mentions.itemDoubleClicked.connect(self._open)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(controls)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 3)
        layout.addWidget(who_label)
        layout.addWidget(self.who)
        layout.addWidget(self.mentions, 1)

    # --- trends ---------------------------------------------------------------------------

    def find_trends(self) -> None:
        since = self._local(self.since.date()) if self.use_since.isChecked() else None
        until = self._local(self.until.date().addDays(1)) if self.use_until.isChecked() else None

        def run():
            start = since or default_trend_start(self.library)
            return start, trends(self.library, start, until)

        self.find_button.setEnabled(False)
        self.summary.setText("Reading the transcripts…")
        self._run(run, self._show_trends)

    def _show_trends(self, result: tuple[datetime, list[Trend]]) -> None:
        start, found = result
        self.tree.clear()
        when = f"{start:%Y-%m-%d}" if start.tzinfo else f"{start:%Y-%m-%d %H:%M} UTC"
        if not found:
            self.summary.setText(f"Since {when}, nothing rises clearly above its baseline.")
            return
        self.summary.setText(
            f"{len(found)} trends since {when}, against everything before (a simulcast, "
            "rerun or syndicated show counts once). Double-click a moment to open it."
        )
        for trend in found:
            b = trend.burst
            item = QTreeWidgetItem([b.term, str(b.recent), str(b.baseline), f"{b.score:.1f}"])
            for rid, title, seconds in trend.moments:
                child = QTreeWidgetItem([f"#{rid} {title} [{hms(seconds)}]"])
                child.setData(0, MOMENT, (rid, seconds))
                item.addChild(child)
            self.tree.addTopLevelItem(item)
        self.tree.topLevelItem(0).setExpanded(True)  # the strongest trend's moments; the
        # others open with a click, so the whole list stays in view

    # --- mentions -------------------------------------------------------------------------

    def find_mentions(self) -> None:
        name = self.who.text().strip()
        if not name:
            return
        self._run(lambda: self.library.entities.find(name), self._show_mentions)

    def _show_mentions(self, hits) -> None:
        self.mentions.clear()
        if not hits:
            item = QTreeWidgetItem([f"No recording mentions {self.who.text().strip()!r}."])
            self.mentions.addTopLevelItem(item)
            return
        for rid, title, entity in hits:
            item = QTreeWidgetItem(
                [
                    f"#{rid} {title or ''}",
                    entity.name,
                    entity.kind,
                    str(entity.mentions),
                    hms(entity.first_s),
                ]
            )
            item.setData(0, MOMENT, (rid, entity.first_s))
            self.mentions.addTopLevelItem(item)

    # --- shared ---------------------------------------------------------------------------

    def _run(self, fn, on_result) -> None:
        self.banner.hide()
        self.worker = workers.Worker(fn)
        self.worker.signals.returned.connect(on_result)
        self.worker.signals.errored.connect(self._failed)
        self.worker.signals.finished.connect(lambda: self.find_button.setEnabled(True))
        workers.start(self.worker)

    def _failed(self, message: str) -> None:
        self.summary.setText("")
        self.banner.show_error(message)

    def _open(self, item: QTreeWidgetItem) -> None:
        moment = item.data(0, MOMENT)
        if moment:
            rid, seconds = moment
            self.open_requested.emit(int(rid), float(seconds))

    @staticmethod
    def _local(day: QDate) -> datetime:
        """Midnight of `day` in the local time zone (aware)."""
        return datetime.combine(day.toPython(), time()).astimezone()
