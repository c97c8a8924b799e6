"""`python main.py <command>`: everything the app does, headless, no Qt."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from app.config import Settings, load_settings
from app.errors import USER_ERRORS, UsageError
from app.events import EventBus, SegmentCommitted, SessionError, SessionStatus
from app.logsetup import configure_logging
from app.services import open_library
from app.timefmt import hms, parse_duration

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", help="library database file or URL (default: user data dir; env STREAMLENS_DB)"
    )
    common.add_argument(
        "--data-dir", help="where archived audio and logs go (env STREAMLENS_DATA_DIR)"
    )
    common.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")

    parser = argparse.ArgumentParser(
        prog="python main.py",
        description="Streamlens: record, transcribe and search livestreams. "
        "Without a command, opens the desktop app.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("record", parents=[common], help="record and transcribe a stream live")
    p.add_argument("url", help="any URL yt-dlp understands (Twitch, YouTube, HLS, radio) or a file")
    p.add_argument("--name", help="title to store instead of the stream's own")
    p.add_argument("--duration", type=_duration_arg, help="stop after this long (90, 30m, 2h)")
    p.add_argument(
        "--mode",
        choices=("live", "monitor"),
        default="live",
        help="live: text within seconds (more CPU); monitor: per utterance, cheaper",
    )
    p.add_argument("--model", help="tiny.en (default), base, or a CTranslate2 model folder")

    p = sub.add_parser("transcribe", parents=[common], help="transcribe archived files, fast")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--name", help="title to store (for a single file)")
    p.add_argument("--model", help="tiny.en (default), base, or a CTranslate2 model folder")

    p = sub.add_parser(
        "resume",
        parents=[common],
        help="transcribe what an interrupted recording archived but did not finish",
    )
    p.add_argument("id", type=int)

    sub.add_parser("recordings", parents=[common], help="list recordings")

    p = sub.add_parser("show", parents=[common], help="print a recording's transcript")
    p.add_argument("id", type=int)

    p = sub.add_parser("search", parents=[common], help="full-text search across transcripts")
    p.add_argument("query", help='words (all must match), "a phrase", or prefix*')
    p.add_argument("--limit", type=int, default=50)

    p = sub.add_parser("export", parents=[common], help="export to CSV")
    p.add_argument("ids", nargs="+", type=int, metavar="ID")
    p.add_argument("--what", default="transcript", choices=("transcript",))
    p.add_argument("--out", required=True, type=Path, help="the CSV file to write")
    p.add_argument("--bom", action="store_true", help="start with a UTF-8 BOM (for Excel)")
    return parser


def _duration_arg(text: str) -> float:
    try:
        return parse_duration(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_OK
    settings = load_settings(db=args.db, data_dir=args.data_dir)
    configure_logging(settings.data_dir, args.verbose)
    try:
        return COMMANDS[args.command](args, settings)
    except USER_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        log.debug("Unexpected failure", exc_info=True)
        logging.getLogger("streamlens.crash").error("Unexpected failure", exc_info=True)
        print(
            f"error: unexpected failure ({exc.__class__.__name__}: {exc}); "
            f"details are in {settings.data_dir / 'streamlens.log'}",
            file=sys.stderr,
        )
        return EXIT_FAILED


# --- commands --------------------------------------------------------------------------------


def cmd_record(args, settings: Settings) -> int:
    from app.session import LiveSession, RecordingJob

    library = open_library(settings)
    bus = EventBus()
    bus.subscribe(_print_segment, SegmentCommitted)
    bus.subscribe(_print_status, SessionStatus)
    bus.subscribe(_print_error, SessionError)
    job = RecordingJob(
        url=args.url, mode=args.mode, duration_s=args.duration, name=args.name, model=args.model
    )
    session = LiveSession(job, library, settings, bus)
    rid = session.start()
    info = session.info
    kind = "live" if info.is_live else "file"
    print(
        f"Recording #{rid}: {info.title or info.url} ({kind}, {args.mode} mode). Ctrl-C stops.",
        file=sys.stderr,
        flush=True,
    )
    _stop_on_signals(session.stop)
    result = session.wait()
    print(
        f"Recording #{rid} {result.status}: {hms(result.duration_s)} of audio, "
        f"{result.segments} segments.",
        file=sys.stderr,
    )
    if result.error:
        print(
            ("error: " if result.status == "failed" else "note: ") + result.error, file=sys.stderr
        )
    return EXIT_OK if result.status != "failed" else EXIT_FAILED


def _stop_on_signals(stop) -> None:
    state = {"count": 0}

    def handler(signum, _frame):
        state["count"] += 1
        if state["count"] > 1:
            raise KeyboardInterrupt
        print("stopping… (again to quit at once)", file=sys.stderr, flush=True)
        stop()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def _print_segment(event: SegmentCommitted) -> None:
    if event.final:
        print(f"[{hms(event.start_s)}] {event.text}", flush=True)


def _print_status(event: SessionStatus) -> None:
    if event.state == "reconnecting":
        d = event.detail
        print(
            f"connection lost; reconnecting in {d.get('delay_s', 0):.0f} s "
            f"(attempt {d.get('attempt')})",
            file=sys.stderr,
            flush=True,
        )
    elif event.state == "lagging":
        print(
            f"transcription is {event.detail.get('lag_s', 0):.0f} s behind; audio is archived",
            file=sys.stderr,
            flush=True,
        )


def _print_error(event: SessionError) -> None:
    if not event.fatal:
        print(f"warning: {event.message}", file=sys.stderr, flush=True)


def cmd_transcribe(args, settings: Settings) -> int:
    from app.transcription import load_backend, transcribe_source

    if args.name and len(args.files) > 1:
        raise UsageError("--name applies to a single file.")
    library = open_library(settings)
    backend = load_backend(settings, args.model)
    failures = 0
    for source in args.files:
        try:
            result = transcribe_source(
                source,
                library,
                settings,
                name=args.name,
                model=args.model,
                backend=backend,
                progress=_progress_printer(source),
            )
        except USER_ERRORS as exc:
            print(f"\nerror: {exc}", file=sys.stderr)
            failures += 1
            continue
        print(
            f"\r{source}: recording #{result.recording_id}, {hms(result.duration_s)}, "
            f"{result.segments} segments",
            file=sys.stderr,
        )
    return EXIT_FAILED if failures else EXIT_OK


def _progress_printer(label: str):
    def progress(done: float, total: float | None) -> None:
        if sys.stderr.isatty():
            print(f"\r{label}: {hms(done)} transcribed", end="", file=sys.stderr, flush=True)

    return progress


def cmd_resume(args, settings: Settings) -> int:
    from app.transcription import resume_recording

    library = open_library(settings)
    result = resume_recording(args.id, library, settings, progress=_progress_printer(f"#{args.id}"))
    print(f"\rRecording #{args.id}: {result.status}, {result.segments} segments", file=sys.stderr)
    return EXIT_OK


def cmd_recordings(args, settings: Settings) -> int:
    library = open_library(settings)
    rows = library.recordings.list()
    if not rows:
        print("No recordings yet. Start one with: python main.py record URL")
        return EXIT_OK
    print(
        f"{'ID':>5}  {'STARTED (UTC)':<19}  {'DURATION':>8}  {'STATUS':<11}  {'SEGS':>5}  "
        "SOURCE / TITLE"
    )
    for r in rows:
        title = r.title or ""
        print(
            f"{r.id:>5}  {r.started_at:%Y-%m-%d %H:%M:%S}  {hms(r.duration_s):>8}  "
            f"{r.status:<11}  {r.segment_count:>5}  {r.url}" + (f"  — {title}" if title else "")
        )
    return EXIT_OK


def cmd_show(args, settings: Settings) -> int:
    library = open_library(settings)
    r = library.recordings.get(args.id)
    print(f"# {r.title or r.url}")
    print(
        f"# {r.url} · started {r.started_at:%Y-%m-%d %H:%M:%S} UTC · {hms(r.duration_s)} · "
        f"{r.status}" + (f" ({r.error})" if r.error else "")
    )
    segments = library.segments.for_recording(args.id)
    if not segments:
        print("(no transcript)")
    for seg in segments:
        speaker = f"{seg.speaker}: " if seg.speaker else ""
        print(f"[{hms(seg.start_s)}] {speaker}{seg.text}")
    return EXIT_OK


def cmd_search(args, settings: Settings) -> int:
    library = open_library(settings)
    hits = library.search.search(args.query, limit=args.limit)
    if not hits:
        print(f"No matches for {args.query!r}.")
        return EXIT_OK
    for hit in hits:
        title = f" {hit.recording_title}" if hit.recording_title else ""
        print(f"#{hit.recording_id}{title} [{hms(hit.start_s)}] {hit.snippet}")
    return EXIT_OK


def cmd_export(args, settings: Settings) -> int:
    from app.exporter import export

    library = open_library(settings)
    count = export(library, args.ids, args.what, args.out, bom=args.bom)
    print(f"Wrote {count} rows to {args.out}", file=sys.stderr)
    return EXIT_OK


COMMANDS = {
    "record": cmd_record,
    "transcribe": cmd_transcribe,
    "resume": cmd_resume,
    "recordings": cmd_recordings,
    "show": cmd_show,
    "search": cmd_search,
    "export": cmd_export,
}
