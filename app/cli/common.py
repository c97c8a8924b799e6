"""What every command module shares: exit codes, argument types, progress printing."""

from __future__ import annotations

import argparse
import sys

from app.errors import UsageError
from app.timefmt import hms, parse_duration

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def duration_arg(text: str) -> float:
    try:
        return parse_duration(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def progress_printer(label: str):
    def progress(done: float, total: float | None) -> None:
        if sys.stderr.isatty():
            print(f"\r{label}: {hms(done)} transcribed", end="", file=sys.stderr, flush=True)

    return progress


def err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
