"""HTTP adapters: FastAPI app, routes, templates."""
