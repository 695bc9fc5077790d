"""The layers hold: no import cycle between the packages of ``src/kechuang``, and no web module imports the
index engine (pages read stored runs through ``kechuang.index_results``).

How the graph is built (``package_graph``):

- every module under the root is parsed with :mod:`ast`; every ``import a.b`` and ``from a.b import c`` counts,
  absolute or relative, at any depth — an import inside a function (a lazy import) is a dependency like any
  other. ``LAZY_ALLOWED`` lists the lazy imports that are allowed to point upwards, each with its reason;
  it is empty, and an entry needs a reason a reviewer accepts;
- a module belongs to the package named by its first part below the root (``kechuang.web.pages`` → ``web``);
  a module directly under the root is a package of its own (``kechuang.bootstrap`` → ``bootstrap``);
- ``store/migrations`` is a node of its own, ``store.migrations``: Alembic loads ``env.py`` and the revision
  scripts from the script location, nothing imports them, and ``env.py`` collects every domain's tables, so it
  stands above all of them (and below nothing);
- the shims of modules that moved (``SHIMS`` in ``tools/rewrite_imports.py``: ``kechuang/_moved.py``, the finder
  that keeps the old paths importable until the lead's rewrite removes it) are left out: they are the old
  address, not a dependency. An import of an old path anywhere else fails tests/test_rewrite_imports.py.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO

SRC = REPO / "src"
ROOT = "kechuang"
OWN_NODES = ("store.migrations",)  # sub-packages that are graph nodes of their own (see the module docstring)
LAZY_ALLOWED: dict[tuple[str, str], str] = {}  # (importing module, imported module) → why it may point upwards
FORBIDDEN = [("web", "index")]  # the web layer never calls the engine


def _shims() -> set[Path]:
    spec = importlib.util.spec_from_file_location("rewrite_imports", REPO / "tools" / "rewrite_imports.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {(REPO / p).resolve() for p in module.SHIMS}


@dataclass
class Graph:
    """Package → packages it imports, with the module-level imports behind each edge."""

    edges: dict[str, set[str]] = field(default_factory=dict)
    why: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def cycles(self) -> list[list[str]]:
        """The strongly connected components of more than one package (Tarjan), each sorted."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on: set[str] = set()
        found: list[list[str]] = []

        def visit(v: str) -> None:
            index[v] = low[v] = len(index)
            stack.append(v)
            on.add(v)
            for w in sorted(self.edges.get(v, ())):
                if w not in index:
                    visit(w)
                    low[v] = min(low[v], low[w])
                elif w in on:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

        nodes = set(self.edges) | {w for ws in self.edges.values() for w in ws}
        for v in sorted(nodes):
            if v not in index:
                visit(v)
        return sorted(found)

    def explain(self, component: list[str]) -> list[str]:
        """The module imports that make up the edges inside ``component``."""
        inside = set(component)
        return [f"{a} → {b}: {line}" for (a, b), lines in sorted(self.why.items())
                if a in inside and b in inside for line in lines]


def _module_name(path: Path, src: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(src).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package else parts), is_package


def _node(module: str, root: str, own_nodes: tuple[str, ...]) -> str:
    rest = module.split(".")[1:]
    for own in own_nodes:
        if ".".join(rest).startswith(own) and (len(rest) == own.count(".") + 1
                                               or ".".join(rest).startswith(own + ".")):
            return own
    return rest[0] if rest else root


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, known: set[str]) -> list[str]:
    """The modules of the project an import statement names (a ``from p import m`` of a submodule names m)."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[:len(base) - (node.level - 1)]
            origin = ".".join(base + ([node.module] if node.module else []))
        else:
            origin = node.module or ""
        names = [f"{origin}.{a.name}" if f"{origin}.{a.name}" in known else origin for a in node.names]
    out = []
    for name in names:
        while name and name not in known:  # `import a.b.c` of a non-module attribute: its module
            name = name.rpartition(".")[0]
        if name:
            out.append(name)
    return out


def package_graph(src: Path, root: str, *, ignore: frozenset[Path] | set[Path] = frozenset(),
                  own_nodes: tuple[str, ...] = (), lazy_allowed: dict[tuple[str, str], str] | None = None) -> Graph:
    """The import graph between the packages of ``src/root`` (see the module docstring for the rules)."""
    modules = {}
    for path in sorted((src / root).rglob("*.py")):
        if path.resolve() in ignore:
            continue
        name, is_package = _module_name(path, src)
        modules[name] = (path, is_package)
    known = set(modules) | {_module_name(p, src)[0] for p in (src / root).rglob("*.py")}
    graph = Graph()
    for name, (path, is_package) in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        here = _node(name, root, own_nodes)
        for stmt in ast.walk(tree):
            if not isinstance(stmt, ast.Import | ast.ImportFrom):
                continue
            for target in _imported(stmt, name, is_package, known):
                there = _node(target, root, own_nodes)
                if there == here or (lazy_allowed and (name, target) in lazy_allowed):
                    continue
                graph.edges.setdefault(here, set()).add(there)
                graph.why.setdefault((here, there), []).append(
                    f"{name} imports {target} (line {stmt.lineno})")
    return graph


@pytest.fixture(scope="module")
def graph() -> Graph:
    return package_graph(SRC, ROOT, ignore=_shims(), own_nodes=OWN_NODES, lazy_allowed=LAZY_ALLOWED)


def test_no_import_cycle_between_packages(graph: Graph) -> None:
    assert len(graph.edges) > 10, "the graph was built from the real packages"
    problems = {" ↔ ".join(c): graph.explain(c) for c in graph.cycles()}
    assert problems == {}


def test_the_web_layer_never_imports_the_index_engine(graph: Graph) -> None:
    assert {"index_results", "plan"} <= graph.edges["web"], "the web layer's imports were found"
    assert {(a, b): graph.why[(a, b)] for a, b in FORBIDDEN if b in graph.edges.get(a, set())} == {}


def test_every_lazy_exception_has_its_reason() -> None:
    assert all(reason.strip() for reason in LAZY_ALLOWED.values())


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_a_planted_cycle_and_a_web_to_engine_import_are_caught(tmp_path: Path) -> None:
    """The control: the same graph function over a small package with a cycle made by a lazy relative import,
    a web module importing the engine, and a shim whose import would make a second cycle."""
    _write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/core/__init__.py": "",
        "pkg/core/base.py": "X = 1\n",
        "pkg/alpha/__init__.py": "",
        "pkg/alpha/one.py": "from pkg.beta import two\nfrom pkg.core.base import X\n",
        "pkg/beta/__init__.py": "",
        "pkg/beta/two.py": "def later():\n    from ..alpha import one\n    return one\n",
        "pkg/web/__init__.py": "",
        "pkg/web/page.py": "import pkg.index.engine\n",
        "pkg/index/__init__.py": "",
        "pkg/index/engine.py": "from pkg.core import base\n",
        "pkg/core/old.py": "from pkg.alpha.one import X  # moved\n",
    })
    planted = package_graph(tmp_path, "pkg")
    assert planted.cycles() == [["alpha", "beta", "core"]]
    assert "index" in planted.edges["web"]
    assert "pkg.beta.two imports pkg.alpha.one (line 2)" in planted.why[("beta", "alpha")]
    shimmed = package_graph(tmp_path, "pkg", ignore={(tmp_path / "pkg/core/old.py").resolve()})
    assert shimmed.cycles() == [["alpha", "beta"]], "a listed shim is left out, and only it"
    allowed = package_graph(tmp_path, "pkg", ignore={(tmp_path / "pkg/core/old.py").resolve()},
                            lazy_allowed={("pkg.beta.two", "pkg.alpha.one"): "planted"})
    assert allowed.cycles() == []
