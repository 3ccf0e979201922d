"""Errors raised while rendering worksheets."""


class PrintError(Exception):
    """Base class of every error raised by the print package."""


class FontNotFoundError(PrintError):
    """The Japanese TrueType font needed for the worksheets is not installed."""
