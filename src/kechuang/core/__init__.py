"""What every layer shares: access (roles, principal, the shared errors), the clock in the plan's time zone, the one
settings object, typed numbers and the one spreadsheet writer. It imports nothing else of the package."""
