"""Settings: speech model, data folder, chat capture, moderation thresholds (per channel).

Saved to `settings.json` in the user's config folder; environment variables and
command-line flags still win. The model, chat and thresholds apply to recordings started
afterwards; a new data folder applies at the next start.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.config import Settings
from app.errors import SettingsError, UsageError
from app.preferences import Preferences, read_preferences, write_preferences

MODELS = [
    ("tiny.en — English, fastest (bundled)", "tiny.en"),
    ("base — multilingual, more accurate (bundled)", "base"),
]


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        self.saved: Preferences | None = None

        self.model = QComboBox()
        self.model.setEditable(True)
        for label, value in MODELS:
            self.model.addItem(label, value)
        self._select_model(settings.model)
        browse_model = QPushButton("Folder…")
        browse_model.setToolTip("A CTranslate2 Whisper model folder")
        browse_model.clicked.connect(self._browse_model)
        self.data_dir = QLineEdit(str(settings.data_dir))
        browse_data = QPushButton("Choose…")
        browse_data.clicked.connect(self._browse_data)

        self.speakers = QCheckBox("Find who speaks (speaker labels and recurring voices)")
        self.speakers.setChecked(settings.speakers)
        self.chat_enabled = QCheckBox("Capture chat automatically (Twitch, YouTube)")
        self.chat_enabled.setChecked(settings.chat_enabled)
        self.twitch_irc = QLineEdit(settings.twitch_irc or "")
        self.twitch_irc.setPlaceholderText("irc.chat.twitch.tv:6697 (irc://host:port for no TLS)")

        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.0, 1.0)
        self.threshold.setSingleStep(0.05)
        self.threshold.setDecimals(2)
        self.threshold.setSpecialValueText("model default")
        self.threshold.setValue(settings.moderation_threshold or 0.0)
        self.threshold.setToolTip("Flag chat messages scoring at least this (0 = the model's own)")
        self.channels = QTableWidget(0, 2)
        self.channels.setHorizontalHeaderLabels(["Channel", "Threshold"])
        self.channels.horizontalHeader().setStretchLastSection(True)
        for channel, value in sorted(settings.channel_thresholds.items()):
            self.add_channel(channel, value)
        add = QPushButton("Add channel")
        add.clicked.connect(lambda: self.add_channel("", 0.5))
        remove = QPushButton("Remove")
        remove.clicked.connect(lambda: self.channels.removeRow(self.channels.currentRow()))

        speech = QGroupBox("Speech recognition")
        form = QFormLayout(speech)
        form.addRow("Model", _row(self.model, browse_model))
        form.addRow("Data folder", _row(self.data_dir, browse_data))
        form.addRow(self.speakers)
        form.addRow("", QLabel("A new data folder is used from the next start."))
        chat = QGroupBox("Chat")
        form = QFormLayout(chat)
        form.addRow(self.chat_enabled)
        form.addRow("Twitch IRC server", self.twitch_irc)
        moderation = QGroupBox("Moderation")
        form = QFormLayout(moderation)
        form.addRow("Flag at score", self.threshold)
        form.addRow("Per channel", self.channels)
        form.addRow("", _row(add, remove))
        tutorials = QGroupBox("Tutorial recommendations")
        self.catalog_state = QLabel()
        self.catalog_state.setWordWrap(True)
        import_tutorials = QPushButton("Import tutorials…")
        import_tutorials.setToolTip(
            "Add tutorials from a JSON or CSV file (title, url, description, software, tools)"
        )
        import_tutorials.clicked.connect(self._choose_catalog)
        form = QFormLayout(tutorials)
        form.addRow(self.catalog_state)
        form.addRow("", _row(import_tutorials))
        self._describe_catalog()
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b3261e;")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (speech, chat, moderation, tutorials, self.problem, buttons):
            layout.addWidget(widget)
        self.resize(620, self.sizeHint().height())

    def _describe_catalog(self) -> None:
        from app.tutorial_catalog import active_catalog, user_catalog_path

        try:
            count = len(active_catalog(self.settings))
        except UsageError as exc:
            self.catalog_state.setText(str(exc))
            return
        own = user_catalog_path(self.settings)
        where = f"; yours are kept in {own}" if own.exists() else ""
        self.catalog_state.setText(
            f"{count} tutorials: official documentation for Photoshop, Illustrator, Blender, "
            f"Krita, GIMP and DaVinci Resolve, plus any you import{where}."
        )

    def _choose_catalog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Tutorials", "", "Tutorial catalogs (*.json *.csv);;All files (*)"
        )
        if path:
            self.import_catalog(Path(path))

    def import_catalog(self, path: Path) -> None:
        """Add the tutorials in `path`; a malformed file changes nothing and says why."""
        from app.tutorial_catalog import import_catalog

        try:
            added, replaced = import_catalog(self.settings, path)
        except UsageError as exc:
            self.problem.setText(str(exc))
            return
        self.problem.setText("")
        self._describe_catalog()
        self.catalog_state.setText(
            f"Added {added} tutorials, updated {replaced}. " + self.catalog_state.text()
        )

    def _select_model(self, model: str) -> None:
        index = self.model.findData(model)
        if index >= 0:
            self.model.setCurrentIndex(index)
        else:
            self.model.setEditText(model)

    def _browse_model(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "A CTranslate2 Whisper model folder")
        if path:
            self.model.setEditText(path)

    def _browse_data(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Data folder", self.data_dir.text())
        if path:
            self.data_dir.setText(path)

    def add_channel(self, channel: str, value: float) -> None:
        row = self.channels.rowCount()
        self.channels.insertRow(row)
        self.channels.setItem(row, 0, QTableWidgetItem(channel))
        self.channels.setItem(row, 1, QTableWidgetItem(f"{value:.2f}"))

    def model_choice(self) -> str:
        data = self.model.currentData()
        text = self.model.currentText().strip()
        label = self.model.itemText(self.model.currentIndex())
        return data if data and text == label else text

    def preferences(self) -> Preferences:
        """The dialog's values as preferences to save; ValueError in words for bad input.

        Keys the dialog does not show are kept from the file (or dropped with it, when the
        file was unreadable: saving replaces it)."""
        channels = {}
        for row in range(self.channels.rowCount()):
            name = (self.channels.item(row, 0).text() if self.channels.item(row, 0) else "").strip()
            value = (
                self.channels.item(row, 1).text() if self.channels.item(row, 1) else ""
            ).strip()
            if not name:
                continue
            try:
                number = float(value)
            except ValueError:
                raise ValueError(
                    f"The threshold for {name} must be a number between 0 and 1."
                ) from None
            if not 0 <= number <= 1:
                raise ValueError(f"The threshold for {name} must be between 0 and 1.")
            channels[name] = number
        try:
            prefs = read_preferences()
        except SettingsError:
            prefs = Preferences()
        return prefs.model_copy(
            update={
                "model": self.model_choice() or "tiny.en",
                "data_dir": self.data_dir.text().strip() or str(self.settings.data_dir),
                "speakers": self.speakers.isChecked(),
                "chat": prefs.chat.model_copy(
                    update={
                        "enabled": self.chat_enabled.isChecked(),
                        "twitch_irc": self.twitch_irc.text().strip() or None,
                    }
                ),
                "moderation": prefs.moderation.model_validate(
                    {"threshold": self.threshold.value() or None, "channels": channels}
                ),
            }
        )

    def save(self) -> None:
        try:
            prefs = self.preferences()
            write_preferences(prefs)
        except (ValueError, OSError) as exc:
            self.problem.setText(str(exc))
            return
        self.saved = prefs
        self.accept()


def _row(*widgets) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for i, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if i == 0 else 0)
    return box
