"""`analyse ID …`: a recording's analyses done again (punctuation where it lacks it,
summaries, keywords and entities), here or on the workers (`--queue`)."""

from __future__ import annotations

import sys

from app.cli.common import EXIT_FAILED, EXIT_OK
from app.config import Settings
from app.errors import USER_ERRORS, UsageError
from app.services import open_library


def register(sub, common) -> None:
    p = sub.add_parser(
        "analyse",
        parents=[common],
        help="do a recording's analyses again: punctuation, summaries, keywords, entities",
        description="Punctuation is restored when the transcript has none (or with "
        "--punctuate), then the summaries, keywords and entities are made again. "
        "With --queue the recordings go to the workers, one job each.",
    )
    p.add_argument("ids", nargs="+", type=int, metavar="ID")
    p.add_argument(
        "--punctuate", action="store_true", help="restore punctuation even where it is there"
    )
    p.add_argument("--queue", action="store_true", help="hand them to the workers (`worker`)")
    p.add_argument("--broker", help="with --queue: the broker URL (env STREAMLENS_BROKER)")
    p.set_defaults(handler=cmd_analyse)


def cmd_analyse(args, settings: Settings) -> int:
    if args.broker and not args.queue:
        raise UsageError("--broker goes with --queue.")
    library = open_library(settings)
    for recording_id in args.ids:
        library.recordings.get(recording_id)  # an unknown id fails before anything is done
    punctuate = True if args.punctuate else None
    if args.queue:
        outcomes = _on_workers(args.ids, punctuate, args.broker)
    else:
        outcomes = ((rid, *_here(library, rid, punctuate)) for rid in args.ids)
    failed = 0
    for recording_id, ok, detail in outcomes:
        print(f"#{recording_id}: {detail}" if ok else f"#{recording_id} FAILED: {detail}")
        failed += not ok
    if failed:
        print(f"{failed} of {len(args.ids)} analyses failed", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def _here(library, recording_id: int, punctuate: bool | None) -> tuple[bool, str]:
    from app.transcript_analysis import analyse_recording

    try:
        return True, analyse_recording(library, recording_id, punctuate=punctuate)
    except USER_ERRORS as exc:
        return False, str(exc)


def _on_workers(ids: list[int], punctuate: bool | None, broker: str | None):
    from app.distributed.config import require_broker
    from app.distributed.dispatch import follow_analyses, queue_analyses

    results = queue_analyses(require_broker(broker), ids, punctuate)
    print(f"{len(ids)} analyses queued; waiting for the workers", file=sys.stderr)
    return follow_analyses(ids, results)
