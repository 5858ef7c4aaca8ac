"""Who is asking, and what they may do: an account's role and jurisdiction.

A jurisdiction is a :class:`~geo.core.codes.Scope` (a division-code prefix; "" is the whole country).  The library
takes a :class:`Principal` wherever a read, an import, a rollback or an export could reach beyond it, and limits
or refuses there, so a widget or a URL can never widen what a user sees or changes.  A store without accounts
runs in open mode (:data:`OPEN`): everything, for anyone who reaches the address, as in the demo.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from geo.core.codes import Scope
from geo.core.errors import UserError


class Role(str, Enum):
    VIEWER = "viewer"   # 查看: maps, gap lists, summaries, reports and exports
    EDITOR = "editor"   # 录入: + imports and rollbacks
    ADMIN = "admin"     # 管理: + accounts, division lists (province or country), the audit trail

    @property
    def label_key(self) -> str:
        return f"role.{self.value}"


#: what each action needs; variants live here, not in if-chains at the call sites
ACTION_ROLES: dict[str, frozenset[Role]] = {
    "view": frozenset(Role),
    "export": frozenset(Role),
    "import": frozenset({Role.EDITOR, Role.ADMIN}),
    "rollback": frozenset({Role.EDITOR, Role.ADMIN}),
    "record": frozenset({Role.EDITOR, Role.ADMIN}),     # contracts and advisers changed in the app
    "manage_accounts": frozenset({Role.ADMIN}),
    "read_audit": frozenset({Role.ADMIN}),
    "import_registry": frozenset({Role.ADMIN}),
    # the public village page (geo.public): boards print a village's page token, creating it when missing
    "signboards": frozenset({Role.EDITOR, Role.ADMIN}),
    "rotate_tokens": frozenset({Role.ADMIN}),
    "public_settings": frozenset({Role.ADMIN}),
}

#: the widest jurisdiction level (0 country, 1 province) at which an action is allowed at all
ACTION_MAX_LEVEL: dict[str, int] = {"import_registry": 1}


class AccessDenied(UserError):
    """The user's role or jurisdiction does not allow this; the message says which."""


@dataclass(frozen=True)
class Principal:
    """The person behind a request: an account, or open mode (no accounts in the store)."""

    username: str | None
    display_name: str
    role: Role
    jurisdiction: Scope
    open_mode: bool = False

    @property
    def logged_in(self) -> bool:
        return self.username is not None

    @property
    def sees_contacts(self) -> bool:
        """Phone and licence numbers: for logged-in users, or anyone in open mode."""
        return self.logged_in or self.open_mode

    @property
    def actor(self) -> str:
        """What the audit trail records as the user."""
        return self.username or "(open)"

    def may(self, action: str) -> bool:
        if self.role not in ACTION_ROLES[action]:
            return False
        return self.jurisdiction.level <= ACTION_MAX_LEVEL.get(action, 5)

    def covers(self, code: str) -> bool:
        """Whether a 12-digit division code lies inside the jurisdiction."""
        return self.jurisdiction.contains(code)

    def within(self, scope: Scope) -> bool:
        return scope.digits.startswith(self.jurisdiction.digits)

    def clamp(self, scope: Scope) -> tuple[Scope, bool]:
        """`scope` when inside the jurisdiction, else the jurisdiction itself; and whether it was narrowed."""
        return (scope, False) if self.within(scope) else (self.jurisdiction, True)

    def require(self, action: str, scope: Scope | None = None) -> None:
        """Raise :class:`AccessDenied` unless the role allows `action` on `scope` (default: the jurisdiction)."""
        if not self.may(action):
            raise AccessDenied(key="acc.e.role", params={"action": action, "role": self.role.value})
        if scope is not None and not self.within(scope):
            raise AccessDenied(key="acc.e.scope", params={"scope": scope.code})


def scoped(principal: Principal, scope: Scope) -> Scope:
    """The one entry every query, export, map file and report goes through: `scope` limited to the principal's
    jurisdiction (the jurisdiction itself when `scope` lies outside it or above it)."""
    return principal.clamp(scope)[0]


def overlaps(principal: Principal, scope: Scope) -> bool:
    """Whether `scope` and the jurisdiction share a place: one lies inside the other."""
    return principal.within(scope) or principal.jurisdiction.digits.startswith(scope.digits)


#: a store without accounts: everything, for everyone (the demo, a first start)
OPEN = Principal(username=None, display_name="", role=Role.ADMIN, jurisdiction=Scope(""), open_mode=True)
