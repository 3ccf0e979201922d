"""The bulky-waste booking dialogue of the LINE channel (pure) and its worker side."""
