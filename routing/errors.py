"""Errors raised by the routing package."""


class RoutingError(Exception):
    """Base class for every error raised by ``routing``."""


class InvalidProblemError(RoutingError):
    """The problem is malformed (matrix shape, unknown node, negative demand...)."""


class SolverError(RoutingError):
    """The solver failed to return any solution."""


class SolomonFormatError(RoutingError):
    """A Solomon-format benchmark file could not be parsed."""
