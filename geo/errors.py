"""Errors raised by the geo package."""


class GeoError(Exception):
    """Base class of every error raised in ``geo``."""


class RoadImportError(GeoError):
    """An OSM extract could not be turned into a road graph."""


class DatabaseUnavailableError(GeoError):
    """The database does not answer."""
