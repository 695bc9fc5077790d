"""`kechuang index uncertainty`: CSV outputs of a sensitivity analysis, and spec errors as one line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from kechuang.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "src/kechuang/index/examples"


def _args(ref_dir: Path, ua: Path, out: Path, *extra: str) -> list[str]:
    return ["index", "uncertainty", str(ref_dir / "ASEM_iData.csv"), str(ref_dir / "ASEM_iMeta.csv"),
            "--spec", str(EXAMPLES / "asem_variant_a.yaml"), "--ua", str(ua), "--out", str(out), *extra]


def test_sensitivity_analysis_writes_every_table(ref_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "ua"
    res = runner.invoke(app, _args(ref_dir, EXAMPLES / "ua_coinr_vignette.yaml", out, "--n", "16", "--sa",
                                   "--seed", "4", "--backend", "serial"), env={"COLUMNS": "160"})
    assert res.exit_code == 0, res.output
    assert "96 regenerations (0 failed)" in res.output and "Aggregation" in res.output
    names = {p.name for p in out.iterdir()}
    assert names == {"rank_stats.csv", "pairwise.csv", "sensitivity.csv", "runs.csv", "failures.csv", "spec.yaml",
                     "ua_spec.yaml", "summary.json"}
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == 96 and list(runs.columns[:4]) == ["run", "base", "matrix", "Winmax"]
    assert set(runs["matrix"]) == {"A", "B", "AB:Winmax", "AB:Normalisation", "AB:Weights", "AB:Aggregation"}
    sens = pd.read_csv(out / "sensitivity.csv")
    assert set(sens["target"]) == {"mean_abs_rank_shift", "rank", "score_std"}
    ranks = pd.read_csv(out / "rank_stats.csv")
    assert set(ranks["code"]) == {"Index", "Conn", "Sust"} and len(ranks) == 3 * 51
    summary = json.loads((out / "summary.json").read_text())
    assert summary["runs"] == 96 and summary["seed"] == 4 and summary["backend"] == "serial"


def test_a_bad_uncertainty_spec_is_one_line_with_its_path(ref_dir: Path, tmp_path: Path) -> None:
    ua = tmp_path / "bad_ua.yaml"
    ua.write_text("parameters:\n  - name: W\n    weights: {noise: uniform, spread: 2, levels: [2]}\n",
                  encoding="utf-8")
    res = runner.invoke(app, _args(ref_dir, ua, tmp_path / "out", "--n", "8"))
    assert res.exit_code == 2
    assert "bad_ua.yaml parameters[0].weights.spread: must be a number > 0 and < 1" in " ".join(res.output.split())


def test_raw_scores_option(ref_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "raw"
    res = runner.invoke(app, _args(ref_dir, EXAMPLES / "ua_coinr_vignette.yaml", out, "--n", "8", "--sa",
                                   "--raw-scores", "--backend", "serial"), env={"COLUMNS": "160"})
    assert res.exit_code == 0, res.output
    assert set(pd.read_csv(out / "sensitivity.csv")["target"]) == {"mean_abs_rank_shift", "rank", "score"}
    res = runner.invoke(app, _args(ref_dir, EXAMPLES / "ua_coinr_vignette.yaml", out, "--n", "8", "--raw-scores"),
                        env={"COLUMNS": "160"})
    assert res.exit_code == 2 and "only used with --sa" in res.output
