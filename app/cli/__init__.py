"""`python main.py <command>`: everything the app does, headless, no Qt.

Each command group lives in its own module with a `register(subparsers, common)` that adds
its parsers and sets `handler` on them.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from app.cli import (
    analyse,
    chat,
    desktop,
    imports,
    keywords,
    library,
    recording,
    schedule,
    speakers,
    text,
    worker,
)
from app.cli.common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from app.config import load_settings
from app.errors import USER_ERRORS
from app.logsetup import configure_logging
from app.services import apply_settings
from storage.urls import hide_passwords

log = logging.getLogger(__name__)

EXIT_CODES_HELP = """exit status:
  0    done
  1    failed; for import and transcribe: at least one item failed (the rest was done)
  2    bad usage, or a bad setting (STREAMLENS_* variable, settings.json)
  3    no window can open here (no command given; the message says why)
  130  interrupted (Ctrl-C); what was committed is kept
"""

COMMAND_GROUPS = (
    recording,
    library,
    speakers,
    chat,
    keywords,
    analyse,
    imports,
    schedule,
    text,
    desktop,
    worker,
)


def program_name() -> str:
    """How the user started us: `streamlens` once installed, `python main.py` in a checkout."""
    invoked = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if invoked in ("", "main.py", "__main__.py", "-c"):
        return "python main.py" if invoked == "main.py" else "streamlens"
    return invoked


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
        prog=program_name(),
        description="Streamlens: record, transcribe and search livestreams. "
        "Without a command, opens the desktop app.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        (getattr(args, "group_parser", None) or parser).print_help()
        return EXIT_OK
    try:
        settings = load_settings(db=args.db, data_dir=args.data_dir)
    except USER_ERRORS as exc:  # a bad STREAMLENS_* value or preferences file: one line
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings.data_dir, args.verbose)
    apply_settings(settings)
    try:
        code = handler(args, settings)
        sys.stdout.flush()  # inside the try: a reader that left early is handled below
        return code
    except USER_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`... | head`): not an error. Point stdout at nothing so
        # Python's own flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        log.debug("Unexpected failure", exc_info=True)
        logging.getLogger("streamlens.crash").error("Unexpected failure", exc_info=True)
        print(
            f"error: unexpected failure ({exc.__class__.__name__}: {hide_passwords(str(exc))}); "
            f"details are in {settings.data_dir / 'streamlens.log'}",
            file=sys.stderr,
        )
        return EXIT_FAILED
