"""The PostGIS store and spatial logic."""
