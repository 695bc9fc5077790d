"""Typed errors of the index engine.

Each error carries the pieces a user needs to fix the problem (file, row/column or YAML path, reason) and
renders them as one line, so a CLI can print ``str(error)`` and a web form can mark the field.
"""

from __future__ import annotations


class IndexInputError(ValueError):
    """A defect in an iData or iMeta table.

    Rendered as ``"<file> row <r> column <c>: <reason>"``; ``row`` and ``column`` are omitted when the
    defect concerns a whole column or the whole table. Rows are counted as in a spreadsheet: the header is
    row 1, so the first data row is row 2.
    """

    def __init__(self, source: str, reason: str, *, row: int | None = None, column: str | None = None):
        self.source = source
        self.row = row
        self.column = column
        self.reason = reason
        where = [source]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column}")
        super().__init__(f"{' '.join(where)}: {reason}")


class SpecError(ValueError):
    """A defect in a pipeline spec, rendered as ``"<file> <yaml.path>: <reason>"``."""

    def __init__(self, source: str, path: str, reason: str):
        self.source = source
        self.path = path
        self.reason = reason
        super().__init__(f"{source} {path}: {reason}" if path else f"{source}: {reason}")


class ComputationError(ValueError):
    """A method that cannot be applied to the data it received (e.g. a geometric mean over zeros).

    Rendered as ``"<step> <method>: <reason>"``.
    """

    def __init__(self, step: str, method: str, reason: str):
        self.step = step
        self.method = method
        self.reason = reason
        super().__init__(f"{step} {method}: {reason}")


class MissingDependency(RuntimeError):
    """An optional part of the engine was asked for but its packages are not installed.

    Rendered as ``"<feature> needs <packages>, which are not installed: pip install '<extra>'"``.
    """

    def __init__(self, feature: str, packages: str, extra: str):
        self.feature = feature
        self.packages = packages
        self.extra = extra
        super().__init__(f"{feature} needs {packages}, which are not installed: pip install '{extra}'")
