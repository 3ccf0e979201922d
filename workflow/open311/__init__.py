"""Open311 GeoReport v2 use cases: API keys, services, posting and reading requests."""
