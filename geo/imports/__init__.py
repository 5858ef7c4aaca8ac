"""Imports into the store: division lists, village boundaries, assignment ledgers and service logs.

Every import is one transaction and one recorded batch (kind, file name, content hash, time, rows read /
accepted / rejected).  A failed import leaves the store exactly as it was; importing the same file twice
changes nothing; any batch can be rolled back.  The readers (geo.sources.ledger, geo.sources.boundaries, the registry
reader in
:mod:`.registry`) only parse and match; this package decides what is written.

- :mod:`.kind`: what a kind is (:class:`ImportKind`: file types, reading, preview, jurisdiction limit, writer,
  undo, audit detail, what the page shows) and the page's data (:class:`PreviewView`);
- :mod:`.registry`, :mod:`.assignments`, :mod:`.boundaries`, :mod:`.services`, :mod:`.feedback`: one class per
  kind, with its typed result details;
- :mod:`.kinds`: the one table of import kinds, with the loops over it: :func:`run_import`, :func:`preview`,
  :func:`rollback`;
- :mod:`.results`: :class:`ImportResult`, report :class:`Note` s, :class:`ImportRefused`;
- :mod:`.report`: the report in one language (page, download, CLI ``--report``).
"""
from __future__ import annotations

from geo.imports.assignments import AssignmentsDone, import_assignments, preview_assignments
from geo.imports.boundaries import BoundariesDone, import_boundaries, preview_boundaries
from geo.imports.feedback import FeedbackDone, FeedbackPreview, import_feedback, preview_feedback
from geo.imports.kind import ImportKind, Option, PreviewView
from geo.imports.kinds import (
    BY_KEY,
    KINDS,
    all_options,
    checked_file,
    preview,
    rollback,
    run_import,
)
from geo.imports.registry import (
    ABOLISH_CONFIRM_SHARE,
    ABOLISH_COUNTIES_SHOWN,
    ABOLISH_NAMES_SHOWN,
    MAX_REGISTRY_ROWS,
    AbolishNotConfirmed,
    CountyAbolition,
    RegistryDone,
    RegistryPlan,
    RegistryPreview,
    abolition_notes,
    abolition_places,
    import_registry,
    plan_registry,
    preview_registry,
    read_registry_file,
    registry_plan,
    store_registry,
)
from geo.imports.report import report_table, write_report
from geo.imports.results import Details, ImportRefused, ImportResult, Note, Progress, file_sha256
from geo.imports.services import ServicePreview, ServicesDone, import_services, preview_services

__all__ = [
    "ABOLISH_CONFIRM_SHARE", "ABOLISH_COUNTIES_SHOWN", "ABOLISH_NAMES_SHOWN", "BY_KEY", "KINDS", "MAX_REGISTRY_ROWS",
    "AbolishNotConfirmed", "AssignmentsDone", "BoundariesDone", "CountyAbolition", "Details",
    "ImportKind", "ImportRefused", "ImportResult", "Note", "Option", "PreviewView", "Progress", "RegistryDone",
    "RegistryPlan", "RegistryPreview", "ServicePreview", "ServicesDone", "abolition_notes",
    "abolition_places", "all_options", "checked_file", "file_sha256", "import_assignments", "import_boundaries",
    "import_registry", "import_services", "plan_registry", "preview", "preview_assignments", "preview_boundaries",
    "preview_registry", "preview_services", "read_registry_file", "registry_plan", "report_table", "rollback",
    "run_import", "store_registry", "write_report",
    "FeedbackDone", "FeedbackPreview", "import_feedback", "preview_feedback",
]
