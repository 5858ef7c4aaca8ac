"""The one error of the boundary reader: a file that cannot be used at all, "“file”：why" from the catalogue."""
from __future__ import annotations

from geo.sources.errors import BoundaryError
from geo.text.catalogue import Msg

__all__ = ["BoundaryError", "_err", "_refused_as"]


def _err(label: str, key: str, **params: object) -> BoundaryError:
    """A :class:`BoundaryError` naming the file (`label`), saying why by the catalogue's `key`."""
    return BoundaryError(key="bnd.at", params={"label": label, "what": Msg(key, params)})


def _refused_as(label: str, real: str) -> BoundaryError:
    """The refusal of a file whose content is really ``real`` (a ``bnd.real.*`` key)."""
    return _err(label, "bnd.refused", real=Msg(f"bnd.real.{real}"))
