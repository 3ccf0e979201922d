"""Staff pages and JSON API: map, list, report, trends, disaster HQ, plans, phone entry."""
