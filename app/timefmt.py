"""Durations and timestamps as people write and read them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import tzlocal

from app.errors import UsageError

_UNIT = {"h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+(?:\.\d+)?)([hms])")


def parse_duration(text: str) -> float:
    """Seconds from '90', '90s', '30m', '2h', '1h30m' or '1:30:00'."""
    value = text.strip().lower()
    try:
        if ":" in value:
            seconds = 0.0
            for part in value.split(":"):
                seconds = seconds * 60 + float(part)
            result = seconds
        elif value.replace(".", "", 1).isdigit():
            result = float(value)
        else:
            parts = _PART.findall(value)
            if not parts or "".join(n + u for n, u in parts) != value:
                raise ValueError(value)
            result = sum(float(n) * _UNIT[u] for n, u in parts)
    except ValueError:
        raise UsageError(
            f"Cannot read {text!r} as a duration (try 90, 30m, 2h or 1:30:00)."
        ) from None
    if result <= 0:
        raise UsageError(f"A duration must be positive, not {text!r}.")
    return result


def hms(seconds: float) -> str:
    """'hh:mm:ss' for a stream offset."""
    whole = int(max(0.0, seconds))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def parse_when(text: str, *, end_of_day: bool = False) -> datetime:
    """An aware datetime from '2024-07-01', '2024-07-01 06:00' or ISO with an offset.

    Without an offset the local time zone applies. With `end_of_day`, a bare date means the
    end of that day (so `--until 2024-07-31` includes the 31st).
    """
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"Cannot read {text!r} as a date (try 2024-07-01 or 2024-07-01 06:00)."
        ) from None
    if end_of_day and len(value) == 10:
        moment += timedelta(days=1)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(tzlocal.get_localzone_name() or "UTC"))
    return moment


def naive_utc(moment: datetime | None) -> datetime | None:
    """The storage form of a time: naive UTC. A naive input is taken to be UTC already."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)
