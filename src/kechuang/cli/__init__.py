"""The ``kechuang`` command line (Typer + Rich): thin wrappers around the services.

Start-up is kept short by loading each sub-command group only when it is used: ``kechuang --help`` reads
the names and help texts from :data:`SUBCOMMANDS` without importing the groups, and ``kechuang index …``
imports the index commands but neither the web application nor the database. Every module of this package
imports only Typer and Rich at its top; the services are imported inside the commands.

Registering a sub-command group is one line in :data:`SUBCOMMANDS`: its name, the ``module:attribute`` of its
``typer.Typer`` and the one-line help shown by ``kechuang --help`` (``None``: the group's own help, which then
loads the group for the listing).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import Any, NamedTuple

import typer
from typer import _click as click  # the Click that Typer vendors (its groups and contexts are of these classes)
from typer.core import TyperCommand, TyperGroup

from kechuang.cli import root


class Lazy(NamedTuple):
    """A sub-command group loaded on first use."""

    target: str  # "package.module:attribute" of a typer.Typer
    help: str | None


SUBCOMMANDS: dict[str, Lazy] = {
    "db": Lazy("kechuang.cli.db:db_app", "The database schema: upgrade to this version's migrations (an explicit "
                                        "step, never at app start), show and check where it stands."),
    "jobs": Lazy("kechuang.cli.jobs:jobs_app", "Background jobs: run a worker; list recent jobs and their state."),
    "plan": Lazy("kechuang.cli.plan:plan_app", "The plan: show, load, version, adjust, compare."),
    "index": Lazy("kechuang.cli.index:index_app",
                  "The composite index: build, audit and analyse from files; import, rebuild, compare and "
                  "export stored runs."),
    "report": Lazy("kechuang.cli.report:report_app", "Evaluation reports: mid-term, final and the annual index "
                                                     "report (Word, PDF, Excel annex, HTML)."),
    "export": Lazy("kechuang.cli.export:export_app",
                   "Open data: the full data package or one table as CSV, XLSX or JSON."),
    "account": Lazy("kechuang.cli.account:account_app", "Accounts: list, create, disable, enable."),
    "audit": Lazy("kechuang.cli_audit:audit_app", "The audit trail: verify that no record was rewritten or "
                                                  "removed; the application's PostgreSQL role."),
    "backup": Lazy("kechuang.cli.backup:backup_app", "Backups: create, verify and restore one archive of the "
                                                     "database, evidence files and report packs."),
    "reminders": Lazy("kechuang.cli.reminders:reminders_app", "Reminders: send the due reminders and escalations "
                                                            "by e-mail; list the outbox."),
}


def load(name: str, lazy: Lazy) -> click.Command:
    """Import the group ``lazy.target`` and turn it into the Click group ``name``."""
    module, _, attribute = lazy.target.partition(":")
    sub_app: typer.Typer = getattr(importlib.import_module(module), attribute)
    group = typer.main.get_group(sub_app)
    group.name = name
    if lazy.help is not None and not group.help:
        group.help = lazy.help
    return group


class _Commands(MutableMapping[str, click.Command]):
    """The commands of the root group: the eager ones, then the lazy groups, imported when looked up."""

    def __init__(self, eager: MutableMapping[str, click.Command], lazy: dict[str, Lazy]) -> None:
        self.loaded = dict(eager)
        self.lazy = {name: entry for name, entry in lazy.items() if name not in self.loaded}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self.loaded and name in self.lazy:
            self.loaded[name] = load(name, self.lazy[name])
        return self.loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        self.loaded.pop(name, None)
        self.lazy.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        yield from self.loaded
        yield from (name for name in self.lazy if name not in self.loaded)

    def __len__(self) -> int:
        return len(set(self.loaded) | set(self.lazy))


class LazyGroup(TyperGroup):
    """The root group: its sub-command groups come from :data:`SUBCOMMANDS`, imported on first use; the help
    listing shows their help text without importing them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _Commands(self.commands, SUBCOMMANDS)
        self._listing = False

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        commands = self.commands
        assert isinstance(commands, _Commands)
        entry = commands.lazy.get(cmd_name)
        if self._listing and entry is not None and entry.help is not None and cmd_name not in commands.loaded:
            return TyperCommand(cmd_name, help=entry.help)  # only read for its name and help
        return commands.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # the names only: TyperGroup's reads every command, loading each group

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(cls=LazyGroup, help="kechuang (科创): plan monitoring and evaluation.", no_args_is_help=True)
app.command("digest")(root.digest)
app.command("init")(root.init)
app.command("serve")(root.serve)
