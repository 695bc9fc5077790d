"""Storage: engine and sessions (SQLite embedded default, PostgreSQL in production) and migrations."""
