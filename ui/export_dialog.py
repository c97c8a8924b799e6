"""CSV export in the window: which recordings, which kind, where; cancellable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QWidget,
)

from app.errors import UsageError
from app.exporter import EXPORT_KINDS, export, select_recordings
from app.records import Library
from ui import workers
from ui.widgets import ErrorBanner


class ExportDialog(QDialog):
    def __init__(
        self,
        library: Library,
        selected_ids: list[int],
        parent=None,
        tutorial_catalog: Callable[[], list] | None = None,
    ) -> None:
        """`tutorial_catalog` loads the user's catalog (in the export's worker thread)."""
        super().__init__(parent)
        self.setWindowTitle("Export to CSV")
        self.library = library
        self.tutorial_catalog = tutorial_catalog
        self.selected_ids = selected_ids
        self.worker: workers.Worker | None = None
        self.banner = ErrorBanner()
        self.selected = QRadioButton(f"The {len(selected_ids)} selected recording(s)")
        self.selected.setEnabled(bool(selected_ids))
        self.everything = QRadioButton("All recordings")
        self.by_date = QRadioButton("Recordings started between")
        group = QButtonGroup(self)
        for button in (self.selected, self.everything, self.by_date):
            group.addButton(button)
        (self.selected if selected_ids else self.everything).setChecked(True)
        today = QDate.currentDate()
        self.since = QDateEdit(today.addDays(-7))
        self.until = QDateEdit(today)
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        dates = QWidget()
        dates_layout = QHBoxLayout(dates)
        dates_layout.setContentsMargins(0, 0, 0, 0)
        dates_layout.addWidget(self.by_date)
        dates_layout.addWidget(self.since)
        dates_layout.addWidget(QLabel("and"))
        dates_layout.addWidget(self.until)
        self.kind = QComboBox()
        for kind in EXPORT_KINDS.values():
            self.kind.addItem(f"{kind.name} — {kind.description}", kind.name)
        self.kind.addItem("all — one file per kind, into a folder", "all")
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.out = QLineEdit(str(Path.home() / "streamlens-transcript.csv"))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        out_row = QWidget()
        out_layout = QHBoxLayout(out_row)
        out_layout.setContentsMargins(0, 0, 0, 0)
        out_layout.addWidget(self.out, 1)
        out_layout.addWidget(browse)
        self.bom = QCheckBox("Start with a byte-order mark (for Excel)")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.hide()
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Close")
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.cancel_button)
        form = QFormLayout(self)
        form.addRow(self.banner)
        form.addRow("Recordings", self.selected)
        form.addRow("", self.everything)
        form.addRow("", dates)
        form.addRow("What", self.kind)
        form.addRow("Save to", out_row)
        form.addRow("", self.bom)
        form.addRow(self.progress)
        form.addRow(self.result)
        form.addRow(buttons)
        self.resize(640, self.sizeHint().height())

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        current = Path(self.out.text())
        base = current.parent if current.suffix else current
        self.out.setText(
            str(base / "streamlens-export")
            if kind == "all"
            else str(base / f"streamlens-{kind}.csv")
        )

    def _browse(self) -> None:
        if self.kind.currentData() == "all":
            path = QFileDialog.getExistingDirectory(self, "Export into a folder")
        else:
            path, _ = QFileDialog.getSaveFileName(self, "Export to", self.out.text(), "CSV (*.csv)")
        if path:
            self.out.setText(path)

    def start(self) -> None:
        if self.worker is not None:
            return
        self.banner.hide()
        ids = self.selected_ids if self.selected.isChecked() else None
        since = until = None
        if self.by_date.isChecked():
            since = _day(self.since.date())
            until = _day(self.until.date().addDays(1))
        what = self.kind.currentData()
        out = Path(self.out.text().strip())
        if not self.out.text().strip():
            self.banner.show_error("Choose where to save the export.")
            return

        def run(abort):
            recordings = select_recordings(
                self.library,
                ids,
                everything=self.everything.isChecked(),
                since=since,
                until=until,
            )
            return export(
                self.library,
                recordings,
                what,
                out,
                bom=self.bom.isChecked(),
                should_stop=abort,
                catalog=self.tutorial_catalog() if self.tutorial_catalog else None,
            )

        self.progress.show()
        self.export_button.setEnabled(False)
        self.cancel_button.setText("Cancel")
        self.result.setText("Exporting…")
        self.worker = workers.Worker(run)
        self.worker.signals.returned.connect(lambda counts: self._done(counts, out, what))
        self.worker.signals.errored.connect(self._failed)
        workers.start(self.worker)

    def _done(self, counts: dict[str, int], out: Path, what: str) -> None:
        parts = [f"{n} {kind} rows" for kind, n in counts.items()]
        where = f"the folder {out}" if what == "all" else str(out)
        self.result.setText(f"Wrote {', '.join(parts)} to {where}.")
        self._idle()

    def _failed(self, message: str) -> None:
        self.banner.show_error(message)
        self.result.setText("")
        self._idle()

    def _idle(self) -> None:
        self.worker = None
        self.progress.hide()
        self.export_button.setEnabled(True)
        self.cancel_button.setText("Close")

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
        else:
            self.reject()


def _day(date: QDate) -> datetime:
    try:
        return datetime(date.year(), date.month(), date.day()).astimezone()
    except ValueError as exc:
        raise UsageError(f"Not a date: {exc}") from None
