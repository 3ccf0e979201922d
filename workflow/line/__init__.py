"""The LINE channel: webhook inbox, residents and their dialogue state, outbox and sender."""
