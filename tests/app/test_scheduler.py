"""Scheduled recording: firing, persistence, late starts inside the window, missed runs, overlap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.config import load_settings
from app.errors import UsageError
from app.events import EventBus, ScheduledRun
from app.scheduler import RecordingScheduler, SchedulerBusy
from app.schedules import (
    current_window,
    once,
    planned_starts,
    read_wavepulse_stations,
    recurring,
    station_schedules,
    window_duration_s,
)
from tests.app.helpers import open_library, wait_for


@pytest.fixture
def settings(workdir):
    return load_settings(db=str(workdir / "library.db"), data_dir=str(workdir / "data"))


def local_at(delta_s: float, tz: str = "UTC") -> str:
    from zoneinfo import ZoneInfo

    moment = datetime.now(ZoneInfo(tz)) + timedelta(seconds=delta_s)
    return moment.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")


def test_cron_texts_and_windows():
    spec = recurring("u", "mon-fri 06:00", 7200, timezone="Europe/Berlin")
    monday_7am = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # 07:00 in Berlin
    start, end = current_window(spec, monday_7am)
    assert (start.astimezone(UTC).hour, (end - start).total_seconds()) == (5, 7200)
    saturday = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    assert current_window(spec, saturday) is None
    week = planned_starts(spec, saturday, saturday + timedelta(days=7))
    assert len(week) == 5  # Monday to Friday
    assert recurring("u", "0 6 * * 1-5", 60, timezone="UTC").kind == "cron"
    assert recurring("u", "06:30", 60, timezone="UTC")  # every day
    for bad in ("someday 06:00", "mon-fri 25:00", "mon-fri"):
        with pytest.raises(UsageError):
            recurring("u", bad, 60, timezone="UTC")
    with pytest.raises(UsageError, match="time zone"):
        recurring("u", "06:00", 60, timezone="Mars/Olympus")


def test_wavepulse_windows_wrap_past_midnight(tmp_path):
    assert window_duration_s("12:00", "3:00") == 15 * 3600
    assert window_duration_s("5:00", "11:59") == (6 * 60 + 59) * 60
    path = tmp_path / "stations.json"
    path.write_text(
        '[{"url": "https://r.example/WACV", "radio_name": "WACV",'
        ' "time": [["12:00", "3:00"], ["5:00", "11:59"]], "state": "AL"}]'
    )
    [station] = read_wavepulse_stations(path)
    assert (station.name, station.region, len(station.windows)) == ("WACV", "AL", 2)
    specs = station_schedules(station, "America/Chicago")
    assert [s.when for s in specs] == ["daily 12:00", "daily 5:00"]
    path.write_text('[{"url": "u", "time": [["noon", "3"]]}]')
    with pytest.raises(UsageError, match="entry 1"):
        read_wavepulse_stations(path)


def test_schedules_persist_across_a_restart(settings, workdir):
    library = open_library(workdir)
    with RecordingScheduler(settings, library).open() as scheduler:
        info = scheduler.add(recurring("http://x/radio", "mon-fri 06:00", 3600, name="Morning"))
        scheduler.add(once("http://x/other", local_at(3600), 60, timezone="UTC"))
    with RecordingScheduler(settings, library).open() as scheduler:
        listed = scheduler.list()
        assert listed[0].spec.label == "http://x/other"  # sooner first
        again = next(i for i in listed if i.spec.id == info.spec.id)
        assert again.spec.when == "mon-fri 06:00" and again.next_run == info.next_run
        scheduler.remove(info.spec.id)
        with pytest.raises(UsageError):
            scheduler.remove(info.spec.id)
    with RecordingScheduler(settings, library).open() as scheduler:
        assert len(scheduler.list()) == 1


def test_only_one_process_runs_schedules(settings, workdir):
    library = open_library(workdir)
    first = RecordingScheduler(settings, library).run()
    try:
        with pytest.raises(SchedulerBusy, match="already"):
            RecordingScheduler(settings, library).run()
    finally:
        first.shutdown()


def test_missed_window_is_reported_not_recorded(settings, workdir):
    library = open_library(workdir)
    bus = EventBus()
    events: list[ScheduledRun] = []
    bus.subscribe(events.append, ScheduledRun)
    with RecordingScheduler(settings, library).open() as scheduler:
        scheduler.add(once("http://127.0.0.1:9/gone", local_at(-120), 30, timezone="UTC"))
    scheduler = RecordingScheduler(settings, library, bus).run()
    try:
        wait_for(lambda: events, timeout=15)
    finally:
        scheduler.shutdown()
    assert [e.status for e in events] == ["missed"]
    assert library.recordings.list() == []
    [run] = library.schedule_runs.list()
    assert run.status == "missed" and run.recording_id is None


@pytest.mark.slow
def test_schedule_fires_and_records_loopback_stream_for_its_duration(settings, workdir, hls_stream):
    library = open_library(workdir)
    bus = EventBus()
    events: list[ScheduledRun] = []
    bus.subscribe(events.append, ScheduledRun)
    scheduler = RecordingScheduler(settings, library, bus).run()
    try:
        scheduler.add(once(hls_stream.url, local_at(2), 8, timezone="UTC", name="Loop"))
        wait_for(lambda: any(e.status == "complete" for e in events), timeout=90)
    finally:
        scheduler.shutdown()
    assert [e.status for e in events] == ["started", "complete"]
    [recording] = library.recordings.list()
    assert recording.title == "Loop" and recording.status == "complete"
    assert 6.0 <= recording.duration_s <= 10.0
    assert recording.schedule_id == events[0].schedule_id
    assert recording.late_s is not None and recording.late_s < 5
    [run] = library.schedule_runs.list()
    assert (run.status, run.recording_id) == ("complete", recording.id)


@pytest.mark.slow
def test_run_missed_while_closed_starts_late_inside_its_window(settings, workdir, hls_stream):
    library = open_library(workdir)
    bus = EventBus()
    events: list[ScheduledRun] = []
    bus.subscribe(events.append, ScheduledRun)
    with RecordingScheduler(settings, library).open() as scheduler:
        scheduler.add(once(hls_stream.url, local_at(-4), 12, timezone="UTC"))
    scheduler = RecordingScheduler(settings, library, bus, late_tolerance_s=1).run()
    try:
        wait_for(lambda: any(e.status == "complete" for e in events), timeout=90)
    finally:
        scheduler.shutdown()
    assert [e.status for e in events] == ["late", "complete"]
    [recording] = library.recordings.list()
    assert recording.late_s >= 3.5
    assert recording.duration_s <= 9.5  # only the rest of the 12-s window
    [run] = library.schedule_runs.list()
    assert run.status == "complete" and "late" in run.detail


def test_overlapping_run_of_a_source_being_recorded_is_skipped(settings, workdir):
    library = open_library(workdir)
    library.recordings.create(url="http://x/busy", mode="live")  # this process, recording
    bus = EventBus()
    events: list[ScheduledRun] = []
    bus.subscribe(events.append, ScheduledRun)
    scheduler = RecordingScheduler(settings, library, bus)
    scheduler.execute(once("http://x/busy", local_at(-1), 60, timezone="UTC"))
    assert [e.status for e in events] == ["skipped"]
    assert len(library.recordings.list()) == 1
