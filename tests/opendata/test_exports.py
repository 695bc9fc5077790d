"""Open-data exports on SQLite and PostgreSQL: table contents, CSV/XLSX/JSON, formula-injection
neutralisation read back with openpyxl, the Frictionless data package and the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from kechuang.accounts import service as accounts
from kechuang.cli import app as cli
from kechuang.comments import service as comments
from kechuang.comments.schemas import CommentForm
from kechuang.core import spreadsheet
from kechuang.core.access import SYSTEM, Role
from kechuang.core.settings import Settings
from kechuang.opendata import service as opendata
from kechuang.opendata.tables import BUILDERS, UnknownTable, table
from kechuang.plan import service as plans
from kechuang.plan.loader import read_plan_file
from kechuang.store.db import transaction
from tests.conftest import FIXTURES

SETTINGS = Settings(secret_key="opendata-tests", comment_min_seconds=0)
RISKY = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+2 请核实", "-3*4 的算法", "@SUM(A1:A2)"]
NOW = dt.datetime(2024, 3, 1, 8, 30, tzinfo=dt.UTC)


@pytest.fixture
def db(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """The mini plan with one published comment per risky text."""
    with transaction(sessions) as s:
        plans.load_plan(s, read_plan_file(FIXTURES / "mini_plan.yaml"), source="mini", by="test")
        office = accounts.principal_of(accounts.create_account(
            s, SYSTEM, username="office", display_name="规划办", password="x" * 12, role=Role.ADMIN))
        plan_id = plans.get_plan(s).id
        for i, body in enumerate(RISKY):
            token = comments.issue_token(SETTINGS, "task", "T1", NOW)
            c = comments.submit(s, SETTINGS, plan_id, CommentForm(target_kind="task", target_code="T1", body=body,
                                                                  token=token), client_ip=f"192.0.2.{i}", now=NOW)
            comments.publish(s, office, c.id)
    return sessions


def test_tables_hold_the_plan_rows(db: sessionmaker[Session]) -> None:
    with db() as s:
        tasks = table(s, "tasks")
        assert tasks.rows == [{"code": "T1", "number": 1, "title_zh": "培育创新主体", "title_en": "Grow innovators",
                               "area_code": "A1", "area_title_zh": tasks.rows[0]["area_title_zh"],
                               "area_title_en": tasks.rows[0]["area_title_en"], "measures": 1}]
        [project] = table(s, "projects").rows
        assert (project["code"], project["measure_code"], project["task_code"], project["name_zh"],
                project["kind"], project["place_code"]) == ("T1.M1.P1", "T1.M1", "T1", "示例孵化园", "place", "PL1")
        [target] = table(s, "targets").rows
        assert (target["value_max"], target["year"]) == (3, 2025)
        [obs] = table(s, "observations").rows
        assert (obs["indicator_code"], obs["source_kind"], obs["is_demo"]) == ("IND_HTE", "plan_text", False)
        assert [r["body"] for r in table(s, "comments").rows] == RISKY
        with pytest.raises(UnknownTable):
            table(s, "accounts")


def test_csv_neutralises_formulas_and_keeps_numbers(db: sessionmaker[Session]) -> None:
    with db() as s:
        data = opendata.export_table(s, "comments", "csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert [r["body"] for r in rows] == ["'" + b for b in RISKY]
    assert rows[0]["submitted_at"] == "2024-03-01T08:30:00Z"
    assert rows[0]["reply_body"] == "" and rows[0]["target_code"] == "T1"
    assert spreadsheet.csv_cell(-3.5) == "-3.5" and spreadsheet.csv_cell(2025.0) == "2025", "numbers are never altered"
    assert spreadsheet.csv_cell(True) == "true" and spreadsheet.csv_cell(None) == ""
    assert spreadsheet.csv_cell("\tcmd") == "'\tcmd" and spreadsheet.csv_cell("\rcmd") == "'\rcmd"


def test_xlsx_stores_risky_text_as_text_read_back_with_openpyxl(db: sessionmaker[Session]) -> None:
    with db() as s:
        data = opendata.export_table(s, "comments", "xlsx")
        workbook = opendata.workbook(s)
    ws = load_workbook(io.BytesIO(data))["comments"]
    header = [c.value for c in ws[1]]
    body_col = header.index("body") + 1
    cells = [ws.cell(row=r, column=body_col) for r in range(2, 2 + len(RISKY))]
    assert [c.value for c in cells] == RISKY, "the text reads back exactly"
    assert [c.data_type for c in cells] == ["s"] * len(RISKY), "stored as text, never as a formula"
    assert all(c.quotePrefix for c in cells), "Excel keeps it text even after editing"
    assert isinstance(ws.cell(row=2, column=header.index("id") + 1).value, int)
    assert load_workbook(io.BytesIO(workbook)).sheetnames == list(BUILDERS)


def test_json_is_exact_and_self_describing(db: sessionmaker[Session]) -> None:
    with db() as s:
        doc = json.loads(opendata.export_table(s, "comments", "json"))
    assert doc["name"] == "comments" and doc["title"]["zh"] == "公众意见（已发布）"
    assert [r["body"] for r in doc["data"]] == RISKY
    assert doc["data"][0]["submitted_at"] == "2024-03-01T08:30:00Z"
    assert [f["name"] for f in doc["schema"]["fields"]][:3] == ["id", "target_kind", "target_code"]
    with db() as s, pytest.raises(opendata.UnknownFormat):
        opendata.export_table(s, "tasks", "ods")


def _parse(value: str, field: dict[str, object]) -> object:
    """Read a CSV cell as its Frictionless type says (raising when it does not conform)."""
    if value == "":
        return None
    kind = field["type"]
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "boolean":
        assert value in ("true", "false")
        return value == "true"
    if kind == "datetime":
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def test_data_package_resources_match_their_schema_size_and_hash(db: sessionmaker[Session]) -> None:
    with db() as s:
        data = opendata.datapackage(s, now=NOW)
        single = {name: opendata.export_table(s, name, "csv") for name in BUILDERS}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        desc = json.loads(zf.read("datapackage.json"))
        assert sorted(zf.namelist()) == sorted(["datapackage.json", *(f"{n}.csv" for n in BUILDERS)])
        assert (desc["profile"], desc["name"], desc["version"], desc["created"]) == (
            "tabular-data-package", "example-district-plan", "1", "2024-03-01T08:30:00Z")
        assert [r["name"] for r in desc["resources"]] == list(BUILDERS)
        counts = {}
        for res in desc["resources"]:
            raw = zf.read(res["path"])
            assert raw == single[res["name"]], "the package holds the same bytes as the single download"
            assert res["bytes"] == len(raw) and res["hash"] == "sha256:" + hashlib.sha256(raw).hexdigest()
            rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
            fields = res["schema"]["fields"]
            assert rows[0] == [f["name"] for f in fields]
            parsed = [{f["name"]: _parse(v, f) for v, f in zip(row, fields, strict=True)} for row in rows[1:]]
            keys = [tuple(p[k] for k in res["schema"]["primaryKey"]) for p in parsed]
            assert len(keys) == len(set(keys)), f"{res['name']}: primary key is unique"
            counts[res["name"]] = len(parsed)
    assert counts == {"tasks": 1, "measures": 1, "projects": 1, "targets": 1, "places": 1, "glossary": 1,
                      "indicators": 1, "observations": 1, "comments": 4}


def test_cli_writes_the_data_package_and_single_tables(db_url: str, db: sessionmaker[Session],
                                                       tmp_path: Path) -> None:
    out = tmp_path / "package.zip"
    result = CliRunner().invoke(cli, ["export", "datapackage", str(out), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "9 tables" in result.output
    with zipfile.ZipFile(out) as zf:
        desc = json.loads(zf.read("datapackage.json"))
        assert [r["name"] for r in desc["resources"]] == list(BUILDERS)
        assert zf.read("tasks.csv").decode().splitlines()[1].startswith("T1,1,培育创新主体,Grow innovators,")
    result = CliRunner().invoke(cli, ["export", "table", "places", str(tmp_path / "places.xlsx"), "--db", db_url])
    assert result.exit_code == 0, result.output
    ws = load_workbook(tmp_path / "places.xlsx")["places"]
    assert ws["A1"].value == "code" and ws["A2"].value == "PL1"
    bad = CliRunner().invoke(cli, ["export", "table", "places", str(tmp_path / "places.ods"), "--db", db_url])
    assert bad.exit_code == 2 and "format must be one of csv, xlsx, json" in bad.output
