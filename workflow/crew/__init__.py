"""Crews at a stop: signed QR links, the stop page's values, outcomes and photos."""
