"""Machi (まち): composition root — settings and the command line."""
