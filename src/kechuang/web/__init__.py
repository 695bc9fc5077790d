"""The web layer: FastAPI application, server-rendered pages (Jinja2) and the JSON API. No business rules."""
