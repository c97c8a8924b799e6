"""`punctuate`: restore punctuation and capitals in text (stdin or a file)."""

from __future__ import annotations

import sys
from pathlib import Path

from app.cli.common import EXIT_OK
from app.config import Settings
from app.errors import UsageError


def register(sub, common) -> None:
    p = sub.add_parser(
        "punctuate",
        parents=[common],
        help="restore punctuation and capitals in text (stdin or a file)",
        description="Reads text (its own punctuation is ignored and predicted again) and "
        "prints it punctuated and capitalised. With no FILE, or -, reads stdin.",
    )
    p.add_argument("file", nargs="?", default="-")
    p.add_argument(
        "--recording",
        type=int,
        metavar="ID",
        help="re-punctuate a stored transcript instead (its raw text is kept)",
    )
    p.set_defaults(handler=cmd_punctuate)

    p = sub.add_parser(
        "summary",
        parents=[common],
        help="a recording's summary per ~5-minute clip and overall, with times",
    )
    p.add_argument("id", type=int)
    p.add_argument("--refresh", action="store_true", help="summarise again")
    p.set_defaults(handler=cmd_summary)


def cmd_summary(args, settings: Settings) -> int:
    from app.analyses import summaries_of
    from app.services import open_library
    from app.timefmt import hms

    library = open_library(settings)
    recording = library.recordings.get(args.id)
    summaries = summaries_of(library, args.id, refresh=args.refresh)
    print(f"# {recording.title or recording.url}")
    if not summaries:
        print("(nothing to summarise: no utterance of five words or more)")
    for summary in summaries:
        if summary.kind == "recording":
            print("\nWhole recording:")
        else:
            print(f"\nClip {hms(summary.start_s)}–{hms(summary.end_s)}:")
        for start, _end, text in summary.sentences:
            print(f"  [{hms(start)}] {text}")
    return EXIT_OK


def cmd_punctuate(args, settings: Settings) -> int:
    from app.transcript_analysis import punctuate_text

    if args.recording is not None:
        from app.services import open_library
        from app.transcript_analysis import punctuate_recording

        library = open_library(settings)
        library.recordings.get(args.recording)
        changed = punctuate_recording(library, args.recording)
        print(f"Recording #{args.recording}: punctuation restored in {changed} segments.")
        return EXIT_OK

    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"Cannot read {args.file}: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    for paragraph in punctuate_text(text).split("\n\n"):
        print(paragraph)
        print()
    return EXIT_OK
