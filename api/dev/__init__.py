"""Dev-only helpers: the LINE simulator and a fake LINE Messaging API."""
