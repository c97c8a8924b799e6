"""Open the desktop app, or run a command headless.

Without arguments the desktop app opens — unless no window can open here, in which case one
sentence says why and how to fix it (never Qt's abort and core dump). With a command, the
CLI runs and Qt is never imported.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

EXIT_NO_WINDOW = 3


def _headless_platform() -> bool:
    """Qt was told to draw nowhere (tests, servers): nobody would see a window."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    return platform.split(":")[0] in ("offscreen", "minimal")


def open_desktop_app(argv: Sequence[str]) -> int:
    if _headless_platform():
        print(
            "No screen to open the desktop app on (QT_QPA_PLATFORM is "
            f"{os.environ['QT_QPA_PLATFORM']!r}); the commands are listed by --help.",
            file=sys.stderr,
        )
        return EXIT_NO_WINDOW
    try:
        from ui.display_check import window_problem

        problem = window_problem()
    except ImportError:  # PySide6 itself is missing: said below
        problem = None
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_NO_WINDOW
    try:
        from ui.app import run_gui
    except ImportError as exc:  # Qt or one of its libraries missing
        print(
            f"The desktop app cannot start: {exc}. Reinstall the program (`make run` does); "
            "the commands still work (--help lists them).",
            file=sys.stderr,
        )
        return EXIT_NO_WINDOW
    return run_gui(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    from app.cli import build_parser
    from app.cli import main as cli_main

    if not args:
        code = open_desktop_app([sys.argv[0]])
        if code == EXIT_NO_WINDOW:  # said why on stderr; what can be done here, on stdout
            build_parser().print_help()
        return code
    return cli_main(args)
