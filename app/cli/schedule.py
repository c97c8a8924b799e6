"""`schedule …`, `daemon`, `sources …`: recording without being there, and the station list."""

from __future__ import annotations

import threading
from datetime import UTC

from app.cli.common import EXIT_OK, duration_arg, err
from app.config import Settings
from app.services import open_library
from app.timefmt import hms


def register(sub, common) -> None:
    p = sub.add_parser("schedule", parents=[common], help="scheduled recordings")
    p.set_defaults(group_parser=p)
    actions = p.add_subparsers(dest="action", metavar="ACTION")

    a = actions.add_parser("add", parents=[common], help="add a one-off or recurring recording")
    a.add_argument("url")
    when = a.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", help="days and time: 'mon-fri 06:00', 'daily 18:30', '0 6 * * 1-5'")
    when.add_argument("--at", help="a one-off start: '2026-12-01 06:00'")
    a.add_argument("--duration", required=True, type=duration_arg, help="how long (30m, 2h)")
    a.add_argument("--name", help="a name for the schedule and its recordings")
    a.add_argument("--tz", help="time zone of the times (default: this computer's)")
    a.add_argument("--mode", choices=("live", "monitor"), default="monitor")
    a.add_argument("--model", help="tiny.en (default), base, or a CTranslate2 model folder")
    a.set_defaults(handler=cmd_schedule_add)

    a = actions.add_parser("list", parents=[common], help="list schedules and their next start")
    a.set_defaults(handler=cmd_schedule_list)

    a = actions.add_parser("remove", parents=[common], help="remove a schedule")
    a.add_argument("id")
    a.set_defaults(handler=cmd_schedule_remove)

    a = actions.add_parser("runs", parents=[common], help="what happened at planned starts")
    a.add_argument("id", nargs="?", help="one schedule (default: all)")
    a.add_argument("--limit", type=int, default=50)
    a.set_defaults(handler=cmd_schedule_runs)

    a = actions.add_parser(
        "import",
        parents=[common],
        help="add stations and their daily windows from a WavePulse schedule JSON",
    )
    a.add_argument("file")
    a.add_argument("--state", action="append", help="only stations of this state/region")
    a.add_argument("--station", action="append", help="only this station (radio_name)")
    a.add_argument("--tz", help="time zone of the windows (default: this computer's)")
    a.add_argument("--mode", choices=("live", "monitor"), default="monitor")
    a.set_defaults(handler=cmd_schedule_import)

    p = sub.add_parser(
        "daemon",
        parents=[common],
        help="run schedules in the foreground until stopped (SIGTERM stops recordings cleanly)",
    )
    p.set_defaults(handler=cmd_daemon)

    p = sub.add_parser("sources", parents=[common], help="the stream and station directory")
    p.set_defaults(group_parser=p)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    a = actions.add_parser("list", parents=[common], help="list sources, favourites first")
    a.add_argument("--favourites", action="store_true")
    a.set_defaults(handler=cmd_sources_list)
    a = actions.add_parser(
        "import", parents=[common], help="add stations from a WavePulse-style station JSON"
    )
    a.add_argument("file")
    a.set_defaults(handler=cmd_sources_import)
    a = actions.add_parser("favourite", parents=[common], help="mark (or --off unmark) a source")
    a.add_argument("id", type=int)
    a.add_argument("--off", action="store_true")
    a.set_defaults(handler=cmd_sources_favourite)


def _scheduler(settings: Settings, library=None):
    from app.scheduler import RecordingScheduler

    return RecordingScheduler(settings, library or open_library(settings))


def cmd_schedule_add(args, settings: Settings) -> int:
    from app.schedules import ensure_future, local_timezone, once, recurring

    options = {
        "timezone": args.tz or local_timezone(),
        "name": args.name,
        "mode": args.mode,
        "model": args.model,
    }
    if args.cron:
        spec = recurring(args.url, args.cron, args.duration, **options)
    else:
        spec = once(args.url, args.at, args.duration, **options)
        ensure_future(spec)
    with _scheduler(settings).open() as scheduler:
        info = scheduler.add(spec)
    print(f"Schedule {spec.id}: {spec.label}, {spec.describe()}")
    print(f"Next start: {_local(info.next_run)}")
    return EXIT_OK


def cmd_schedule_list(args, settings: Settings) -> int:
    with _scheduler(settings).open() as scheduler:
        infos = scheduler.list()
    if not infos:
        print("No schedules. Add one with: python main.py schedule add URL --cron 'mon-fri 06:00'")
        return EXIT_OK
    print(f"{'ID':<8}  {'NEXT START':<16}  {'DURATION':>8}  {'MODE':<7}  NAME / URL  (WHEN)")
    for info in infos:
        spec = info.spec
        nxt = _local(info.next_run) if info.next_run else "—"
        name = f"{spec.name} · {spec.url}" if spec.name else spec.url
        print(
            f"{spec.id:<8}  {nxt:<16}  {hms(spec.duration_s):>8}  {spec.mode:<7}  {name}  "
            f"({spec.when}, {spec.timezone})"
        )
    return EXIT_OK


def cmd_schedule_remove(args, settings: Settings) -> int:
    with _scheduler(settings).open() as scheduler:
        spec = scheduler.remove(args.id)
    print(f"Removed schedule {spec.id} ({spec.label}).")
    return EXIT_OK


def cmd_schedule_runs(args, settings: Settings) -> int:
    library = open_library(settings)
    runs = library.schedule_runs.list(args.id, limit=args.limit)
    if not runs:
        print("No scheduled runs yet.")
        return EXIT_OK
    for run in runs:
        rid = f" → #{run.recording_id}" if run.recording_id else ""
        detail = f" ({run.detail})" if run.detail else ""
        planned = _local(run.scheduled_at.replace(tzinfo=UTC))
        print(f"{planned}  {run.status:<8}  {run.schedule_name or run.url}{rid}{detail}")
    return EXIT_OK


def cmd_schedule_import(args, settings: Settings) -> int:
    from app.stations import import_station_list

    library = open_library(settings)
    with _scheduler(settings, library).open() as scheduler:
        done = import_station_list(
            library,
            args.file,
            scheduler=scheduler,
            timezone=args.tz,
            mode=args.mode,
            states=args.state or (),
            names=args.station or (),
        )
    print(f"Added {done.stations} stations and {done.schedules} daily schedules.")
    return EXIT_OK


def cmd_daemon(args, settings: Settings) -> int:
    import signal

    from app.cli.recording import subscribe_printers
    from app.events import EventBus, ScheduledRun
    from app.scheduler import RecordingScheduler

    library = open_library(settings)
    bus = EventBus()
    subscribe_printers(bus, show_ids=True)

    def announce(event: ScheduledRun) -> None:
        rid = f" → recording #{event.recording_id}" if event.recording_id else ""
        detail = f" ({event.detail})" if event.detail else ""
        err(f"schedule {event.schedule_id} {event.name}: {event.status}{rid}{detail}")

    bus.subscribe(announce, ScheduledRun)
    scheduler = RecordingScheduler(settings, library, bus).run()
    stop = threading.Event()

    def on_signal(signum, _frame):
        if stop.is_set():
            raise KeyboardInterrupt
        err("stopping: ending recordings cleanly… (again to quit at once)")
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    count = len(scheduler.list())
    err(f"Running {count} schedule(s); Ctrl-C or SIGTERM stops. Log: {settings.data_dir}")
    try:
        while not stop.wait(1.0):
            pass
    finally:
        scheduler.shutdown(stop_recordings=True)
    err("Stopped.")
    return EXIT_OK


def cmd_sources_list(args, settings: Settings) -> int:
    library = open_library(settings)
    rows = library.sources.list(favourites_only=args.favourites)
    if not rows:
        print("No sources yet: record a URL, or import a station list with `sources import`.")
        return EXIT_OK
    for s in rows:
        star = "★" if s.favourite else " "
        region = f" [{s.region}]" if s.region else ""
        print(f"{s.id:>5} {star} {s.name or '—'}{region}  {s.url}  ({s.recording_count} rec.)")
    return EXIT_OK


def cmd_sources_import(args, settings: Settings) -> int:
    from app.stations import import_station_list

    done = import_station_list(open_library(settings), args.file)
    print(f"{done.stations} stations read: {done.added} added, {done.known} known.")
    return EXIT_OK


def cmd_sources_favourite(args, settings: Settings) -> int:
    library = open_library(settings)
    library.sources.set_favourite(args.id, not args.off)
    source = library.sources.get(args.id)
    print(f"{source.name or source.url}: {'favourite' if source.favourite else 'not a favourite'}")
    return EXIT_OK


def _local(moment) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "—"
