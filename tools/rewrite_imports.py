"""Rewrite imports of moved modules to their new homes, in ``src`` and ``tests``.

The re-layering (issue 11) moved modules while other branches were still importing them by their old paths;
each old path was left as a thin re-export shim (listed in ``SHIMS``). After every branch is merged, run

    python tools/rewrite_imports.py            # rewrite every import (and dotted mention) to the new paths
    python tools/rewrite_imports.py --check    # list what would change; exit 1 if anything would
    python tools/rewrite_imports.py --remove-shims   # rewrite, then delete the shim files

It is idempotent: a second run changes nothing. It rewrites

- ``from old import X`` / ``from old import X as Y`` (also inside functions) to the new module, and a name that
  moved on its own (``NAMES``: e.g. ``StaleEdit`` from the indicator settings to ``kechuang.core.access``) to
  the module that holds it now, renamed where it was renamed (a renamed name is renamed throughout the file
  unless it was imported under an alias);
- ``from parent import old_module [as Y]`` and ``import old.module``;
- every other dotted mention of an old module path (docstrings, ``monkeypatch`` targets) to the new path;

and then sorts the import blocks of the changed files with ``ruff check --select I --fix``.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# old module → new module: the whole module moved; the old path is a shim re-exporting it.
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

# The shim files (relative to the repository) the lead deletes after the rewrite; the import-graph test
# (tests/test_import_graph.py) ignores them. A package left with nothing but shims goes with them.
SHIMS: tuple[str, ...] = tuple(
    "src/" + old.replace(".", "/") + ".py" for old in MOVES) + ("src/kechuang/monitoring/__init__.py",)

SKIP = {Path(__file__).resolve()}


def _shim_paths() -> set[Path]:
    return {(REPO / p).resolve() for p in SHIMS}


def _target(module: str, name: str) -> tuple[str, str]:
    """Where ``name`` imported from ``module`` lives now (module, name)."""
    if (module, name) in NAMES:
        return NAMES[(module, name)]
    return MOVES.get(module, module), name


def _from_import(node: ast.ImportFrom, renames: dict[str, str]) -> list[str] | None:
    """The statements replacing ``node``, or None when nothing in it moved."""
    module = node.module or ""
    groups: dict[str, list[str]] = {}
    changed = False
    for alias in node.names:
        submodule = f"{module}.{alias.name}"
        if submodule in MOVES:  # from parent import old_module [as y]
            new_parent, _, new_name = MOVES[submodule].rpartition(".")
            local = alias.asname or alias.name
            text = new_name if local == new_name else f"{new_name} as {local}"
            groups.setdefault(new_parent, []).append(text)
            changed = True
            continue
        new_module, new_name = _target(module, alias.name)
        changed |= (new_module, new_name) != (module, alias.name)
        if alias.asname:
            text = new_name if alias.asname == new_name else f"{new_name} as {alias.asname}"
        else:
            text = new_name
            if new_name != alias.name:
                renames[alias.name] = new_name
        if text not in groups.setdefault(new_module, []):
            groups[new_module].append(text)
    if not changed:
        return None
    return [f"from {mod} import {', '.join(names)}" for mod, names in groups.items()]


def _import(node: ast.Import) -> list[str] | None:
    if not any(a.name in MOVES for a in node.names):
        return None
    parts = [MOVES.get(a.name, a.name) + (f" as {a.asname}" if a.asname else "") for a in node.names]
    return [f"import {', '.join(parts)}"]


def _dotted(text: str) -> str:
    """Every remaining dotted mention of an old module path, rewritten (longest paths first)."""
    for old in sorted(MOVES, key=len, reverse=True):
        text = re.sub(rf"(?<![\w.]){re.escape(old)}(?![\w])", MOVES[old], text)
    return text


def rewrite(text: str) -> str:
    """``text`` (a Python module) with its imports of moved modules rewritten."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, int, int, list[str], str]] = []
    renames: dict[str, str] = {}
    seen_top: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            new = _from_import(node, renames)
        elif isinstance(node, ast.Import):
            new = _import(node)
        else:
            continue
        if new is None:
            continue
        assert node.end_lineno is not None and node.end_col_offset is not None
        tail = lines[node.end_lineno - 1][node.end_col_offset:]
        if node.col_offset == 0:  # the same top-level import made twice (two old modules, one new) once
            new = [s for s in new if s not in seen_top]
            seen_top.update(new)
        edits.append((node.lineno, node.end_lineno, node.col_offset, new, tail))
    for start, end, col, new, tail in sorted(edits, reverse=True):
        indent = " " * col
        block = "".join(f"{indent}{s}\n" for s in new)
        if block:
            block = block[:-1] + tail if tail.strip() else block
        lines[start - 1:end] = [block]
    out = "".join(lines)
    for old, new_name in renames.items():
        out = re.sub(rf"(?<![\w.]){old}(?![\w])", new_name, out)
    return _dotted(out)


def _files() -> list[Path]:
    shims = _shim_paths()
    found = [p for top in ("src", "tests") for p in sorted((REPO / top).rglob("*.py"))]
    return [p for p in found if p.resolve() not in shims and p.resolve() not in SKIP]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="list the files that would change; exit 1 if any")
    parser.add_argument("--remove-shims", action="store_true", help="delete the shim files after rewriting")
    args = parser.parse_args(argv)
    changed = []
    for path in _files():
        text = path.read_text(encoding="utf-8")
        new = rewrite(text)
        if new != text:
            changed.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    for path in changed:
        print(path.relative_to(REPO))
    if args.check:
        return 1 if changed else 0
    if changed:
        subprocess.run([sys.executable, "-m", "ruff", "check", "--quiet", "--select", "I", "--fix",
                        *map(str, changed)], cwd=REPO, check=False)
    if args.remove_shims:
        for rel in SHIMS:
            (REPO / rel).unlink(missing_ok=True)
            print(f"removed {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
