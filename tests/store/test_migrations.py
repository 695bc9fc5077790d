"""Migrations are an explicit step: ``kechuang db upgrade`` brings a database to head, the models match what
the migrations create (the comparison of ``alembic check``, on SQLite and PostgreSQL), and the web app refuses
clearly — 503 with a page saying what to run — on a database that is behind, instead of migrating on start."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from kechuang.cli import app as cli
from kechuang.store.db import all_models, head_revision, make_engine, model_differences, schema_state, upgrade
from kechuang.web.app import create_app

runner = CliRunner()


def test_the_migrations_create_exactly_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        metadata = all_models()
        assert len(metadata.tables) >= 40 and "submission" in metadata.tables, "control: every model is seen"
        assert model_differences(engine, metadata) == []
        with engine.begin() as conn:  # control: a change the migrations did not make is found
            conn.execute(text("CREATE TABLE stray (id INTEGER PRIMARY KEY)"))
            conn.execute(text("CREATE INDEX ix_plan_extra ON plan (code, id)"))
        kinds = sorted(d[0] for d in model_differences(engine, metadata))
        assert kinds == ["remove_index", "remove_table"]
    finally:
        engine.dispose()


def test_db_upgrade_current_and_check(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'k.db'}"
    before = runner.invoke(cli, ["db", "check", "--db", db])
    assert before.exit_code == 1 and "run `kechuang db upgrade`" in before.output
    assert "none (empty database)" in runner.invoke(cli, ["db", "current", "--db", db]).output
    first = runner.invoke(cli, ["db", "upgrade", "--db", db])
    assert first.exit_code == 0 and f"upgraded from an empty database to migration {head_revision()}" in first.output
    again = runner.invoke(cli, ["db", "upgrade", "--db", db])
    assert again.exit_code == 0 and f"already at migration {head_revision()}" in again.output
    checked = runner.invoke(cli, ["db", "check", "--db", db])
    assert checked.exit_code == 0, checked.output
    assert f"database migration: {head_revision()}; this version's newest: {head_revision()}" in runner.invoke(
        cli, ["db", "current", "--db", db]).output


def test_the_app_refuses_a_database_that_is_behind_and_serves_once_upgraded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    engine = make_engine(url)
    assert runner.invoke(cli, ["db", "upgrade", "--db", url]).exit_code == 0
    with engine.begin() as conn:  # as a database left by the previous version
        conn.execute(text("UPDATE alembic_version SET version_num = '0009'"))
    app = create_app(url)
    assert schema_state(engine).current == "0009", "creating the app does not migrate"
    with TestClient(app) as client:
        page = client.get("/")
        assert page.status_code == 503 and page.headers["retry-after"] == "30"
        assert "数据库需要升级" in page.text and "kechuang db upgrade" in page.text
        assert f"at migration 0009, behind this version&#x27;s {head_revision()}" in page.text
        api = client.get("/api/v1/plan")
        assert api.status_code == 503 and api.headers["content-type"] == "application/problem+json"
        assert api.json()["detail"].endswith("run `kechuang db upgrade`")
        with engine.begin() as conn:
            conn.execute(text(f"UPDATE alembic_version SET version_num = '{head_revision()}'"))
        assert client.get("/api/v1/plan").status_code == 404, "served at once after the upgrade (no plan loaded)"
    engine.dispose()


@pytest.mark.parametrize(("revision", "says"), [(None, "has no schema yet"),
                                                ("9999", "which this version of kechuang does not know")])
def test_an_empty_or_newer_database_is_refused_saying_why(tmp_path: Path, revision: str | None, says: str) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    if revision is not None:
        engine = make_engine(url)
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(text(f"UPDATE alembic_version SET version_num = '{revision}'"))
        engine.dispose()
    with TestClient(create_app(url)) as client:
        page = client.get("/")
    assert page.status_code == 503 and says in page.text
