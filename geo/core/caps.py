"""The load cap: how many villages one adviser may serve (the register's flag and the gap plan's limit)."""
from __future__ import annotations

#: villages per adviser allowed by the provincial guides (Anhui's 5); a setting: --cap, the app's sidebar
DEFAULT_CAP = 5
