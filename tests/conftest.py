"""Fixtures shared by the test modules."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory):
    """Keep the float32 caches of test files out of the user's cache folder."""
    previous = os.environ.get("HEPMASS_CACHE_DIR")
    os.environ["HEPMASS_CACHE_DIR"] = str(tmp_path_factory.mktemp("hepmass-cache"))
    yield
    if previous is None:
        os.environ.pop("HEPMASS_CACHE_DIR", None)
    else:
        os.environ["HEPMASS_CACHE_DIR"] = previous
