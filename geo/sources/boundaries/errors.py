"""The one error of the boundary reader: a file that cannot be used at all, worded in both languages."""
from __future__ import annotations

from geo.core.errors import UserError
from geo.text.catalogue import t


class BoundaryError(UserError, ValueError):
    """A boundary file that cannot be read; the message is bilingual and names the file."""


def _err(label: str, zh: str, en: str) -> BoundaryError:
    return BoundaryError(f"“{label}”：{zh} / '{label}': {en}")


def _refusal(label: str, key: str, **fmt) -> BoundaryError:
    """A :class:`BoundaryError` worded by the catalogue (geo.text.catalogue) in both languages."""
    return _err(label, t(key, "zh", **fmt), t(key, "en", **fmt))


def _refused_as(label: str, real: str) -> BoundaryError:
    """The refusal of a file whose content is really ``real`` (a ``bnd.real.*`` key)."""
    return _err(label, t("bnd.refused", "zh", real=t(f"bnd.real.{real}", "zh")),
                t("bnd.refused", "en", real=t(f"bnd.real.{real}", "en")))
