"""One-time login tickets: what the app's login route exchanges for the session cookie (see geo.auth.web_login).

They live in the store, not in one app process, so any of several app servers behind a proxy can redeem them.
"""
from __future__ import annotations

import datetime as dt

from geo.store.base import StoreBase


class LoginTicketQueries(StoreBase):
    """Tickets issued and redeemed (each in a transaction of its own)."""

    def add_login_ticket(self, ticket_sha256: str, token: str, expires: dt.datetime, now: dt.datetime) -> None:
        with self.transaction() as cur:
            self._changed(cur)
            self._run(cur, "DELETE FROM login_tickets WHERE expires_at < $now", {"now": now})
            self._run(cur, "INSERT INTO login_tickets (ticket_sha256, token, expires_at) VALUES ($t, $token, $exp)",
                      {"t": ticket_sha256, "token": token, "exp": expires})

    def take_login_ticket(self, ticket_sha256: str, now: dt.datetime) -> str | None:
        """The token of an unexpired ticket, which is removed by the same statement: of two servers redeeming
        one ticket at once only one gets a row back (a ticket works once).

        An unknown or expired ticket is answered by a read alone: a made-up one must not open a write
        transaction (on DuckDB that reopens the file and holds off every reader).  Expired rows are cleared
        when the next ticket is issued."""
        found = self._q_rows("SELECT expires_at FROM login_tickets WHERE ticket_sha256 = $t", {"t": ticket_sha256})
        if not found or found[0][0] < now:
            return None
        with self.transaction() as cur:
            self._changed(cur)
            rows = self._rows(cur, "DELETE FROM login_tickets WHERE ticket_sha256 = $t RETURNING token, expires_at",
                              {"t": ticket_sha256})
        return rows[0][0] if rows and rows[0][1] >= now else None
