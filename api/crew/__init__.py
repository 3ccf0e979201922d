"""The crews' QR stop pages."""
