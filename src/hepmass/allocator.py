"""Keeping freed memory in the process instead of handing it back at once.

glibc's malloc returns a freed block to the kernel when it was mapped on its
own, which by default is the case for blocks from 128 KiB upwards until the
threshold adapts. It also returns memory when more than a few MiB lie free at
the top of the heap. The next allocation of the same size then takes a page
fault for every 4 KiB page, and the kernel zeroes each page first. A training
step of the baseline network frees and allocates several MiB of activations
and gradients, and a parsed piece of text is 8 MiB. On a 2-core CPU these
faults cost about a fifth of a training step at 4096 rows, with 500 to 960
faults a step (0.94 against 1.21 million rows/s at best). They also cost
about a fifth of a first read with the earlier polars parser (1.62 against
1.32 s).

:func:`retain_freed_memory` raises both limits once per process, through
glibc's ``mallopt``. Blocks of 32 MiB or more are still mapped on their own
and returned when freed. Up to 256 MiB of smaller freed blocks stay in the
process for reuse. On a C library other than glibc nothing changes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import platform

log = logging.getLogger(__name__)

MMAP_THRESHOLD = 32 << 20
"""Blocks at least this large are mapped on their own and returned when freed."""

TRIM_THRESHOLD = 256 << 20
"""Free memory at the top of the heap kept for reuse before it is returned."""

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

_done = False


def retain_freed_memory() -> bool:
    """Set glibc's malloc thresholds once; return whether they are in effect."""
    global _done
    if _done:
        return True
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        applied = libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
        applied &= libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    except (OSError, AttributeError) as error:
        log.debug("malloc thresholds left as they are (%s)", error)
        return False
    _done = applied
    log.debug("malloc keeps freed blocks below %d MiB", MMAP_THRESHOLD >> 20)
    return applied
