"""The one base class of errors a user can act on.

Each such error carries a complete bilingual message naming the file, code or value at fault.  The CLI prints
that message as one line and exits with status 2; anything else is a bug and keeps its traceback.
"""
from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix (missing file, bad date, unknown scope ...); the message says what and how."""
