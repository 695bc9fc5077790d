"""Data submission by departments: reporting periods, values (web form and Excel), validation, approval."""
