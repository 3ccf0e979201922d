"""Disaster HQ (災害対策本部): disaster mode, the live list, segment pushes."""
