"""Reading the bureaus' files: tables, names, periods, village matching, ledgers, service logs, boundary archives."""
