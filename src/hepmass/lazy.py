"""Package attributes imported on first use.

A package ``__init__`` that imports its submodules eagerly makes every
``import hepmass.x.y`` pay for all of them. For example, ``hepmass.training``
would load PyTorch even for ``hepmass.training.config``. The packages that
re-export heavy names use :func:`export_lazily`, so that the command line,
which needs only option defaults at start-up, stays fast.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def export_lazily(package: str, sources: dict[str, str]) -> Callable[[str], Any]:
    """Return a module ``__getattr__`` that imports each name from its module.

    ``sources`` maps each exported name to the module that defines it. The
    first access imports that module and stores the value on ``package``, so
    later accesses do not call ``__getattr__`` again. Other names raise
    AttributeError, which lets ``from package import submodule`` still work.
    """

    def __getattr__(name: str) -> Any:
        module = sources.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
