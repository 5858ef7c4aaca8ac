"""The one base class of errors a user can act on.

Each such error carries a complete bilingual message naming the file, code or value at fault (``str(e)``, for
logs).  One raised with a catalogue key and its values can also be shown in one language (:meth:`UserError.text`).
The CLI (``geo.cli.main``) and the app (``app.show_user_error``) catch it in one place each; anything else is a
bug and keeps its traceback.
"""
from __future__ import annotations

from collections.abc import Mapping

from geo.text.catalogue import Msg


class UserError(Exception):
    """A problem the user can fix (missing file, bad date, unknown scope ...); the message says what and how.

    Raise it with a catalogue key, ``UserError(key="imp.e.empty", params={"file": name})``: the message then comes
    from the catalogue, in both languages for ``str(e)`` and in one for ``e.text(lang)``.  A plain message string
    (one already bilingual, from a reader of an older kind) is still accepted and shown as it is.
    """

    def __init__(self, message: str | None = None, *, key: str | None = None,
                 params: Mapping[str, object] | None = None):
        self.msg = Msg(key, dict(params or {})) if key else None
        super().__init__(message if message is not None else self.msg.bilingual())

    @property
    def key(self) -> str | None:
        return self.msg.key if self.msg else None

    @property
    def params(self) -> dict[str, object]:
        return dict(self.msg.params) if self.msg else {}

    def text(self, lang: str) -> str:
        """The message in `lang` when it came from the catalogue; the bilingual message otherwise."""
        return self.msg.text(lang) if self.msg else str(self)
