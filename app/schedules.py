"""What a schedule is, as plain data: when it fires, how long it records, and its windows.

Kept apart from APScheduler wiring (`app.scheduler`) so the CLI, the GUI and the WavePulse
importer can build and check schedules without starting anything. A schedule's *window*
is [planned start, planned start + duration): a run that starts inside it is on time or
late; a window that passes with nothing running is a missed run.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tzlocal
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from app.errors import UsageError

KIND_ONCE = "once"
KIND_CRON = "cron"
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_DAY_NAMES = {"daily": "*", "everyday": "*", "weekdays": "mon-fri", "weekends": "sat,sun"}
MAX_MISSED_REPORTED = 50


def local_timezone() -> str:
    return tzlocal.get_localzone_name() or "UTC"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"Unknown time zone {name!r} (try Europe/Berlin or UTC).") from None


@dataclass(frozen=True)
class ScheduleSpec:
    """A recording schedule. `when` is a cron-like text for KIND_CRON ("mon-fri 06:00") or
    an ISO local date-time for KIND_ONCE, read in `timezone`."""

    url: str
    kind: str
    when: str
    duration_s: float
    timezone: str = field(default_factory=local_timezone)
    name: str | None = None
    mode: str = "monitor"
    model: str | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def as_kwargs(self) -> dict:
        """The job's arguments as stored by APScheduler: plain data only."""
        return asdict(self)

    @property
    def label(self) -> str:
        return self.name or self.url

    def describe(self) -> str:
        from app.timefmt import hms

        what = "once at " if self.kind == KIND_ONCE else ""
        return f"{what}{self.when} ({self.timezone}) for {hms(self.duration_s)}"


def once(url: str, at: str, duration_s: float, **options) -> ScheduleSpec:
    spec = ScheduleSpec(url=url, kind=KIND_ONCE, when=at, duration_s=duration_s, **options)
    build_trigger(spec)  # validates
    return spec


def ensure_future(spec: ScheduleSpec, now: datetime | None = None) -> None:
    """A new one-off schedule whose whole window has passed is refused, not silently missed."""
    if spec.kind == KIND_ONCE:
        start = build_trigger(spec).run_date
        if start + timedelta(seconds=spec.duration_s) <= (now or datetime.now(UTC)):
            raise UsageError(f"{spec.when} ({spec.timezone}) and its window have already passed.")


def recurring(url: str, when: str, duration_s: float, **options) -> ScheduleSpec:
    spec = ScheduleSpec(url=url, kind=KIND_CRON, when=when, duration_s=duration_s, **options)
    build_trigger(spec)
    return spec


def parse_local_datetime(text: str, tz: ZoneInfo) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace("T", " "))
    except ValueError:
        raise UsageError(
            f"Cannot read {text!r} as a date and time (try 2026-12-01 06:00)."
        ) from None
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def build_trigger(spec: ScheduleSpec) -> CronTrigger | DateTrigger:
    """The APScheduler trigger for `spec`; a UsageError in words for anything unreadable."""
    tz = zone(spec.timezone)
    if spec.duration_s <= 0:
        raise UsageError("A schedule needs a positive duration.")
    if spec.kind == KIND_ONCE:
        return DateTrigger(run_date=parse_local_datetime(spec.when, tz), timezone=tz)
    if spec.kind != KIND_CRON:
        raise UsageError(f"Unknown schedule kind {spec.kind!r}.")
    return cron_trigger(spec.when, tz)


def cron_trigger(text: str, tz: ZoneInfo) -> CronTrigger:
    """'mon-fri 06:00', 'daily 18:30', '06:00', 'sat,sun 10:00' or a 5-field crontab line."""
    parts = text.strip().lower().split()
    try:
        if len(parts) == 5:
            return CronTrigger.from_crontab(" ".join(parts), timezone=tz)
        if len(parts) in (1, 2) and _TIME.match(parts[-1]):
            hour, minute = (int(x) for x in _TIME.match(parts[-1]).groups())
            days = _DAY_NAMES.get(parts[0], parts[0]) if len(parts) == 2 else "*"
            return CronTrigger(day_of_week=days, hour=hour, minute=minute, timezone=tz)
    except ValueError as exc:
        raise UsageError(f"Cannot read the schedule {text!r}: {exc}.") from None
    raise UsageError(
        f"Cannot read the schedule {text!r}: write days and a time, e.g. 'mon-fri 06:00', "
        "'daily 18:30', 'sat,sun 10:00', or a crontab line like '0 6 * * 1-5'."
    )


def planned_starts(spec: ScheduleSpec, after: datetime, until: datetime) -> list[datetime]:
    """Planned starts in (after, until], oldest first (aware datetimes)."""
    trigger = build_trigger(spec)
    if spec.kind == KIND_ONCE:
        start = trigger.run_date
        return [start] if after < start <= until else []
    starts: list[datetime] = []
    moment = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
    while moment is not None and moment <= until and len(starts) < 10_000:
        starts.append(moment)
        moment = trigger.get_next_fire_time(moment, moment + timedelta(microseconds=1))
    return starts


def current_window(spec: ScheduleSpec, now: datetime) -> tuple[datetime, datetime] | None:
    """The window `now` falls in (the latest planned start whose window has not ended)."""
    starts = planned_starts(spec, now - timedelta(seconds=spec.duration_s), now)
    if not starts:
        return None
    start = starts[-1]
    return start, start + timedelta(seconds=spec.duration_s)


def next_start(spec: ScheduleSpec, now: datetime) -> datetime | None:
    trigger = build_trigger(spec)
    if spec.kind == KIND_ONCE:
        return trigger.run_date if trigger.run_date > now else None
    return trigger.get_next_fire_time(None, now)


# --- WavePulse station lists ---------------------------------------------------------------


@dataclass(frozen=True)
class Station:
    url: str
    name: str
    region: str | None
    windows: list[tuple[str, str]]


def read_wavepulse_stations(path: Path) -> list[Station]:
    """Stations from a WavePulse schedule JSON: `[{url, radio_name, time: [[start, end]], state}]`.

    Times are 24-hour local clock times; an end earlier than its start wraps past midnight
    (WavePulse's `["12:00", "3:00"]` records noon to 3 a.m.).
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} is not a JSON station list ({exc}).") from None
    if not isinstance(data, list):
        raise UsageError(f"{path} should hold a list of stations ({{url, radio_name, time}}).")
    stations: list[Station] = []
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            raise UsageError(f"{path}: entry {number} has no url.")
        windows = []
        for pair in item.get("time") or []:
            if (
                not isinstance(pair, list | tuple)
                or len(pair) != 2
                or not all(isinstance(t, str) and _TIME.match(t.strip()) for t in pair)
            ):
                raise UsageError(
                    f"{path}: entry {number} has a time window {pair!r}, not [HH:MM, HH:MM]."
                )
            windows.append((pair[0].strip(), pair[1].strip()))
        stations.append(
            Station(
                url=item["url"].strip(),
                name=str(item.get("radio_name") or item["url"]),
                region=item.get("state"),
                windows=windows,
            )
        )
    return stations


def window_duration_s(start: str, end: str) -> float:
    """Seconds from `start` to `end` (HH:MM), wrapping past midnight when end <= start."""
    sh, sm = (int(x) for x in start.split(":"))
    eh, em = (int(x) for x in end.split(":"))
    minutes = (eh * 60 + em) - (sh * 60 + sm)
    if minutes <= 0:
        minutes += 24 * 60
    return minutes * 60.0


def station_schedules(station: Station, timezone: str, mode: str = "monitor") -> list[ScheduleSpec]:
    """One daily schedule per recording window of a station."""
    return [
        recurring(
            station.url,
            f"daily {start}",
            window_duration_s(start, end),
            timezone=timezone,
            name=f"{station.name} {start}–{end}",
            mode=mode,
        )
        for start, end in station.windows
    ]
