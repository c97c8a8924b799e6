"""What every command module shares: exit codes, argument types, progress printing."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm

from app.errors import UsageError
from app.timefmt import parse_duration

EXIT_OK = 0
LAG_SHOWN_S = 5.0  # a recording this far behind says so (its lines, `recordings`)
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def duration_arg(text: str) -> float:
    try:
        return parse_duration(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


@contextmanager
def audio_progress(label: str) -> Iterator[Callable[[float, float | None], None]]:
    """A tqdm bar of audio transcribed (seconds of audio, its rate the speed against real
    time, and an ETA when the length is known), on a terminal only; as `import` shows items.
    Yields the `progress(done_s, total_s)` callback transcription calls."""
    bar = tqdm(
        total=None,
        desc=label[-40:],
        unit=" s audio",
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        leave=False,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f}{unit} "
        "[{elapsed}<{remaining}, {rate_fmt}]",
    )

    def progress(done: float, total: float | None) -> None:
        if total and bar.total != round(total, 1):
            bar.total = round(total, 1)
        bar.update(max(0.0, done - bar.n))

    try:
        yield progress
    finally:
        bar.close()


def err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
