"""A recording's chat in numbers (the `stats ID` command as a panel): activity, top
chatters and emotes, moderation, flags per category, and the spikes — candidate
highlights — with what was being said; a click on a spike jumps there."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.chat_stats import ChatStats
from app.timefmt import hms

TIME_ROLE = Qt.ItemDataRole.UserRole + 4


class ChatStatsView(QWidget):
    jump = Signal(float)

    def __init__(self, stats: ChatStats, parent=None) -> None:
        super().__init__(parent)
        self.totals = QLabel(_totals_html(stats))
        self.totals.setWordWrap(True)
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.spikes = QListWidget()
        self.spikes.setWordWrap(True)
        self.spikes.itemClicked.connect(lambda item: self.jump.emit(item.data(TIME_ROLE)))
        for spike in stats.spikes:
            said = spike.transcript[:200] + ("…" if len(spike.transcript) > 200 else "")
            item = QListWidgetItem(
                f"[{hms(spike.start_s)}–{hms(spike.end_s)}] {spike.messages} messages "
                f"(usually {spike.baseline:g}) — said: {said or '(no transcript)'}"
            )
            item.setToolTip("\n".join(spike.sample))
            item.setData(TIME_ROLE, float(spike.start_s))
            self.spikes.addItem(item)
        spikes_label = QLabel(
            "<b>Chat spikes</b> (candidate highlights; click to jump there)"
            if stats.spikes
            else "No chat spikes: the chat never jumped well above its usual rate."
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.totals)
        layout.addWidget(spikes_label)
        layout.addWidget(self.spikes, 1)


def _totals_html(stats: ChatStats) -> str:
    def listed(pairs) -> str:
        return ", ".join(f"{html.escape(name)} ({n})" for name, n in pairs) or "none"

    moderation = ", ".join(f"{k} {v}" for k, v in sorted(stats.moderation.items())) or "none"
    flagged = sorted(stats.flagged.items(), key=lambda kv: -kv[1])
    return (
        f"<b>{stats.messages}</b> messages · {stats.per_minute:.1f} a minute (peak "
        f"{stats.peak_per_minute} in a minute) · <b>{stats.chatters}</b> chatters, "
        f"{stats.first_timers} first-time<br>"
        f"<b>Top chatters:</b> {listed(stats.top_chatters)}<br>"
        f"<b>Top emotes:</b> {listed(stats.top_emotes)}<br>"
        f"<b>Moderation actions:</b> {html.escape(moderation)}<br>"
        f"<b>Flagged:</b> {listed(flagged)}"
    )
