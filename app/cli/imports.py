"""`import`: load archived streams in one go, with a progress bar and an end report."""

from __future__ import annotations

import os
import sys

from app.cli.common import EXIT_FAILED, EXIT_OK
from app.config import Settings
from app.errors import UsageError
from app.services import open_library


def register(sub, common) -> None:
    p = sub.add_parser(
        "import",
        parents=[common],
        help="batch import archived streams (files, folders, globs, URL lists, playlists)",
        description="Import archived streams. Files named after a video (NAME.srt, NAME.en.vtt, "
        "NAME.json) are used as its transcript; transcripts on their own (WavePulse/Whisper "
        "JSON, SRT, VTT) become recordings without audio. Running the same batch again "
        "skips what is already in and retries what failed.",
    )
    p.add_argument("inputs", nargs="+", metavar="PATH_OR_URL")
    p.add_argument(
        "--retranscribe",
        action="store_true",
        help="transcribe media with Whisper even when a transcript file is beside it",
    )
    p.add_argument(
        "--workers", type=int, default=min(2, os.cpu_count() or 1), help="items at a time"
    )
    p.add_argument("--model", help="tiny.en (default), base, or a CTranslate2 model folder")
    p.add_argument(
        "--no-analysis",
        action="store_true",
        help="skip punctuation, summaries, keywords and entities (about 2 s an item); "
        "run `summary`, `keywords`, `entities` later",
    )
    p.add_argument(
        "--queue",
        action="store_true",
        help="hand the items to workers (`worker`) through the broker, one job each; the "
        "files must be where every worker reads them (a shared folder)",
    )
    p.add_argument("--broker", help="with --queue: the broker URL (env STREAMLENS_BROKER)")
    p.set_defaults(handler=cmd_import)


def cmd_import(args, settings: Settings) -> int:
    from tqdm import tqdm

    from app.importer import FAILED, IMPORTED, SKIPPED, BatchImport, ImportReport, discover

    library = open_library(settings)
    items, problems = discover(args.inputs)
    if args.broker and not args.queue:
        raise UsageError("--broker goes with --queue.")
    batch = BatchImport(
        library,
        settings,
        retranscribe=args.retranscribe,
        workers=args.workers,
        model=args.model,
        analyse=not args.no_analysis,
    )
    bar = tqdm(total=len(items), unit="item", file=sys.stderr, disable=not items, leave=False)

    def progress(outcome, done, total):
        bar.update(1)
        bar.set_postfix_str(outcome.item.label[-40:], refresh=False)

    try:
        if args.queue:
            report = ImportReport(_import_on_workers(items, args, progress))
        else:
            report = batch.run(items, progress)
    except KeyboardInterrupt:
        batch.cancel()
        raise
    finally:
        bar.close()
    report = ImportReport(problems + report.outcomes)
    for status, mark in ((IMPORTED, "imported"), (SKIPPED, "skipped"), (FAILED, "FAILED")):
        for outcome in report.of(status):
            rid = f" → #{outcome.recording_id}" if outcome.recording_id else ""
            print(f"{mark:>8}  {outcome.item.label}{rid}: {outcome.detail}")
    print(report.summary(), file=sys.stderr)
    return EXIT_FAILED if report.of(FAILED) else EXIT_OK


def _import_on_workers(items: list, args, progress) -> list:
    """One job per item on the broker; the outcomes as the workers finish them. Paths are
    made absolute: a worker reads them from the same shared folder."""
    import dataclasses
    from pathlib import Path

    from app.distributed.config import require_broker
    from app.distributed.dispatch import collect_imports, queue_imports

    def absolute(item):
        if item.kind == "url":
            return item
        return dataclasses.replace(
            item,
            location=str(Path(item.location).resolve()),
            transcript=item.transcript.resolve() if item.transcript else None,
            chats=tuple(p.resolve() for p in item.chats),
        )

    items = [absolute(item) for item in items]
    options = {
        "retranscribe": args.retranscribe,
        "model": args.model,
        "analyse": not args.no_analysis,
    }
    results = queue_imports(require_broker(args.broker), items, options)
    return collect_imports(items, results, progress)
