"""Staff desk use cases: reports, the triage map view, trends, staff sign-in."""
