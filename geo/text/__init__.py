"""User-facing text: the catalogue (one key per sentence, per-language files) and number/date formats. Imports
nothing of geo."""
