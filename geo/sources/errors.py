"""The errors of the source-file readers: a file that cannot be read at all.

Each carries a catalogue message (key and values) naming the file and why, said in one language by
:meth:`~geo.core.errors.UserError.text` and in both by ``str(e)``.  The import layer turns them into its refusals
(geo.imports.results.UnreadableFile), which the import page shows in both languages.
"""
from __future__ import annotations

from geo.core.errors import UserError


class SourceError(UserError):
    """A source file (ledger, service log, division list, boundary file) that cannot be used at all."""


class LedgerError(SourceError):
    """An assignment ledger (台账) that cannot be read."""


class ServiceLogError(SourceError):
    """A service log (服务台账) that cannot be read."""


class QuestionnaireError(SourceError):
    """A paper questionnaire summary (村民满意度调查) that cannot be read."""


class RegistryFileError(SourceError):
    """A division list (统计用区划代码) that cannot be read."""


class BoundaryError(SourceError, ValueError):
    """A boundary file that cannot be read."""
