"""folium map builders and the one status colour scheme."""
