"""Every command of the `kechuang` CLI is documented in the README (a test that fails when one is not)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from typer.main import get_command

from kechuang.cli import app
from tests.conftest import REPO


def _commands(command: Any, prefix: list[str]) -> Iterator[str]:
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            yield from _commands(sub, [*prefix, name])
    else:
        yield " ".join(prefix)


def test_every_command_is_in_the_readme() -> None:
    commands = list(_commands(get_command(app), []))
    assert len(commands) >= 20
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert [c for c in commands if f"kechuang {c}" not in readme] == []
