"""Errors raised while rendering worksheets."""


class PrintError(Exception):
    """Base class of every error raised by the print package."""


class FontNotFoundError(PrintError):
    """The Japanese TrueType font needed for the worksheets is not installed."""


class NothingToPrintError(PrintError):
    """The worksheet set has no stop: a PDF of zero pages is not a document (callers say so)."""
