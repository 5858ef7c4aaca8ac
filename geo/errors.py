"""The one base class of errors a user can act on: the CLI prints them as one line (exit status 2) and the
app shows them as a notice; anything else is a bug and keeps its traceback."""
from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix (a bad file, an unknown scope, a missing database ...); the message says what
    and where, in Chinese and English."""
