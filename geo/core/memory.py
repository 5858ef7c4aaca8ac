"""How a process of the tool (the app server, the command line, the benchmark) hands freed memory back.

A national page or assessment builds columns of tens of megabytes and lets them go.  glibc's malloc serves a
block that large from its own mmap and unmaps it when freed, but only up to a threshold that it raises to the
size of each such block freed (up to 32 MiB): after the first national frame is freed, the next ones come from
the heap and stay in the process when freed.  Measured on the national store, a quarter's assessment left
1,171 MB resident with the moving threshold and 829 MB with a fixed one of 8 MiB, its peak 1,224-1,265 MB ->
1,106-1,139 MB, its time 4.7-4.8 s -> 4.8-5.6 s.  A lower threshold maps and unmaps the many smaller arrays a
query makes and frees at once: at 128 KiB the same assessment took 6.1 s.
"""
from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

#: mallopt's parameter number for the mmap threshold (malloc.h); setting it also stops glibc from moving it
M_MMAP_THRESHOLD = -3
#: blocks of at least this many bytes are mapped on their own and given back to the system when freed
MMAP_THRESHOLD = 8 * 1024 * 1024


@cache
def return_large_blocks() -> bool:
    """Fix glibc's mmap threshold at :data:`MMAP_THRESHOLD` for this process, once; False where the C library is
    not glibc (nothing to do there) or refuses."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
