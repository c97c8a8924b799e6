"""The dialog for a new recording: URL, optional name, mode and duration."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
)

from app.errors import UsageError
from app.session import RecordingJob
from app.timefmt import parse_duration


class NewRecordingDialog(QDialog):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New recording")
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://www.twitch.tv/…, a radio stream, an .m3u8, a file…")
        self.name = QLineEdit()
        self.name.setPlaceholderText("optional: a title instead of the stream's own")
        self.mode = QComboBox()
        self.mode.addItem("Live — text within seconds", "live")
        self.mode.addItem("Monitor — cheaper, a few seconds later", "monitor")
        self.duration = QLineEdit()
        self.duration.setPlaceholderText("optional: 90, 30m, 2h")
        self.chat = QLineEdit()
        self.chat.setPlaceholderText("auto (Twitch/YouTube chat), off, twitch:CHANNEL, youtube:URL")
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b3261e;")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start recording")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Stream URL or file", self.url)
        form.addRow("Name", self.name)
        form.addRow("Mode", self.mode)
        form.addRow("Stop after", self.duration)
        form.addRow("Chat", self.chat)
        form.addRow(self.problem)
        form.addRow(buttons)
        self.resize(560, self.sizeHint().height())
        self.job: RecordingJob | None = None

    def _accept(self) -> None:
        try:
            self.job = self.build_job()
        except UsageError as exc:
            self.problem.setText(str(exc))
            return
        self.accept()

    def build_job(self) -> RecordingJob:
        url = self.url.text().strip()
        if not url:
            raise UsageError("Enter the address of a stream or the path of a file.")
        text = self.duration.text().strip()
        chat = self.chat.text().strip() or "auto"
        if chat not in ("auto", "off") and not chat.startswith(("twitch:", "youtube:")):
            raise UsageError("Chat: write auto, off, twitch:CHANNEL or youtube:URL.")
        return RecordingJob(
            url=url,
            mode=self.mode.currentData(),
            duration_s=parse_duration(text) if text else None,
            name=self.name.text().strip() or None,
            chat=chat,
        )
