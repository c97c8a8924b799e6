"""Trends across the library, and who is mentioned where: the `trends`, `mentions` and
`entities --find` commands as a tab.

Each part is a list beside a chart of mentions per day over the library's span: the trends
selected in the list (or any terms typed), one line each or one line per state or station;
and the searched name's mentions. Analysts read the curve, not the z-score. Every query reads
the library, so it runs off the GUI thread; a double-click on a moment or a mention opens that
recording at that time.
"""

from __future__ import annotations

from datetime import datetime, time

from PySide6.QtCore import QDate, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.keywords import Trend, default_trend_start, trends
from app.records import Library
from app.timefmt import hms
from app.timelines import GROUPINGS, Timeline, available_groupings, entity_timeline, term_timeline
from ui import workers
from ui.line_chart import LineChart
from ui.widgets import ErrorBanner

MOMENT = Qt.ItemDataRole.UserRole  # (recording id, seconds) on rows that open a recording
TERM = Qt.ItemDataRole.UserRole + 1  # the trend's term, on a trend's row and its moments
NO_SPLIT = "—"
PICK_A_TREND = "Select one or more trends (or type terms above) to see their mentions per day."


class TrendsView(QWidget):
    open_requested = Signal(int, float)  # recording id, seconds into it

    def __init__(self, library: Library, parent=None) -> None:
        super().__init__(parent)
        self.library = library
        self.worker: workers.Worker | None = None
        self._chart_request = 0  # only the newest chart request's answer is drawn
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
            "Names and phrases that far more recent sources mention than earlier ones did "
            "(a station, or a show on several stations, counts once)."
        )
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Term / moment", "Recent sources", "Before", "z"])
        self.tree.setColumnWidth(0, 240)
        # A long moment title loses its middle, not the time at its end; the tooltip has it all.
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        for column in (1, 2, 3):
            self.tree.header().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.itemDoubleClicked.connect(self._open)
        self.tree.itemSelectionChanged.connect(self.chart_selection)

        self.terms = QLineEdit()
        self.terms.setPlaceholderText("Chart any terms, e.g. bridge collapse, flood")
        self.terms.setClearButtonEnabled(True)
        self.terms.returnPressed.connect(self.chart_typed_terms)
        self.split = QComboBox()
        for choice in (NO_SPLIT, *GROUPINGS):
            self.split.addItem(choice, None if choice == NO_SPLIT else choice)
        self.split.setToolTip(
            "One line per state or station for the current term (top 6, the rest as other)"
        )
        self._enable_splits([])
        self.split.currentIndexChanged.connect(lambda _index: self._chart_again())
        self.chart = LineChart(PICK_A_TREND)
        self._charted: list[str] = []  # the terms the chart is (being) drawn for
        chart_controls = QHBoxLayout()
        chart_controls.addWidget(self.terms, 1)
        chart_controls.addWidget(QLabel("Split by:"))
        chart_controls.addWidget(self.split)
        chart_panel = QWidget()
        chart_layout = QVBoxLayout(chart_panel)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.addLayout(chart_controls)
        chart_layout.addWidget(self.chart, 1)

        who_label = QLabel("<b>Who is mentioned where</b> — people, places, organisations, events")
        self.who = QLineEdit()
        self.who.setPlaceholderText("Who or what is mentioned where? A name, e.g. Flagler County")
        self.who.returnPressed.connect(self.find_mentions)
        self.mentions = QTreeWidget()
        self.mentions.setHeaderLabels(["Recording", "Name", "Kind", "Mentions", "First at"])
        self.mentions.setColumnWidth(0, 180)
        self.mentions.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.mentions.itemDoubleClicked.connect(self._open)
        self.mention_chart = LineChart("Search a name to see its mentions per day.")
        self.mention_chart.setMinimumHeight(160)

        trends_part = QSplitter(Qt.Orientation.Horizontal)
        trends_part.addWidget(self.tree)
        trends_part.addWidget(chart_panel)
        trends_part.setSizes([480, 720])
        who_part = QWidget()
        who_layout = QVBoxLayout(who_part)
        who_layout.setContentsMargins(0, 0, 0, 0)
        who_layout.addWidget(who_label)
        who_layout.addWidget(self.who)
        who_lists = QSplitter(Qt.Orientation.Horizontal)
        who_lists.addWidget(self.mentions)
        who_lists.addWidget(self.mention_chart)
        who_lists.setSizes([480, 720])
        who_layout.addWidget(who_lists, 1)
        parts = QSplitter(Qt.Orientation.Vertical)
        parts.addWidget(trends_part)
        parts.addWidget(who_part)
        parts.setStretchFactor(0, 3)
        parts.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(controls)
        layout.addWidget(self.summary)
        layout.addWidget(parts, 1)

    # --- trends ---------------------------------------------------------------------------

    def find_trends(self) -> None:
        since = self._local(self.since.date()) if self.use_since.isChecked() else None
        until = self._local(self.until.date().addDays(1)) if self.use_until.isChecked() else None

        def run():
            start = since or default_trend_start(self.library)
            return start, trends(self.library, start, until), available_groupings(self.library)

        self.find_button.setEnabled(False)
        self.summary.setText("Reading the transcripts…")
        self._run(run, self._show_trends, lambda: self.find_button.setEnabled(True))

    def _show_trends(self, result: tuple[datetime, list[Trend], list[str]]) -> None:
        start, found, groupings = result
        self._enable_splits(groupings)
        self.tree.clear()
        when = f"{start:%Y-%m-%d}" if start.tzinfo else f"{start:%Y-%m-%d %H:%M} UTC"
        if not found:
            self.summary.setText(f"Since {when}, nothing rises clearly above its baseline.")
            return
        self.summary.setText(
            f"{len(found)} trends since {when}, against everything before (a simulcast, "
            "rerun or syndicated show counts once). Select trends to chart them; "
            "double-click a moment to open it."
        )
        for trend in found:
            b = trend.burst
            item = QTreeWidgetItem([b.term, str(b.recent), str(b.baseline), f"{b.score:.1f}"])
            item.setData(0, TERM, b.term)
            for rid, title, seconds in trend.moments:
                child = QTreeWidgetItem([f"#{rid} {title} [{hms(seconds)}]"])
                child.setToolTip(0, child.text(0))
                child.setData(0, MOMENT, (rid, seconds))
                child.setData(0, TERM, b.term)
                item.addChild(child)
            self.tree.addTopLevelItem(item)
        top = self.tree.topLevelItem(0)
        top.setExpanded(True)  # the strongest trend's moments; the others open with a
        # click, so the whole list stays in view
        self.tree.setCurrentItem(top)  # and its curve, drawn at once

    # --- mentions per day -----------------------------------------------------------------

    def selected_terms(self) -> list[str]:
        """The terms of the selected trends (a selected moment stands for its trend), the
        current one first: that is the one a split by state or station shows."""
        current = self.tree.currentItem()
        items = self.tree.selectedItems()
        if current is not None and current.isSelected():
            items = [current, *items]
        return list(dict.fromkeys(t for t in (i.data(0, TERM) for i in items) if t))

    def chart_selection(self) -> None:
        self.chart_terms(self.selected_terms())

    def chart_typed_terms(self) -> None:
        terms = [t.strip() for t in self.terms.text().split(",") if t.strip()]
        if terms:
            with QSignalBlocker(self.tree):  # the typed terms replace the selected ones
                self.tree.clearSelection()
            self.chart_terms(terms)

    def chart_terms(self, terms: list[str]) -> None:
        """Draw mentions per day of `terms`, one line each; with a split chosen, one line
        per state or station for the first term."""
        self._charted = terms
        self._chart_request += 1
        request = self._chart_request
        if not terms:
            self.chart.clear(PICK_A_TREND)
            return
        by = self.split.currentData()
        wanted = terms[:1] if by else terms

        def run() -> tuple[Timeline, list[str]]:
            return term_timeline(self.library, wanted, by), available_groupings(self.library)

        def draw(result: tuple[Timeline, list[str]]) -> None:
            if request == self._chart_request:
                timeline, groupings = result
                self._enable_splits(groupings)
                if timeline.days:
                    self.chart.set_timeline(timeline)
                else:
                    self.chart.clear("The library has no recordings yet.")

        self._run(run, draw)

    def _chart_again(self) -> None:
        if self._charted:
            self.chart_terms(self._charted)

    def _enable_splits(self, groupings: list[str]) -> None:
        """Offer only the splits the library has data for (no state without regions)."""
        model = self.split.model()
        for row in range(self.split.count()):
            choice = self.split.itemData(row)
            model.item(row).setEnabled(choice is None or choice in groupings)
        if self.split.currentData() not in (None, *groupings):
            self.split.setCurrentIndex(0)
        self.split.setEnabled(bool(groupings))

    # --- mentions -------------------------------------------------------------------------

    def find_mentions(self) -> None:
        name = self.who.text().strip()
        if not name:
            return

        def run():
            return self.library.entities.find(name), entity_timeline(self.library, [name])

        self._run(run, self._show_mentions)

    def _show_mentions(self, result: tuple[list, Timeline]) -> None:
        hits, timeline = result
        self.mentions.clear()
        if not hits:
            item = QTreeWidgetItem([f"No recording mentions {self.who.text().strip()!r}."])
            self.mentions.addTopLevelItem(item)
            self.mention_chart.clear("")
            return
        self.mention_chart.set_timeline(timeline)
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
            item.setToolTip(0, item.text(0))
            self.mentions.addTopLevelItem(item)

    # --- shared ---------------------------------------------------------------------------

    def _run(self, fn, on_result, on_finished=None) -> None:
        self.banner.hide()
        self.worker = workers.Worker(fn)
        self.worker.signals.returned.connect(on_result)
        self.worker.signals.errored.connect(self._failed)
        if on_finished is not None:
            self.worker.signals.finished.connect(on_finished)
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
