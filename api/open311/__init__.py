"""Open311 GeoReport v2 at ``/open311/v2/`` and the public map ``/map``."""
