"""District bundles on the command line: `plan new` writes a valid documented skeleton, `plan check` names every
problem with file, YAML path and reason, `plan load DIR` loads a bundle into an empty database as init does."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kechuang.cli import app
from kechuang.core.settings import Settings
from kechuang.plan.bundle import BundleError, configured_bundle
from tests.conftest import REPO

runner = CliRunner()
WIDE = {"COLUMNS": "250"}


def _new(tmp_path: Path) -> Path:
    folder = tmp_path / "nd"
    out = runner.invoke(app, ["plan", "new", str(folder)], env=WIDE)
    assert out.exit_code == 0, out.output
    return folder


def test_new_writes_a_documented_skeleton_that_checks_and_loads(tmp_path: Path) -> None:
    folder = _new(tmp_path)
    assert sorted(p.name for p in folder.rglob("*") if p.is_file()) == ["bundle.yaml", "outline.geojson", "plan.yaml"]
    assert "# the plan file (required)" in (folder / "bundle.yaml").read_text(encoding="utf-8")
    assert "# the district's zones" in (folder / "plan.yaml").read_text(encoding="utf-8")
    checked = runner.invoke(app, ["plan", "check", str(folder)], env=WIDE)
    assert checked.exit_code == 0 and "a valid bundle (plan, map)" in " ".join(checked.output.split())
    db = f"sqlite:///{tmp_path / 'fresh.db'}"
    loaded = runner.invoke(app, ["plan", "load", str(folder), "--db", db], env=WIDE)
    assert loaded.exit_code == 0, loaded.output
    assert "plan new-district-sti-plan: loaded as version 1" in loaded.output
    shown = runner.invoke(app, ["plan", "show", "--db", db], env=WIDE).output
    assert "新区科技创新规划" in shown and "任务一" in shown and "研发投入强度达到3%" in shown
    again = runner.invoke(app, ["plan", "load", str(folder), "--db", db], env=WIDE)
    assert "unchanged, still version 1" in again.output


def test_check_names_every_problem_with_file_path_and_reason(tmp_path: Path) -> None:
    folder = _new(tmp_path)
    plan = folder / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("type: park", "type: parc")
                    .replace("zone: core", "zone: north"), encoding="utf-8")
    outline = folder / "map" / "outline.geojson"
    geo = json.loads(outline.read_text(encoding="utf-8"))
    geo["features"][0]["properties"]["name"] = "别的区"
    outline.write_text(json.dumps(geo, ensure_ascii=False), encoding="utf-8")
    out = runner.invoke(app, ["plan", "check", str(folder)], env=WIDE)
    assert out.exit_code == 2
    lines = [line for line in out.output.splitlines() if line.startswith(str(folder))]
    assert lines == [
        f"{plan}: places[0](PL1).type: place type 'parc' is not listed under place_types (park)",
        f"{plan}: places[0](PL1).zone: zone 'north' is not listed under zones (core)",
        f"{outline}: features[].properties.name: no feature is named '新区' (map.highlight.zh of bundle.yaml)",
    ]
    assert "3 problems" in out.output


def test_check_reports_a_manifest_naming_missing_files_and_unknown_fields(tmp_path: Path) -> None:
    folder = _new(tmp_path)
    manifest = folder / "bundle.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("plan: plan.yaml", "plan: plans.yaml")
                        .replace("places_term: GL1", "places_term: GL1\ncolour: red"), encoding="utf-8")
    out = runner.invoke(app, ["plan", "check", str(folder)], env=WIDE)
    assert out.exit_code == 2 and f"{manifest}: colour: unknown field" in out.output
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("colour: red", ""), encoding="utf-8")
    out = runner.invoke(app, ["plan", "check", str(folder)], env=WIDE)
    assert f"{manifest}: plan: names plans.yaml, which is not there" in out.output


def test_new_refuses_a_folder_with_files_and_loses_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "plan.yaml").write_text("my own work\n", encoding="utf-8")
    out = runner.invoke(app, ["plan", "new", str(folder)], env=WIDE)
    assert out.exit_code == 2 and "is not an empty folder; nothing written" in out.output
    assert (folder / "plan.yaml").read_text(encoding="utf-8") == "my own work\n"
    assert [p.name for p in folder.iterdir()] == ["plan.yaml"]


def test_the_bundle_setting_selects_a_folder_and_names_itself_when_wrong(tmp_path: Path) -> None:
    folder = _new(tmp_path)
    assert configured_bundle(Settings(bundle=str(folder))).plan_file == folder.resolve() / "plan.yaml"
    assert configured_bundle(Settings()).name == "yangpu"
    try:
        configured_bundle(Settings(bundle=str(tmp_path / "nowhere")))
    except BundleError as exc:
        assert str(exc).startswith(f"KECHUANG_BUNDLE: {tmp_path / 'nowhere'}")
    else:
        raise AssertionError("a missing bundle folder must be refused")


def test_every_bundle_setting_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "KECHUANG_BUNDLE" in readme


def test_the_plan_format_knows_the_reporting_frequencies_monitoring_knows() -> None:
    from typing import get_args

    from kechuang.indicators.profiles import FREQUENCIES
    from kechuang.plan.schemas import Frequency

    assert get_args(Frequency) == FREQUENCIES


def test_pages_find_a_loaded_bundle_outside_the_package_through_the_plan(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from kechuang.web.app import create_app

    folder = _new(tmp_path)
    db = f"sqlite:///{tmp_path / 'own.db'}"
    assert runner.invoke(app, ["plan", "load", str(folder), "--db", db], env=WIDE).exit_code == 0
    with TestClient(create_app(db)) as client:
        geo = client.get("/map/districts.geojson")
        assert geo.status_code == 200 and geo.json()["features"][0]["properties"]["name"] == "新区"
        page = client.get("/map").text
        assert "底图为示意轮廓" in page and "一核两翼" in page and "<td>核心区</td>" in page
