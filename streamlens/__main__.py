"""`python -m streamlens`: the same as the `streamlens` command."""

import sys

from streamlens.launcher import main

sys.exit(main())
