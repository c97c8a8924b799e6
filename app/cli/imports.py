"""`import`: load archived streams in one go, with a progress bar and an end report."""

from __future__ import annotations

import os
import sys

from app.cli.common import EXIT_FAILED, EXIT_OK
from app.config import Settings
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
    p.set_defaults(handler=cmd_import)


def cmd_import(args, settings: Settings) -> int:
    from tqdm import tqdm

    from app.importer import FAILED, IMPORTED, SKIPPED, BatchImport, ImportReport, discover

    library = open_library(settings)
    items, problems = discover(args.inputs)
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
