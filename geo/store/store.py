"""The store's one interface, :class:`Store`: every read and write of the product, each a named method of a topic.

The methods live by topic, each module a class over :class:`geo.store.base.StoreBase`; :class:`Store` only
composes them, and a backend (:mod:`geo.store.backends`) adds the primitives.
"""
from __future__ import annotations

from geo.store.accounts import AccountQueries
from geo.store.advisers import AdviserQueries
from geo.store.assess import AssessQueries
from geo.store.audit import AuditQueries
from geo.store.base import StoreBase
from geo.store.batches import BatchQueries
from geo.store.briefing import BriefingQueries
from geo.store.contracts import ContractQueries
from geo.store.coverage import CoverageQueries
from geo.store.derived import DerivedTables
from geo.store.feedback import FeedbackQueries
from geo.store.geometry import GeometryQueries
from geo.store.login_tickets import LoginTicketQueries
from geo.store.maintenance import MaintenanceQueries
from geo.store.planning import PlanningQueries
from geo.store.public import PublicQueries
from geo.store.records import RecordQueries
from geo.store.registry import RegistryQueries
from geo.store.services import ServiceQueries
from geo.store.trend import TrendQueries


# a topic that builds on another comes before it (Python's method order needs the subclass first)
class Store(FeedbackQueries, RecordQueries, PlanningQueries, TrendQueries, AdviserQueries, MaintenanceQueries,
            AccountQueries, BriefingQueries, ContractQueries, GeometryQueries, LoginTicketQueries, CoverageQueries,
            ServiceQueries, DerivedTables, RegistryQueries, AuditQueries, BatchQueries, AssessQueries,
            PublicQueries, StoreBase):
    """The registry, advisers, assignments, services, feedback, geometries, accounts and audit trail of one
    deployment, behind named methods."""

    def __enter__(self) -> Store:
        return self
