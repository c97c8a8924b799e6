"""Streamlens entry point.

`python main.py` opens the app; `python main.py COMMAND` runs headless.
"""

from __future__ import annotations

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
