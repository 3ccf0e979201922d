"""Map use cases: the base map and the staff reports layer as vector tiles."""
