"""The one settings object: every ``KECHUANG_*`` setting is a field of ``kechuang.core.settings.Settings``, is
documented in the README's settings tables with its default, and nothing else reads the environment for one."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from kechuang.core.settings import Settings
from tests.conftest import REPO

SRC = REPO / "src" / "kechuang"
NAME = re.compile(r"`(KECHUANG_[A-Z0-9_]+)`")


def _rows(readme: str) -> dict[str, str]:
    """Variable → the default cell of its row, from every README table ``| `KECHUANG_…`[, …] | default | … |``
    (a row naming several variables gives each its part of a comma-separated default)."""
    out: dict[str, str] = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`KECHUANG_"):
            continue
        names = NAME.findall(cells[0])
        defaults = [d.strip() for d in cells[1].split(",")] if len(names) > 1 else [cells[1]]
        for name, default in zip(names, defaults if len(defaults) == len(names) else [cells[1]] * len(names),
                                 strict=True):
            out[name] = default
    return out


def _shown(value: object) -> set[str]:
    """How a default may be written in the README."""
    if isinstance(value, bool):
        return {f"`{str(value).lower()}`"}
    if isinstance(value, int | float):
        return {f"{value:g}", str(value)}
    return {f"`{value}`"}


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_documented_with_its_default(field: str) -> None:
    rows = _rows((REPO / "README.md").read_text(encoding="utf-8"))
    variable = f"KECHUANG_{field.upper()}"
    assert variable in rows, f"{variable} has no row in a README settings table"
    default = Settings.model_fields[field].default
    if default in ("", None):  # unset: the row says in parentheses what is used instead, or the resolved default
        assert rows[variable].startswith("(") or rows[variable].startswith("`var/"), rows[variable]
    else:
        assert rows[variable] in _shown(default), f"{variable}: README says {rows[variable]}, default is {default!r}"


def test_the_readme_documents_no_setting_that_does_not_exist() -> None:
    rows = _rows((REPO / "README.md").read_text(encoding="utf-8"))
    assert len(rows) >= 30, "the settings tables were read"
    assert sorted(set(rows) - {f"KECHUANG_{f.upper()}" for f in Settings.model_fields}) == []


def environment_reads(root: Path) -> list[str]:
    """Every ``os.environ[…]``, ``os.environ.get(…)`` or ``os.getenv(…)`` of a ``KECHUANG_`` name under ``root``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            key = None
            if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
                key = node.slice
            elif isinstance(node, ast.Call) and ast.unparse(node.func) in ("os.environ.get", "os.getenv") \
                    and node.args:
                key = node.args[0]
            if isinstance(key, ast.Constant) and str(key.value).startswith("KECHUANG_"):
                found.append(f"{path.relative_to(root)}:{node.lineno} {key.value}")
    return found


def settings_classes(root: Path) -> list[str]:
    """Every class under ``root`` deriving from pydantic-settings' ``BaseSettings``."""
    return [f"{path.relative_to(root)}:{node.name}" for path in sorted(root.rglob("*.py"))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.ClassDef) and any(ast.unparse(b) == "BaseSettings" for b in node.bases)]


def test_settings_are_read_only_through_the_one_object() -> None:
    assert environment_reads(SRC) == []
    assert settings_classes(SRC) == ["core/settings.py:Settings"]


def test_the_scans_find_a_direct_read_and_a_second_settings_class(tmp_path: Path) -> None:
    """The control: both scans find what they look for."""
    (tmp_path / "bad.py").write_text(
        "import os\nfrom pydantic_settings import BaseSettings\n"
        "DIR = os.environ.get('KECHUANG_REPORTS_DIR')\nURL = os.environ['KECHUANG_X']\nY = os.getenv('HOME')\n"
        "class More(BaseSettings):\n    pass\n", encoding="utf-8")
    assert environment_reads(tmp_path) == ["bad.py:3 KECHUANG_REPORTS_DIR", "bad.py:4 KECHUANG_X"]
    assert settings_classes(tmp_path) == ["bad.py:More"]
