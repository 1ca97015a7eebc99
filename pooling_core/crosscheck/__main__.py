"""``python -m pooling_core.crosscheck [--device auto|cpu|cuda] [--cases N] [--seed S]``."""

import sys

from .suite import main

if __name__ == "__main__":
    sys.exit(main())
