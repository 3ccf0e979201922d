"""The platform operator's pages and JSON: every town's health, signed in apart from staff."""
