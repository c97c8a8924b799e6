"""The Qt binding in use keeps Python's reference counts right.

PySide6 6.12.0 (with Python 3.11) dropped one reference to `None` on every call of a method
that returns nothing (`setText`, `drawLine`, …): after some tens of thousands of calls — a
few minutes of a live tab or a chart being hovered — the interpreter freed `None` and the
app aborted with "Fatal Python error: none_dealloc". The pin in pyproject.toml avoids it;
this test fails on a binding with that bug.
"""

from __future__ import annotations

import sys

from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QLabel


def test_void_calls_do_not_eat_references_to_none(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    image = QImage(16, 16, QImage.Format.Format_RGB32)
    before = sys.getrefcount(None)
    painter = QPainter(image)
    for i in range(2000):
        label.setText(str(i % 7))
        painter.drawLine(0, 0, i % 16, 5)
    painter.end()
    assert sys.getrefcount(None) - before > -100  # a leak would show as about -4,000
