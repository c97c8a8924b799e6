"""`recordings`, `show`, `search`, `export`: reading the library back."""

from __future__ import annotations

import sys
from pathlib import Path

from app.cli.common import EXIT_OK, LAG_SHOWN_S
from app.config import Settings
from app.recording_contents import search_library
from app.services import open_library
from app.timefmt import hms, parse_when


def register(sub, common) -> None:
    p = sub.add_parser("recordings", parents=[common], help="list recordings")
    p.set_defaults(handler=cmd_recordings)

    p = sub.add_parser("show", parents=[common], help="print a recording's transcript")
    p.add_argument("id", type=int)
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser(
        "search", parents=[common], help="full-text search across transcripts and chat"
    )
    p.add_argument("query", help='words (all must match), "a phrase", or prefix*')
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--no-chat", action="store_true", help="search transcripts only")
    p.set_defaults(handler=cmd_search)

    from app.exporter import EXPORT_KINDS

    p = sub.add_parser(
        "export",
        parents=[common],
        help="export to CSV",
        description="Export recordings to RFC 4180 CSV (UTF-8, ISO-8601 UTC times plus stream "
        "offsets in seconds). Kinds: "
        + "; ".join(f"{k.name}: {k.description}" for k in EXPORT_KINDS.values())
        + "; all: one file per kind into the folder given as --out.",
    )
    p.add_argument("ids", nargs="*", type=int, metavar="ID")
    p.add_argument("--all", action="store_true", help="every recording in the library")
    p.add_argument("--since", help="recordings started on or after DATE (local time)")
    p.add_argument("--until", help="recordings started on or before DATE (a bare date includes it)")
    p.add_argument("--what", default="transcript", choices=[*EXPORT_KINDS, "all"])
    p.add_argument(
        "--out", required=True, type=Path, help="the CSV file to write (a folder with --what all)"
    )
    p.add_argument("--bom", action="store_true", help="start with a UTF-8 BOM (for Excel)")
    p.set_defaults(handler=cmd_export)


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
        behind = ""
        if r.status == "recording" and (r.lag_s or 0) >= LAG_SHOWN_S:
            behind = f"  ({r.lag_s:.0f} s behind)"
        print(
            f"{r.id:>5}  {r.started_at:%Y-%m-%d %H:%M:%S}  {hms(r.duration_s):>8}  "
            f"{r.status:<11}  {r.segment_count:>5}  {r.url}"
            + (f"  — {title}" if title else "")
            + behind
        )
    return EXIT_OK


def cmd_show(args, settings: Settings) -> int:
    library = open_library(settings)
    r = library.recordings.get(args.id)
    print(f"# {r.title or r.url}")
    language = f" · language: {r.language}" if r.language else ""
    print(
        f"# {r.url} · started {r.started_at:%Y-%m-%d %H:%M:%S} UTC · {hms(r.duration_s)}"
        f"{language} · {r.status}" + (f" ({r.error})" if r.error else "")
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
    hits = search_library(library, args.query, limit=args.limit, chat=not args.no_chat)
    if not hits:
        print(f"No matches for {args.query!r}.")
        return EXIT_OK
    for hit in hits:
        title = f" {hit.recording_title}" if hit.recording_title else ""
        where = "chat " if hit.source == "chat" else ""
        who = f"{hit.speaker}: " if hit.speaker and hit.source != "chat" else ""
        print(f"#{hit.recording_id}{title} [{hms(hit.start_s)}] {where}{who}{hit.snippet}")
    return EXIT_OK


def cmd_export(args, settings: Settings) -> int:
    from app.exporter import export, select_recordings
    from app.tutorial_catalog import active_catalog

    library = open_library(settings)
    recordings = select_recordings(
        library,
        args.ids,
        everything=args.all,
        since=parse_when(args.since) if args.since else None,
        until=parse_when(args.until, end_of_day=True) if args.until else None,
    )
    counts = export(
        library, recordings, args.what, args.out, bom=args.bom, catalog=active_catalog(settings)
    )
    for kind, count in counts.items():
        target = args.out / f"{kind}.csv" if args.what == "all" else args.out
        print(f"Wrote {count} {kind} rows to {target}", file=sys.stderr)
    return EXIT_OK
