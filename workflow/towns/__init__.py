"""The towns one deployment serves: the registry, and which town a request is for."""
