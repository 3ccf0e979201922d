"""Crew worksheet PDFs: vector street map, stop table and QR codes (reportlab)."""
