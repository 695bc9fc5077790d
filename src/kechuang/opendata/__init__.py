"""Open data: every public table of the portal as CSV, XLSX and JSON, and the whole as a Frictionless
Data Package; plus the readings behind the public pages (key projects, data coverage)."""
