"""Streamlens entry point.

`python main.py` opens the desktop app; `python main.py COMMAND` runs headless (no Qt).
"""

from __future__ import annotations

import os
import sys


def _has_screen() -> bool:
    """Whether the desktop app can be shown (an offscreen Qt platform shows nobody)."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform not in ("offscreen", "minimal")
    if sys.platform != "linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main() -> int:
    if len(sys.argv) == 1 and not _has_screen():
        print(
            "No screen to open the desktop app on; here is the command-line help.\n",
            file=sys.stderr,
        )
    elif len(sys.argv) == 1:
        try:
            from ui.app import run_gui
        except ImportError as exc:  # Qt or its system libraries missing: the CLI still works
            print(
                f"The desktop app cannot start ({exc}); showing the command-line help.",
                file=sys.stderr,
            )
        else:
            return run_gui(sys.argv)
    from app.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
