"""Sources: the streams and stations the analyst follows — add by URL, import a station
directory, mark favourites, and start or schedule a recording from here."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.records import Library, SourceRecord, StreamInfo
from app.sources import check_source
from app.stations import import_station_list
from ui import workers
from ui.schedules_dialog import fill_table, make_table
from ui.widgets import ErrorBanner


class SourcesView(QWidget):
    record_requested = Signal(str, str, str)  # url, name, mode
    schedule_requested = Signal(str, str)

    def __init__(self, library: Library, parent=None) -> None:
        super().__init__(parent)
        self.library = library
        self.sources: list[SourceRecord] = []
        self.banner = ErrorBanner()
        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText("Filter by name, region, platform or URL")
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.textChanged.connect(self._apply_filter)
        self.table = make_table(["★", "Name", "Region", "Platform", "Recordings", "URL"])
        self.table.doubleClicked.connect(lambda _index: self._record())
        buttons = QHBoxLayout()
        for text, slot, tip in (
            ("Add by URL…", self.add_by_url, "Check a URL with yt-dlp and save it"),
            ("Import station list…", self.import_stations, "A WavePulse-style station JSON"),
            ("★ Favourite", self.toggle_favourite, "Mark or unmark the selected sources"),
            (
                "Record now",
                self._record,
                "Record the selected source live, or several selected ones at once "
                "(monitor mode, followed in the Streams tab)",
            ),
            ("Schedule…", self._schedule, "Record the selected source at set times"),
            ("Remove", self.remove_selected, "Forget the source (its recordings stay)"),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.count = QLabel()
        buttons.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.filter_box)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    # --- data ------------------------------------------------------------------------------

    def refresh(self) -> None:
        worker = workers.Worker(self.library.sources.list)
        worker.signals.returned.connect(self.set_sources)
        worker.signals.errored.connect(self.banner.show_error)
        workers.start(worker)

    def set_sources(self, sources: list[SourceRecord]) -> None:
        self.sources = sources
        fill_table(
            self.table,
            [
                [
                    "★" if s.favourite else "",
                    s.name or "",
                    s.region or "",
                    s.platform or "",
                    str(s.recording_count),
                    s.url,
                ]
                for s in sources
            ],
            [s.id for s in sources],
        )
        self._apply_filter(self.filter_box.text())
        favourites = sum(s.favourite for s in sources)
        self.count.setText(f"{len(sources)} sources, {favourites} favourites")

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        for row in range(self.table.rowCount()):
            cells = (self.table.item(row, c).text().lower() for c in range(1, 6))
            self.table.setRowHidden(row, bool(needle) and not any(needle in c for c in cells))

    def selected(self) -> list[SourceRecord]:
        by_id = {s.id: s for s in self.sources}
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        ids = [self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows]
        return [by_id[i] for i in ids if i in by_id]

    # --- actions ---------------------------------------------------------------------------

    def add_by_url(self) -> None:
        dialog = AddSourceDialog(self)
        if dialog.exec() and dialog.info is not None:
            info = dialog.info
            self._run(
                lambda: self.library.sources.upsert(
                    info.url,
                    name=dialog.name.text().strip() or info.title,
                    platform=info.platform,
                    channel=info.channel,
                    is_live=info.is_live,
                    favourite=dialog.favourite,
                )
            )

    def import_stations(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self, "Import a station list", "", "Station lists (*.json)"
            )
        if not path:
            return

        self._run(lambda: import_station_list(self.library, path))

    def toggle_favourite(self) -> None:
        chosen = self.selected()
        if chosen:
            mark = not all(s.favourite for s in chosen)

            def save() -> None:
                for s in chosen:
                    self.library.sources.set_favourite(s.id, mark)

            self._run(save)

    def remove_selected(self) -> None:
        chosen = self.selected()

        def delete() -> None:
            for s in chosen:
                self.library.sources.delete(s.id)

        if chosen:
            self._run(delete)

    def _record(self) -> None:
        """One source is recorded `live` (the user watches it); several at once in
        `monitor` mode, all in this process sharing one speech model (the Streams tab
        follows them)."""
        chosen = self.selected()
        mode = "live" if len(chosen) == 1 else "monitor"
        for s in chosen:
            self.record_requested.emit(s.url, s.name or "", mode)

    def _schedule(self) -> None:
        chosen = self.selected()
        if chosen:
            self.schedule_requested.emit(chosen[0].url, chosen[0].name or "")

    def _run(self, fn) -> None:
        worker = workers.Worker(fn)
        worker.signals.returned.connect(lambda _result: self.refresh())
        worker.signals.errored.connect(self.banner.show_error)
        workers.start(worker)


class AddSourceDialog(QDialog):
    """Resolves the URL with yt-dlp first, so title, platform and live status show before saving."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a source")
        self.info: StreamInfo | None = None
        self.favourite = False
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://www.twitch.tv/…, a radio stream, an .m3u8 …")
        self.url.textChanged.connect(self._forget)
        self.check_button = QPushButton("Check")
        self.check_button.clicked.connect(self.check)
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(self.url, 1)
        row_layout.addWidget(self.check_button)
        self.preview = QLabel("Check the URL to see what it is.")
        self.preview.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setPlaceholderText("optional: a name instead of the stream's title")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.star = self.buttons.addButton(
            "Save as favourite", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.star.clicked.connect(lambda: setattr(self, "favourite", True))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._set_savable(False)
        form = QFormLayout(self)
        form.addRow("URL", row)
        form.addRow("Found", self.preview)
        form.addRow("Name", self.name)
        form.addRow(self.buttons)
        self.resize(600, self.sizeHint().height())

    def _set_savable(self, ok: bool) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(ok)
        self.star.setEnabled(ok)

    def _forget(self) -> None:
        self.info = None
        self._set_savable(False)

    def check(self) -> None:
        url = self.url.text().strip()
        if not url:
            self.preview.setText("Enter a URL first.")
            return
        self.check_button.setEnabled(False)
        self.preview.setText("Checking…")
        worker = workers.Worker(check_source, url)
        worker.signals.returned.connect(self._resolved)
        worker.signals.errored.connect(self._failed)
        workers.start(worker)

    def _resolved(self, info: StreamInfo) -> None:
        self.check_button.setEnabled(True)
        self.info = info
        live = "live now" if info.is_live else "not live (a recording or a file)"
        where = " · ".join(p for p in (info.platform, info.channel) if p)
        self.preview.setText(
            f"<b>{info.title or info.url}</b><br>{where or 'a direct stream'} · {live}"
        )
        self._set_savable(True)

    def _failed(self, message: str) -> None:
        self.check_button.setEnabled(True)
        self.preview.setText(f"<span style='color:#b3261e'>{message}</span>")
        self._set_savable(False)
