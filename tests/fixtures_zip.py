"""Zip archives that lie: what a hostile upload does to the declared sizes of its members."""
from __future__ import annotations

import struct
from pathlib import Path


def forge_sizes(path: Path, size: int) -> None:
    """Rewrite every declared uncompressed size (local and central headers) to ``size``."""
    raw = bytearray(path.read_bytes())
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = raw.find(sig)
        while i != -1:
            raw[i + off:i + off + 4] = struct.pack("<I", size)
            i = raw.find(sig, i + 4)
    path.write_bytes(bytes(raw))
