"""Reports from every channel: creation, receipts, status changes, follow-ups, photos."""
