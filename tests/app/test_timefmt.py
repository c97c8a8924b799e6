from __future__ import annotations

import pytest

from app.errors import UsageError
from app.timefmt import hms, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90),
        ("90s", 90),
        ("30m", 1800),
        ("2h", 7200),
        ("1h30m", 5400),
        ("1:30:00", 5400),
        ("0.5", 0.5),
    ],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "-5", "0", "3x", "1h 2q"])
def test_bad_durations(text):
    with pytest.raises(UsageError):
        parse_duration(text)


def test_hms():
    assert hms(3725.9) == "01:02:05"
    assert hms(-1) == "00:00:00"
