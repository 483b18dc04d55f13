"""`auditor run`: every source on its own schedule, findings in the state store, metrics and
notifications out."""
