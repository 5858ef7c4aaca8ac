"""Records kept in the app: contracts appointed, renewed, ended and replaced, advisers edited and merged; each
change one batch in one transaction, checked against the jurisdiction and the version the form read, audited with
its before and after, and undoable."""
