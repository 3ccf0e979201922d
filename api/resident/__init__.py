"""Web pages for residents without LINE (report, status) and public endpoints."""
