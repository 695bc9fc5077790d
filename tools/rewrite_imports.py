"""Rewrite imports of moved modules to their new homes, in ``src`` and ``tests``.

The re-layering (issue 11) moved modules (``git mv``, so merges follow the renames) while other branches were
still importing them by their old paths; the old paths stay importable through ``kechuang._moved`` (a finder
that answers an old path with the new module; it holds the mapping this script reads: ``MOVES``, ``NAMES``).
After every branch is merged, run

    python tools/rewrite_imports.py            # rewrite every import (and dotted mention) to the new paths
    python tools/rewrite_imports.py --check    # list what would change; exit 1 if anything would
    python tools/rewrite_imports.py --remove-shims   # rewrite, then delete kechuang/_moved.py and its install()

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
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

MOVED = REPO / "src" / "kechuang" / "_moved.py"


def _load_moved() -> Any:
    """``kechuang._moved`` (the old paths' mapping), read from its file without importing the package."""
    spec = importlib.util.spec_from_file_location("kechuang_moved", MOVED)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_moved = _load_moved() if MOVED.exists() else None
MOVES: dict[str, str] = _moved.MOVES if _moved else {}  # old module → new module
NAMES: dict[tuple[str, str], tuple[str, str]] = _moved.NAMES if _moved else {}  # (old module, name) → new home

# What keeps the old paths importable until the rewrite: the finder module and its install() call. The lead
# deletes them (``--remove-shims``) after the rewrite; the import-graph test (tests/test_import_graph.py)
# leaves them out of the graph.
SHIMS: tuple[str, ...] = ("src/kechuang/_moved.py",)
INSTALL = "src/kechuang/__init__.py"
INSTALL_LINES = ("from kechuang import _moved\n", "_moved.install()")

SKIP = {Path(__file__).resolve(), (REPO / "tests" / "test_rewrite_imports.py").resolve()}  # they quote old paths


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
        (REPO / "tests" / "test_rewrite_imports.py").unlink(missing_ok=True)  # it tests the finder just removed
        print("removed tests/test_rewrite_imports.py")
        init = REPO / INSTALL
        kept = [line for line in init.read_text(encoding="utf-8").splitlines(keepends=True)
                if not line.startswith(INSTALL_LINES)]
        init.write_text(re.sub(r"\n{3,}", "\n\n", "".join(kept)), encoding="utf-8")
        print(f"removed the finder of old paths from {INSTALL}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
