"""Organisations (departments, streets, parks), accounts with roles, sessions and login throttling."""
