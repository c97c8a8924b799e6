"""Logging: warnings to the terminal, everything (with tracebacks) to a file in the data dir.

Both hide the password of any URL in what they write (`storage.urls.hide_passwords`): a
PostgreSQL library's URL, or any other, may turn up in a message or a traceback.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from storage.urls import hide_passwords

LOG_NAME = "streamlens.log"


class PasswordHidingFormatter(logging.Formatter):
    """A formatter whose every line (message and traceback) has URL passwords hidden."""

    def format(self, record: logging.LogRecord) -> str:
        return hide_passwords(super().format(record))


def configure_logging(data_dir: Path, verbose: bool = False) -> Path | None:
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(PasswordHidingFormatter("streamlens: %(message)s"))
    root.addHandler(console)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        path = data_dir / LOG_NAME
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=5_000_000, backupCount=3)
    except OSError:
        return None
    handler.setLevel(logging.DEBUG if verbose else logging.INFO)
    handler.setFormatter(
        PasswordHidingFormatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    for noisy in ("faster_whisper", "urllib3", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path
