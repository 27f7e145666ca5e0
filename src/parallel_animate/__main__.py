"""``python -m parallel_animate``: the ``parallel-animate`` command (see cli.py)."""

import sys

from parallel_animate.cli import main

if __name__ == "__main__":  # a "spawn" worker imports this module too
    sys.exit(main())
