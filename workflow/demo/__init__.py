"""The demo town 立川市 and plausible demo reports."""
