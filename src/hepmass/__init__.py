"""Signal/background classification for the HEPMASS collider dataset.

The package reads the UCI HEPMASS files (and files in the same layout made by
its own Pythia 8 simulator), trains classifiers and writes the analysis of a
run. Subpackages: ``data`` (reading and caching files), ``models``,
``training``, ``evaluation``, ``simulation`` and ``cli``.
"""

from hepmass.errors import (
    ConfigurationError,
    DataFormatError,
    HepmassError,
    HepmassWarning,
)

__version__ = "0.1.0"

__all__ = [
    "ConfigurationError",
    "DataFormatError",
    "HepmassError",
    "HepmassWarning",
    "__version__",
]
