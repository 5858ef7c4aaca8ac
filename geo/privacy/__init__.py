"""What must not leak: ID-card columns, phone numbers, and archives that could exhaust the server (safe zip)."""
