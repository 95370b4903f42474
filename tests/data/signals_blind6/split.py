"""Splits the sixth blind signals set (signals_blind6: conversations only), with its own fixed seed, into a development
half and a held-out half, as tests/data/signals_blind/split.py splits the first.

    python tests/data/signals_blind6/split.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20261222

sys.path.insert(0, str(HERE.parent / "signals_blind"))
from split import split  # noqa: E402

if __name__ == "__main__":
    split(HERE, SEED)
