"""tools/rewrite_imports.py turns imports of the old module paths into the new ones (the lead runs it after
merging the branches written against the old paths), and until then ``kechuang._moved`` keeps the old paths
importable, each answering with the object at its new home."""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys
from typing import Any

from tests.conftest import REPO


def _script() -> Any:
    spec = importlib.util.spec_from_file_location("rewrite_imports", REPO / "tools" / "rewrite_imports.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


OLD = '''"""Uses ``kechuang.monitoring.progress``."""
from kechuang import clock
from kechuang.accounts.access import Principal, Role
from kechuang.accounts.settings import AccountSettings
from kechuang.monitoring import service as monitoring
from kechuang.monitoring.service import StaleEdit, profiles
from kechuang.supervision.settings import SupervisionSettings as Sup
import kechuang.monitoring.models  # noqa: F401


def later() -> None:
    from kechuang.monitoring.demo import setup_demo
    setup_demo(AccountSettings(), Sup(), StaleEdit, profiles, monitoring, clock, Principal, Role)
'''

NEW = '''"""Uses ``kechuang.assessment.progress``."""
from kechuang.core import clock
from kechuang.core.access import Principal, Role
from kechuang.core.settings import Settings
from kechuang.indicators import profile_service as monitoring
from kechuang.core.access import StaleEdit
from kechuang.indicators.profile_service import profiles
from kechuang.core.settings import Settings as Sup
import kechuang.indicators.profiles  # noqa: F401


def later() -> None:
    from kechuang.demo.seed import setup_demo
    setup_demo(Settings(), Sup(), StaleEdit, profiles, monitoring, clock, Principal, Role)
'''


def test_old_imports_are_rewritten_to_the_new_paths_once() -> None:
    script = _script()
    assert script.rewrite(OLD) == NEW
    assert script.rewrite(NEW) == NEW, "idempotent"
    untouched = "from kechuang.plan import service as plans\n"
    assert script.rewrite(untouched) == untouched


def test_the_tree_has_no_old_import_left() -> None:
    done = subprocess.run([sys.executable, str(REPO / "tools" / "rewrite_imports.py"), "--check"],
                          capture_output=True, text=True, cwd=REPO)
    assert (done.returncode, done.stdout) == (0, "")


def test_every_old_path_answers_with_the_new_object() -> None:
    script = _script()
    assert len(script.MOVES) >= 10
    for old, new in script.MOVES.items():
        module = importlib.import_module(old)
        target = importlib.import_module(new)
        public = [n for n in vars(target) if not n.startswith("_")]
        assert public and all(getattr(module, n) is getattr(target, n) for n in public), old
    for (old, name), (new, new_name) in script.NAMES.items():
        assert getattr(importlib.import_module(old), name) is getattr(importlib.import_module(new), new_name)
    from kechuang.monitoring.progress import dashboard  # the from-import form other branches use

    assert dashboard is importlib.import_module("kechuang.assessment.progress").dashboard
