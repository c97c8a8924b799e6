"""Streamlens entry point, for a checkout: `python main.py` opens the desktop app,
`python main.py COMMAND` runs headless (no Qt). Installed, the same is `streamlens`."""

import sys

from streamlens.launcher import main

if __name__ == "__main__":
    sys.exit(main())
