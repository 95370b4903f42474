"""Joins the tenth blind grid set's written parts and splits them, with its own fixed seed, into a development half
and a held-out half, as tests/data/grid_blind/split.py splits the first.

    python tests/data/grid_blind10/split.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = ("fr-a", "fr-b", "fr-c", "en-a", "en-b")
SEED = 20261223

sys.path.insert(0, str(HERE.parent / "grid_blind"))
from split import split  # noqa: E402

if __name__ == "__main__":
    split(HERE, PARTS, SEED)
