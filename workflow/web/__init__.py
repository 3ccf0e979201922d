"""The web fallback for residents without LINE: report form, place checks, status look-up."""
