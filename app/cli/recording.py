"""`record`, `transcribe`, `resume`: getting audio into the library as transcript."""

from __future__ import annotations

import signal
import sys

from app.cli.common import EXIT_FAILED, EXIT_OK, LAG_SHOWN_S, audio_progress, duration_arg
from app.config import Settings
from app.errors import USER_ERRORS, UsageError
from app.events import EventBus, SegmentCommitted, SessionError, SessionStatus
from app.services import open_library
from app.timefmt import hms

MODEL_HELP = "tiny.en (default), base, or a CTranslate2 model folder"


def register(sub, common) -> None:
    p = sub.add_parser(
        "record",
        parents=[common],
        help="record and transcribe streams live (several at once in one process)",
    )
    p.add_argument(
        "urls",
        nargs="+",
        metavar="URL",
        help="any URL yt-dlp understands (Twitch, YouTube, HLS, radio) or a file; several "
        "URLs are recorded at once, each its own recording, sharing one speech model",
    )
    p.add_argument(
        "--name",
        action="append",
        help="title to store instead of the stream's own (once per URL, in order)",
    )
    p.add_argument("--duration", type=duration_arg, help="stop after this long (90, 30m, 2h)")
    p.add_argument(
        "--mode",
        choices=("live", "monitor"),
        default="live",
        help="live: text within seconds (more CPU); monitor: per utterance, cheaper",
    )
    p.add_argument("--model", help=MODEL_HELP)
    chat = p.add_mutually_exclusive_group()
    chat.add_argument(
        "--chat",
        default="auto",
        metavar="auto|twitch:CHANNEL|youtube:URL",
        help="which chat to capture (default: the platform's own, for Twitch and YouTube)",
    )
    chat.add_argument("--no-chat", action="store_true", help="do not capture chat")
    p.add_argument(
        "--twitch-irc",
        metavar="HOST:PORT",
        help="Twitch IRC endpoint (irc://host:port without TLS; env STREAMLENS_TWITCH_IRC)",
    )
    p.add_argument(
        "--queue",
        action="store_true",
        help="hand the recordings to workers (`worker`) through the broker instead of "
        "recording here; prints each recording's id as a worker starts it, and its outcome",
    )
    p.add_argument("--no-wait", action="store_true", help="with --queue: return once queued")
    p.add_argument(
        "--broker",
        help="with --queue: redis://:PASSWORD@HOST:6379/0 or amqp://… (env STREAMLENS_BROKER)",
    )
    p.set_defaults(handler=cmd_record)

    p = sub.add_parser(
        "demo",
        parents=[common],
        help="record the built-in demo stream and chat (served on 127.0.0.1; no internet)",
    )
    p.add_argument("--mode", choices=("live", "monitor"), default="live")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("transcribe", parents=[common], help="transcribe archived files, fast")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--name", help="title to store (for a single file)")
    p.add_argument("--model", help=MODEL_HELP)
    p.set_defaults(handler=cmd_transcribe)

    p = sub.add_parser(
        "resume",
        parents=[common],
        help="transcribe what an interrupted recording archived but did not finish",
    )
    p.add_argument("id", type=int)
    p.set_defaults(handler=cmd_resume)


def cmd_record(args, settings: Settings) -> int:
    import dataclasses

    from app.session import RecordingJob

    names = args.name or []
    if names and len(names) != len(args.urls):
        raise UsageError(
            f"{len(names)} --name for {len(args.urls)} URLs: give one --name per URL, or none."
        )
    if args.twitch_irc:
        settings = dataclasses.replace(settings, twitch_irc=args.twitch_irc)
    jobs = [
        RecordingJob(
            url=url,
            mode=args.mode,
            duration_s=args.duration,
            name=names[i] if names else None,
            model=args.model,
            chat="off" if args.no_chat else args.chat,
        )
        for i, url in enumerate(args.urls)
    ]
    if args.queue:
        return run_queued(jobs, settings, args.broker, wait=not args.no_wait)
    if args.no_wait or args.broker:
        raise UsageError("--no-wait and --broker go with --queue.")
    return run_recordings(jobs, settings)


def run_queued(jobs: list, settings: Settings, broker: str | None, wait: bool = True) -> int:
    """Hand `jobs` to the workers; unless `wait` is false, print each recording's id as a
    worker starts it and its outcome at its end, and return when all have ended. The
    first Ctrl-C asks the workers to stop the recordings (their text is kept)."""
    import dataclasses
    from pathlib import Path

    from app.distributed.config import require_broker
    from app.distributed.dispatch import follow_recordings, queue_recordings
    from storage.urls import display_url

    url = require_broker(broker)
    # A file is read by the worker from the same (shared) folder, by its full path.
    jobs = [
        dataclasses.replace(job, url=str(Path(job.url).resolve())) if Path(job.url).is_file()
        else job
        for job in jobs
    ]  # fmt: skip
    library = open_library(settings) if wait else None  # for stop requests
    queued = queue_recordings(url, jobs)
    print(
        f"{len(queued)} recording(s) queued on {display_url(url)}"
        + ("." if not wait else "; waiting for workers. Ctrl-C stops them."),
        file=sys.stderr,
        flush=True,
    )
    if not wait:
        for item in queued:
            print(f"queued {item.task_id}  {item.job.url}")
        return EXIT_OK

    def stop() -> None:
        for item in queued:
            if item.recording_id is not None and not item.done:
                library.recordings.request_stop(item.recording_id)

    def started(item) -> None:
        again = " (continued after its worker stopped)" if item.continued else ""
        print(
            f"Recording #{item.recording_id}: {item.job.name or item.job.url} on "
            f"{item.worker}{again}.",
            file=sys.stderr,
            flush=True,
        )

    def ended(item) -> None:
        out = item.outcome
        rid = f"#{out['recording_id']}" if out.get("recording_id") else item.job.url
        print(
            f"Recording {rid} {out['status']}: {hms(out.get('duration_s') or 0)} of audio, "
            f"{out.get('segments', 0)} segments.",
            file=sys.stderr,
            flush=True,
        )
        if out.get("error"):
            kind = "error: " if out["status"] == "failed" else "note: "
            print(kind + out["error"], file=sys.stderr, flush=True)

    stop_on_signals(stop)
    follow_recordings(queued, on_started=started, on_ended=ended)
    failed = sum(item.outcome["status"] == "failed" for item in queued)
    return EXIT_OK if not failed else EXIT_FAILED


def cmd_demo(args, settings: Settings) -> int:
    import dataclasses

    from app.demo.source import DemoSource

    demo = DemoSource().start()
    try:
        settings = dataclasses.replace(settings, twitch_irc=demo.chat.endpoint)
        print(f"Demo stream on {demo.url}, its chat on {demo.chat.endpoint}", file=sys.stderr)
        return run_recording(demo.job(args.mode), settings, show_chat=True)
    finally:
        demo.stop()


def run_recording(job, settings: Settings, show_chat: bool = False) -> int:
    """Record `job` in the foreground, printing text (and flagged chat) as it arrives."""
    return run_recordings([job], settings, show_chat)


def run_recordings(jobs: list, settings: Settings, show_chat: bool = False) -> int:
    """Record every job at once in this process (one speech model, batched decoding),
    printing text as it is committed; with several, each line starts with its recording's
    id, and a stream that transcription has fallen behind says by how much. A job that
    cannot start is reported and the others go on; Ctrl-C stops them all."""
    from app.events import ChatReceived
    from app.session import LiveSession

    library = open_library(settings)
    bus = EventBus()
    several = len(jobs) > 1
    sessions: dict[int, LiveSession] = {}
    subscribe_printers(bus, show_ids=several, lag_of=lambda rid: _lag_of(sessions, rid))
    if show_chat:

        def chat(event: ChatReceived) -> None:
            for item in event.items:
                if item.violation:
                    print(f"[{hms(item.offset_s)}] ⚑ {item.category}: {item.author}: {item.text}")
                elif item.kind != "message":
                    print(f"[{hms(item.offset_s)}] -- {item.kind}: {item.author}", flush=True)

        bus.subscribe(chat, ChatReceived)
    failed_to_start = 0
    for job in jobs:
        session = LiveSession(job, library, settings, bus)
        try:
            rid = session.start()
        except USER_ERRORS as exc:
            if not several:
                raise
            failed_to_start += 1
            print(f"error: {job.url}: {exc}", file=sys.stderr, flush=True)
            continue
        sessions[rid] = session
        info = session.info
        kind = "live" if info.is_live else "file"
        print(
            f"Recording #{rid}: {job.name or info.title or info.url} ({kind}, {job.mode} mode)."
            + ("" if several else " Ctrl-C stops."),
            file=sys.stderr,
            flush=True,
        )
    if not sessions:
        return EXIT_FAILED
    if several:
        print(f"{len(sessions)} recordings running. Ctrl-C stops them all.", file=sys.stderr)
    stop_on_signals(lambda: [s.stop() for s in sessions.values()])
    failed = failed_to_start
    for rid, session in sessions.items():
        result = session.wait()
        failed += result.status == "failed"
        _print_result(rid, session, result)
    return EXIT_OK if not failed else EXIT_FAILED


def _lag_of(sessions: dict, recording_id: int) -> float:
    session = sessions.get(recording_id)
    return session.lag_s if session is not None else 0.0


def _print_result(rid: int, session, result) -> None:
    chat = ""
    if session.chat is not None:
        recorder = session.chat.recorder
        chat = f", {recorder.stored} chat messages ({recorder.flagged} flagged)"
    print(
        f"Recording #{rid} {result.status}: {hms(result.duration_s)} of audio, "
        f"{result.segments} segments{chat}.",
        file=sys.stderr,
    )
    if result.error:
        print(
            ("error: " if result.status == "failed" else "note: ") + result.error, file=sys.stderr
        )


def stop_on_signals(stop) -> None:
    """First Ctrl-C / SIGTERM stops cleanly (calls `stop`); a second one quits at once."""
    state = {"count": 0}

    def handler(signum, _frame):
        state["count"] += 1
        if state["count"] > 1:
            raise KeyboardInterrupt
        print("stopping… (again to quit at once)", file=sys.stderr, flush=True)
        stop()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def subscribe_printers(bus: EventBus, show_ids: bool = False, lag_of=None) -> None:
    """Print committed text to stdout and connection trouble to stderr, as it happens.
    `lag_of(recording_id)`: how far transcription is behind that stream, shown when large."""

    def segment(event: SegmentCommitted) -> None:
        if event.final:
            prefix = f"#{event.recording_id} " if show_ids else ""
            lag = lag_of(event.recording_id) if lag_of else 0.0
            behind = f"  ({lag:.0f} s behind)" if lag >= LAG_SHOWN_S else ""
            who = f"{event.speaker}: " if event.speaker else ""
            print(f"{prefix}[{hms(event.start_s)}] {who}{event.text}{behind}", flush=True)

    def status(event: SessionStatus) -> None:
        prefix = f"#{event.recording_id}: " if show_ids else ""
        if event.state == "reconnecting":
            d = event.detail
            print(
                f"{prefix}connection lost; reconnecting in {d.get('delay_s', 0):.0f} s "
                f"(attempt {d.get('attempt')})",
                file=sys.stderr,
                flush=True,
            )
        elif event.state == "lagging":
            then = (
                "it goes on from the archive, nothing is skipped"
                if event.detail.get("from_archive")
                else "audio it cannot take is skipped (no archive)"
            )
            print(
                f"{prefix}transcription is {event.detail.get('lag_s', 0):.0f} s behind; {then}",
                file=sys.stderr,
                flush=True,
            )

    def error(event: SessionError) -> None:
        if not event.fatal:
            print(f"warning: {event.message}", file=sys.stderr, flush=True)

    bus.subscribe(segment, SegmentCommitted)
    bus.subscribe(status, SessionStatus)
    bus.subscribe(error, SessionError)


def cmd_transcribe(args, settings: Settings) -> int:
    from app.transcription import load_backend, transcribe_source

    if args.name and len(args.files) > 1:
        raise UsageError("--name applies to a single file.")
    library = open_library(settings)
    backend = load_backend(settings, args.model)
    failures = 0
    for source in args.files:
        try:
            with audio_progress(source) as progress:
                result = transcribe_source(
                    source,
                    library,
                    settings,
                    name=args.name,
                    model=args.model,
                    backend=backend,
                    progress=progress,
                )
        except USER_ERRORS as exc:
            print(f"\nerror: {exc}", file=sys.stderr)
            failures += 1
            continue
        if result.note:
            print(f"\nwarning: {result.note}", file=sys.stderr)
        from app.transcript_analysis import summarize_recording

        clips = summarize_recording(library, result.recording_id)
        print(
            f"{source}: recording #{result.recording_id}, {hms(result.duration_s)}, "
            f"{result.segments} segments, {clips} clip summaries",
            file=sys.stderr,
        )
    return EXIT_FAILED if failures else EXIT_OK


def cmd_resume(args, settings: Settings) -> int:
    from app.transcription import resume_and_analyse

    library = open_library(settings)
    with audio_progress(f"#{args.id}") as progress:
        outcome = resume_and_analyse(args.id, library, settings, progress=progress)
    print(outcome.describe(), file=sys.stderr)
    return EXIT_OK
