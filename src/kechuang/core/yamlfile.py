"""The one YAML reader: a file's text parsed with ``yaml.safe_load``, every failure as one typed error.

Plan files, index framework bundles, pipeline specs and uncertainty specs are all read here, so a file that
cannot be read, is not UTF-8 or is not valid YAML is reported the same way everywhere: the file, where in it
(``line 4, column 7`` for a syntax error) and why. Each caller wraps :class:`YamlFileError` into its own error
type (``PlanFileError``, ``SpecError``, ``FrameworkError``) so its messages keep their form.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["YamlFileError", "read_yaml", "parse_yaml"]


class YamlFileError(ValueError):
    """A YAML file that cannot be read or parsed: ``where`` is ``""`` or ``"line L, column C"``."""

    def __init__(self, file: str, where: str, reason: str):
        self.file = file
        self.where = where
        self.reason = reason
        super().__init__(f"{file}: {where}: {reason}" if where else f"{file}: {reason}")

    @property
    def located_reason(self) -> str:
        """The reason with the place in the file, for errors that have their own location field."""
        return f"{self.reason} ({self.where})" if self.where else self.reason


def parse_yaml(text: str, file: str) -> Any:
    """Parse YAML text (``file`` names it in the error)."""
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise YamlFileError(file, where, f"YAML syntax error: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise YamlFileError(file, "", f"YAML syntax error: {exc}") from None


def read_yaml(path: str | Path, file: str | None = None) -> Any:
    """Read and parse a UTF-8 YAML file; ``file`` (default: the path as given) names it in errors."""
    path = Path(path)
    name = str(path) if file is None else file
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise YamlFileError(name, "", "file not found") from None
    except UnicodeDecodeError as exc:
        raise YamlFileError(name, "", f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise YamlFileError(name, "", f"cannot be read: {exc.strerror or exc}") from None
    return parse_yaml(text, name)
