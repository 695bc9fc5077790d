"""Every package the code imports is declared in pyproject.toml where it is used: the runtime dependencies
for the application, the optional extra ``distributed`` for the Dask backend, the ``test`` extra for what only
the tests use (SALib); and a cluster asked for without Dask says which extra to install."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import REPO

# Imports of an optional extra, by the one module allowed to make them (inside the function that needs them).
OPTIONAL = {"dask": ("distributed", "kechuang/index/backends.py"),
            "distributed": ("distributed", "kechuang/index/backends.py")}


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}


def _project() -> dict[str, set[str]]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {"runtime": _names(project["dependencies"])} | {
        extra: _names(reqs) for extra, reqs in project["optional-dependencies"].items()}


def _imports(root: Path) -> dict[str, set[str]]:
    """Top-level third-party module name → the files (relative to ``root``) importing it."""
    found: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "kechuang":
                    found.setdefault(top, set()).add(str(path.relative_to(root.parent)))
    return found


def _distributions(module: str) -> set[str]:
    return {d.lower().replace("_", "-") for d in importlib.metadata.packages_distributions().get(module, [module])}


def test_every_import_of_the_application_is_declared_where_it_is_used() -> None:
    declared = _project()
    undeclared = []
    for module, files in sorted(_imports(REPO / "src" / "kechuang").items()):
        if module in OPTIONAL:
            extra, allowed = OPTIONAL[module]
            assert files == {allowed}, (module, files)
            assert _distributions(module) & declared[extra], (module, extra)
            assert not _distributions(module) & declared["runtime"], f"{module} is optional, not a runtime dependency"
        elif not _distributions(module) & declared["runtime"]:
            undeclared.append((module, sorted(files)))
    assert undeclared == []


def test_test_only_packages_are_test_extras() -> None:
    declared = _project()
    assert "salib" in declared["test"] and "salib" not in declared["runtime"]
    assert "matplotlib" in declared["runtime"]
    assert "salib" not in {d for m in _imports(REPO / "src" / "kechuang") for d in _distributions(m)}
    assert "SALib" in _imports(REPO / "tests")  # control: the scan sees the tests' own imports


BLOCK_DASK = '''
import importlib.abc, sys
class NoDask(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("dask", "distributed"):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None
sys.meta_path.insert(0, NoDask())
from kechuang.cli import app
app(sys.argv[1:], prog_name="kechuang")
'''


def test_a_cluster_without_dask_says_which_extra_to_install(tmp_path: Path) -> None:
    """Dask hidden from the interpreter (as when the extra is not installed): `--scheduler local` exits 2 with
    the install line, and the same analysis without a cluster still runs."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "200"}
    ref_dir = REPO / "tests/fixtures/reference/coinr-asem"
    examples = REPO / "src/kechuang/index/examples"
    base = ["index", "uncertainty", str(ref_dir / "ASEM_iData.csv"), str(ref_dir / "ASEM_iMeta.csv"), "--spec",
            str(examples / "asem_variant_a.yaml"), "--ua", str(examples / "ua_coinr_vignette.yaml"), "--n", "20"]

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", BLOCK_DASK, *base, *extra], capture_output=True, text=True,
                              env=env, timeout=300)

    cluster = run("--scheduler", "local", "--out", str(tmp_path / "cluster"))
    assert cluster.returncode == 2, cluster.stderr[-2000:]
    assert ("a Dask cluster (--scheduler, backend 'dask') needs Dask and distributed, which are not installed: "
            "pip install 'kechuang[distributed]'") in cluster.stderr
    local = run("--out", str(tmp_path / "local"))
    assert local.returncode == 0, local.stderr[-2000:]
    assert "uncertainty analysis: 20 regenerations" in local.stdout


def test_every_declared_package_is_pinned_in_the_lock_file() -> None:
    """`make install` installs requirements.lock: each package pyproject.toml declares (runtime and extras, the
    job queue huey among them) has its exact version there."""
    pinned = {}
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pinned[name.strip().lower().replace("_", "-")] = version.strip()
    declared = set().union(*_project().values()) - {"kechuang"}
    assert {"huey", "matplotlib", "salib", "dask"} <= declared, "control: the declarations are read"
    assert sorted(declared - set(pinned)) == []
    assert "huey" in _project()["runtime"]
    assert _imports(REPO / "src" / "kechuang")["huey"] == {"kechuang/jobs/queue.py",
                                                         "kechuang/store/migrations/versions/0012_jobs.py"}
