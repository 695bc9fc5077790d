"""A plan adjustment lasts: neither `kechuang init` nor `kechuang serve` brings the bundled file back, on SQLite and
PostgreSQL; replacing the current plan takes an explicit `kechuang plan load`, which shows the changes and asks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from kechuang.cli import app
from kechuang.plan import service as plans
from kechuang.plan.bundle import configured_bundle
from kechuang.store.db import make_engine, session_factory

runner = CliRunner(env={"COLUMNS": "300"})


def _current(url: str) -> tuple[int, str]:
    engine = make_engine(url)
    with session_factory(engine)() as s:
        v = plans.latest_version(s)
        found = plans.element(s, v, "T7.M1.TG1", "target").attrs["value_max"]
    engine.dispose()
    return v.number, str(found)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve_once(url: str) -> list[dict]:  # type: ignore[type-arg]
    """Start `kechuang serve` on the database, read the current version over HTTP, stop it."""
    port = _free_port()
    env = {**os.environ, "KECHUANG_SECURE_COOKIES": "false"}
    command = str(Path(sys.executable).parent / "kechuang")
    proc = subprocess.Popen([command, "serve", "--db", url, "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/api/v1/versions", timeout=2).json()
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else "server exited"
                time.sleep(0.3)
        raise AssertionError("kechuang serve did not answer within 60 s")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_adjusted_version_survives_init_and_serve(db_url: str) -> None:
    assert runner.invoke(app, ["init", "--db", db_url]).exit_code == 0
    adj = runner.invoke(app, ["plan", "adjust", "--set", "T7.M1.TG1:value_max=4", "--by", "区科委", "--reason",
                              "中期评估", "--db", db_url])
    assert adj.exit_code == 0, adj.output
    assert _current(db_url) == (2, "4.0")
    again = runner.invoke(app, ["init", "--db", db_url])
    assert again.exit_code == 0, again.output
    assert "kept at its current version 2" in again.output
    assert _current(db_url) == (2, "4.0"), "init must not load the bundled file over the adjustment"
    versions = _serve_once(db_url)
    assert max(v["number"] for v in versions) == 2, "serve must not load the bundled file over the adjustment"
    assert _current(db_url) == (2, "4.0")


def test_plan_load_shows_the_changes_and_asks(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'k.db'}"
    runner.invoke(app, ["init", "--db", db])
    edited = tmp_path / "plan.yaml"
    text = configured_bundle().plan_file.read_text(encoding="utf-8")
    edited.write_text(text.replace("持续深化区校融合发展", "持续深化区校融合发展（修订）", 1), encoding="utf-8")
    refused = runner.invoke(app, ["plan", "load", str(edited), "--db", db])
    assert refused.exit_code == 2
    assert "differs from the current version 1: 1 changed, 0 added, 0 removed" in refused.output
    assert "changed task T1" in refused.output and "pass --yes" in refused.output
    assert _current(db)[0] == 1, "nothing is loaded without consent"
    loaded = runner.invoke(app, ["plan", "load", str(edited), "--yes", "--by", "规划办", "--db", db])
    assert loaded.exit_code == 0, loaded.output
    assert "loaded as version 2" in loaded.output
    again = runner.invoke(app, ["init", "--db", db])
    assert "kept at its current version 2" in again.output and _current(db)[0] == 2
    assert "the bundled plan file differs from every stored version" not in again.output, (
        "the bundled file is version 1, which is stored")
    same = runner.invoke(app, ["plan", "load", str(edited), "--db", db])
    assert same.exit_code == 0 and "unchanged, still version 2" in same.output


def test_bundled_differs_is_reported(tmp_path: Path) -> None:
    """An older database whose only version differs from the bundled file is told how to review the new file."""
    db = f"sqlite:///{tmp_path / 'k.db'}"
    edited = tmp_path / "old.yaml"
    text = configured_bundle().plan_file.read_text(encoding="utf-8")
    edited.write_text(text.replace("持续深化区校融合发展", "旧标题", 1), encoding="utf-8")
    assert runner.invoke(app, ["plan", "load", str(edited), "--db", db]).exit_code == 0
    out = runner.invoke(app, ["init", "--db", db]).output
    assert "the bundled plan file differs from every stored version" in out and "kechuang plan load" in out
    assert _current(db)[0] == 1


def test_an_adjusted_target_is_shown_beside_its_original(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from kechuang.web.app import create_app

    db = f"sqlite:///{tmp_path / 'k.db'}"
    runner.invoke(app, ["init", "--db", db])
    with TestClient(create_app(db)) as client:
        before = client.get("/measures/T7.M1?lang=zh").text
        assert 'id="targets-adjusted"' not in before, "control: nothing adjusted yet"
    assert runner.invoke(app, ["plan", "adjust", "--set", "T7.M1.TG1:value_max=4", "--by", "区科委", "--reason",
                               "中期评估", "--db", db]).exit_code == 0
    with TestClient(create_app(db)) as client:
        html = client.get("/measures/T7.M1?lang=zh").text
    assert 'id="targets-adjusted"' in html and "现行版本 2" in html
    row = html[html.index('<tr data-code="T7.M1.TG1">'):]
    row = row[:row.index("</tr>")]
    cells = [c.split(">", 1)[1] for c in row.split("<td")[1:]]
    assert cells[1].startswith("2–4") and cells[2].startswith("2–3"), cells
