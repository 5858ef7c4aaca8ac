"""An import limited to the importing user's jurisdiction.

Each kind's preview is cut to the jurisdiction before anything is written (and before the page shows it), by
the kind's own ``limit``: rows whose village lies outside become rejects with the reason
``outside_jurisdiction`` and their row number, reported like every other reject; a file for a county outside
the jurisdiction is refused as a whole.  Applying a limit twice changes nothing, so a preview the page limited
can be limited again by the writer.
"""
from __future__ import annotations

from geo.auth.access import AccessDenied
from geo.imports.results import ImportRefused


class OutsideJurisdiction(ImportRefused, AccessDenied):
    """A file that lies wholly outside the importer's jurisdiction: refused like any import (nothing written)
    and, like every denied access, recorded in the audit trail."""

