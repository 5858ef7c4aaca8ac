"""The rules every other layer stands on: division codes and scopes, dates, the coverage and service rules, caps,
ranking. Imports only geo.text."""
