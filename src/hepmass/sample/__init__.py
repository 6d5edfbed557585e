"""The default sample shipped with the package.

It was made by ``hepmass simulate`` (Pythia 8 at 14 TeV); ``sample.json``
beside the data files records the command line, the seed and how long it took.
"""

from __future__ import annotations

import json
from pathlib import Path

from hepmass.errors import HepmassError

SAMPLE_DIR = Path(__file__).parent
TRAIN_FILE = SAMPLE_DIR / "train.csv.gz"
TEST_FILE = SAMPLE_DIR / "test.csv.gz"
RECORD_FILE = SAMPLE_DIR / "sample.json"


def default_paths() -> tuple[Path, Path]:
    """Return the paths of the bundled training and test files."""
    for path in (TRAIN_FILE, TEST_FILE):
        if not path.is_file():
            raise HepmassError(
                f"the bundled sample file {path} is missing; reinstall hepmass "
                "or pass --train FILE to use your own data"
            )
    return TRAIN_FILE, TEST_FILE


def record() -> dict:
    """Return how the bundled sample was made (command, seed, timing)."""
    return json.loads(RECORD_FILE.read_text())
