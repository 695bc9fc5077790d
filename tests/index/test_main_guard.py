"""A user's script without an ``if __name__ == "__main__":`` guard runs a large analysis on the default
backend (a process pool) without crashing: the workers do not import the script again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

SCRIPT = '''
import os
import sys
from pathlib import Path

from kechuang.index import example_spec, read_idata, read_imeta
from kechuang.index.uncertainty import sensitivity_analysis

print("script started in", os.getpid(), flush=True)
ref, examples = Path(sys.argv[1]), Path(sys.argv[2])
meta = read_imeta(ref / "ASEM_iMeta.csv")
data = read_idata(ref / "ASEM_iData.csv", meta)
result = sensitivity_analysis(data, meta, example_spec("asem_variant_a"), examples / "ua_coinr_vignette.yaml",
                              8192, seed=1)
print("runs", result.n_runs, "failed", result.n_failed, "backend", result.backend, flush=True)
'''


def test_script_without_main_guard_runs_n_8192_on_the_process_pool(ref_dir: Path, tmp_path: Path) -> None:
    script = tmp_path / "analysis.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run([sys.executable, str(script), str(ref_dir), str(REPO / "src/kechuang/index/examples")],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    # 8,192 Saltelli base points × (G + 2) runs over 51 units: above SMALL_WORK, so the default is the pool
    assert lines[-1] == "runs 49152 failed 0 backend processes"
    assert sum(line.startswith("script started") for line in lines) == 1  # the workers did not run the script
