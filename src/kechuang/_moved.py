"""Old module paths of the re-layering (issue 11), still importable until ``tools/rewrite_imports.py`` has run.

Modules moved with ``git mv`` (so merges of other branches follow the renames); code written against the old
paths keeps working through this finder, which answers an import of an old path with the module at its new
path, and a name that moved on its own or was renamed (``NAMES``) with the object at its new home. The
rewrite script reads ``MOVES`` and ``NAMES`` from here, rewrites every import in ``src`` and ``tests`` and, with
``--remove-shims``, deletes this file and its ``install()`` in ``kechuang/__init__.py``. Nothing in the
package may import an old path (``tests/test_import_graph.py`` builds the graph from the files as they are).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any

# old module → new module: the whole module moved.
MOVES: dict[str, str] = {
    "kechuang.accounts.access": "kechuang.core.access",
    "kechuang.clock": "kechuang.core.clock",
    "kechuang.config": "kechuang.core.settings",
    "kechuang.accounts.settings": "kechuang.core.settings",
    "kechuang.comments.settings": "kechuang.core.settings",
    "kechuang.notifications.settings": "kechuang.core.settings",
    "kechuang.supervision.settings": "kechuang.core.settings",
    "kechuang.monitoring.models": "kechuang.indicators.profiles",
    "kechuang.monitoring.service": "kechuang.indicators.profile_service",
    "kechuang.monitoring.progress": "kechuang.assessment.progress",
    "kechuang.monitoring.reminders": "kechuang.assessment.reminders",
    "kechuang.monitoring.demo": "kechuang.demo.seed",
    "kechuang.reports.web": "kechuang.web.reports",
}

# (old module, name) → (new module, new name): names that left their module for another one, or were renamed.
NAMES: dict[tuple[str, str], tuple[str, str]] = {
    ("kechuang.monitoring.service", "StaleEdit"): ("kechuang.core.access", "StaleEdit"),
    ("kechuang.accounts.settings", "AccountSettings"): ("kechuang.core.settings", "Settings"),
    ("kechuang.accounts.settings", "get_account_settings"): ("kechuang.core.settings", "get_settings"),
    ("kechuang.comments.settings", "CommentSettings"): ("kechuang.core.settings", "Settings"),
    ("kechuang.comments.settings", "get_comment_settings"): ("kechuang.core.settings", "get_settings"),
    ("kechuang.notifications.settings", "MailSettings"): ("kechuang.core.settings", "Settings"),
    ("kechuang.notifications.settings", "get_mail_settings"): ("kechuang.core.settings", "get_settings"),
    ("kechuang.supervision.settings", "SupervisionSettings"): ("kechuang.core.settings", "Settings"),
    ("kechuang.supervision.settings", "get_supervision_settings"): ("kechuang.core.settings", "get_settings"),
}

# Old packages that are gone altogether: importable as empty packages so their old submodules resolve.
GONE_PACKAGES = ("kechuang.monitoring",)


class _Old(types.ModuleType):
    """An old module path: every attribute is looked up at the new home."""

    def __getattr__(self, name: str) -> Any:
        old = self.__name__
        module, new_name = NAMES.get((old, name), (MOVES[old], name))
        return getattr(importlib.import_module(module), new_name)


class _Loader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = _Old(spec.name) if spec.name in MOVES else types.ModuleType(spec.name)
        module.__doc__ = f"moved to {MOVES[spec.name]}" if spec.name in MOVES else "moved (see kechuang._moved)"
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: attributes come from the new module."""


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname in MOVES:
            return importlib.machinery.ModuleSpec(fullname, _Loader())
        if fullname in GONE_PACKAGES:
            return importlib.machinery.ModuleSpec(fullname, _Loader(), is_package=True)
        return None


def install() -> None:
    """Put the finder of old paths first on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
