"""Who may do what: access scopes, accounts, the audit trail, the web login."""
