"""The `kechuang` command line on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kechuang.cli import app
from tests.conftest import FIXTURES

runner = CliRunner()


def _db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def test_init_loads_bundled_plan_once(tmp_path: Path) -> None:
    first = runner.invoke(app, ["init", "--db", _db(tmp_path)])
    assert first.exit_code == 0, first.output
    assert "plan yangpu-sti-14fyp loaded as version 1" in first.output
    second = runner.invoke(app, ["init", "--db", _db(tmp_path)])
    assert "kept at its current version 1" in second.output


def test_plan_show_prints_the_tree(tmp_path: Path) -> None:
    runner.invoke(app, ["init", "--db", _db(tmp_path)])
    out = runner.invoke(app, ["plan", "show", "--db", _db(tmp_path)], env={"COLUMNS": "200"}).output
    assert "提升科技创新策源力" in out and "持续深化区校融合发展" in out and "打造区校融合升级版" in out
    en = runner.invoke(app, ["plan", "show", "--lang", "en", "--db", _db(tmp_path)], env={"COLUMNS": "200"}).output
    assert "12." in en and "Yangpu" in en


def test_load_another_plan_and_adjust_and_diff(tmp_path: Path) -> None:
    db = _db(tmp_path)
    loaded = runner.invoke(app, ["plan", "load", str(FIXTURES / "mini_plan.yaml"), "--db", db])
    assert "plan example-district-plan: loaded as version 1" in loaded.output
    adj = runner.invoke(app, ["plan", "adjust", "--plan", "example-district-plan", "--set",
                              "T1.M1.TG1:value_max=4", "--by", "区科委", "--reason", "中期评估", "--db", db])
    assert adj.exit_code == 0, adj.output
    assert "new version 2" in adj.output
    diff = runner.invoke(app, ["plan", "diff", "1", "2", "--plan", "example-district-plan", "--db", db],
                         env={"COLUMNS": "200"})
    assert "changed target T1.M1.TG1" in diff.output and "'value_max': 3.0" in diff.output
    versions = runner.invoke(app, ["plan", "versions", "--plan", "example-district-plan", "--db", db],
                             env={"COLUMNS": "200"})
    assert "区科委" in versions.output and "中期评估" in versions.output


def test_malformed_file_gives_one_precise_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((FIXTURES / "mini_plan.yaml").read_text(encoding="utf-8").replace("lat: 31.3", "lat: 131.3"),
                   encoding="utf-8")
    res = runner.invoke(app, ["plan", "load", str(bad), "--db", _db(tmp_path)])
    assert res.exit_code == 2
    assert f"{bad}: places[0](PL1).lat: Input should be less than or equal to 90" in res.output


def test_bad_adjustment_exits_2(tmp_path: Path) -> None:
    db = _db(tmp_path)
    runner.invoke(app, ["plan", "load", str(FIXTURES / "mini_plan.yaml"), "--db", db])
    res = runner.invoke(app, ["plan", "adjust", "--set", "NOPE:title.zh=x", "--by", "a", "--reason", "b", "--db", db])
    assert res.exit_code == 2 and "no element with code 'NOPE'" in res.output


def test_index_build_writes_every_stage_like_coinr(tmp_path: Path) -> None:
    import pandas as pd

    from tests.conftest import SHARED

    asem = SHARED / "reference" / "coinr-asem"
    spec = Path(__file__).resolve().parents[2] / "src/kechuang/index/examples/asem_variant_a.yaml"
    res = runner.invoke(app, ["index", "build", str(asem / "ASEM_iData.csv"), str(asem / "ASEM_iMeta.csv"),
                              "--spec", str(spec), "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in (tmp_path / "out").glob("0*.csv"))
    assert names == ["01_Raw.csv", "02_Denominated.csv", "03_Imputed.csv", "04_Screened.csv", "05_Treated.csv",
                     "06_Normalised.csv", "07_Aggregated.csv"]
    ours = pd.read_csv(tmp_path / "out" / "07_Aggregated.csv").set_index("uCode")
    ref = pd.read_csv(asem / "A_base_07_Aggregated.csv").set_index("uCode")
    assert (ours.loc[ref.index, "Index"] - ref["Index"]).abs().max() < 1e-9
    ranks = pd.read_csv(tmp_path / "out" / "results_ranks.csv").set_index("uCode")
    ref_ranks = pd.read_csv(asem / "A_base_results_ranks.csv").set_index("uCode")
    assert (ranks.loc[ref_ranks.index, "Index"] == ref_ranks["Index"]).all()


def test_index_build_bad_spec_names_the_path(tmp_path: Path) -> None:
    from tests.conftest import SHARED

    asem = SHARED / "reference" / "coinr-asem"
    spec = tmp_path / "bad.yaml"
    spec.write_text("steps:\n  - step: normalise\n    method: n_nope\n", encoding="utf-8")
    res = runner.invoke(app, ["index", "build", str(asem / "ASEM_iData.csv"), str(asem / "ASEM_iMeta.csv"),
                              "--spec", str(spec), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert "bad.yaml" in res.output and "steps[0]" in res.output and "n_nope" in res.output
