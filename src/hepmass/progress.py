"""Whether hepmass draws progress bars.

``hepmass --quiet`` turns them off for the whole process. Otherwise each bar
follows tqdm's own settings, so ``TQDM_DISABLE=1`` still hides them.
"""

from __future__ import annotations

from typing import Any

_quiet = False


def set_quiet(quiet: bool) -> None:
    """Hide (``True``) or show the progress bars made from now on."""
    global _quiet
    _quiet = quiet


def bar_options() -> dict[str, Any]:
    """Return the keyword arguments every hepmass progress bar is made with."""
    return {"disable": True} if _quiet else {}
