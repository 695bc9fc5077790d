"""Loading plan files into a real database (SQLite file and PostgreSQL): idempotence, atomicity,
precise errors, versions and adjustments."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kechuang.indicators.models import Observation
from kechuang.plan import service as plans
from kechuang.plan.loader import PlanFileError, parse_plan, read_plan_file
from kechuang.plan.models import PlanElement, PlanVersion
from kechuang.store.db import transaction
from tests.conftest import FIXTURES

MINI = FIXTURES / "mini_plan.yaml"


def _load(sessions: sessionmaker[Session], path: Path = MINI) -> plans.LoadResult:
    with transaction(sessions) as s:
        return plans.load_plan(s, read_plan_file(path), source=str(path), by="test")


def _counts(sessions: sessionmaker[Session]) -> tuple[int, int, int]:
    with sessions() as s:
        return (s.scalar(select(func.count(PlanVersion.id))) or 0,
                s.scalar(select(func.count(PlanElement.id))) or 0,
                s.scalar(select(func.count(Observation.id))) or 0)


def test_load_is_idempotent(sessions: sessionmaker[Session]) -> None:
    first = _load(sessions)
    assert (first.created, first.version) == (True, 1)
    before = _counts(sessions)
    second = _load(sessions)
    assert (second.created, second.version) == (False, 1)
    assert _counts(sessions) == before == (1, 20, 1)  # 18 plan elements + the labels of 1 zone and 1 place type


def test_facts_become_observations_with_source(sessions: sessionmaker[Session]) -> None:
    _load(sessions)
    with sessions() as s:
        obs = s.scalars(select(Observation)).one()
        assert (obs.indicator.code, obs.value, obs.year, obs.source_kind) == ("IND_HTE", 120.0, 2020, "plan_text")
        assert obs.quote == "全区共有高新技术企业120家"
        assert obs.source == "示府发〔2022〕1号 一(一)"


def _broken(tmp_path: Path, mutate) -> Path:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(("mutate", "where", "reason"), [
    (lambda d: d["areas"][0]["tasks"][0]["measures"][0].pop("text"),
     "areas[0](A1).tasks[0](T1).measures[0](T1.M1).text", "Field required"),
    (lambda d: d["facts"][0].update(indicator="IND_NOPE"), "", "indicator 'IND_NOPE' is not defined"),
    (lambda d: d["places"][0].update(lat=131.3), "places[0](PL1).lat", "less than or equal to 90"),
    (lambda d: d["areas"][0]["tasks"][0].update(colour="red"), "areas[0](A1).tasks[0](T1).colour", "unknown field"),
    (lambda d: d["areas"][0]["tasks"][0]["measures"][0]["targets"][0].update(value_min=5, value_max=3),
     "areas[0](A1).tasks[0](T1).measures[0](T1.M1).targets[0](T1.M1.TG1)", "value_min 5.0 > value_max 3.0"),
    (lambda d: d["glossary"][0].update(code="PL1"), "", "code 'PL1' is used twice"),
])
def test_malformed_file_is_refused_precisely_and_changes_nothing(
        sessions: sessionmaker[Session], tmp_path: Path, mutate, where: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    _load(sessions)
    before = _counts(sessions)
    bad = _broken(tmp_path, mutate)
    with pytest.raises(PlanFileError) as info:
        _load(sessions, bad)
    message = str(info.value)
    assert message.startswith(str(bad) + ": ")
    assert where in message and reason in message, message
    assert _counts(sessions) == before


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    bad = tmp_path / "syntax.yaml"
    bad.write_text("format: kechuang-plan/1\nplan: [unclosed\n", encoding="utf-8")
    with pytest.raises(PlanFileError, match=r"syntax.yaml: line 3, column 1: YAML syntax error"):
        read_plan_file(bad)


def test_failure_inside_the_transaction_leaves_database_unchanged(sessions: sessionmaker[Session]) -> None:
    _load(sessions)
    before = _counts(sessions)
    data = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    data["areas"][0]["title"]["zh"] = "新的领域名称"
    doc = parse_plan(data)
    with pytest.raises(RuntimeError), transaction(sessions) as s:
        plans.load_plan(s, doc, source="x", by="test")
        raise RuntimeError("disk full half-way")
    assert _counts(sessions) == before


def test_adjustment_creates_a_readable_new_version(sessions: sessionmaker[Session]) -> None:
    _load(sessions)
    with transaction(sessions) as s:
        v2 = plans.adjust_plan(s, [plans.Change("T1.M1.TG1", "value_max", 5),
                                   plans.Change("T1.M1", "title.en", "Build more incubators")],
                               by="区科委 张三", reason="中期评估：孵化器需求超出预期")
        assert v2.number == 2
    with sessions() as s:
        versions = plans.list_versions(s)
        assert [(v.number, v.created_by) for v in versions] == [(1, "test"), (2, "区科委 张三")]
        assert versions[1].reason == "中期评估：孵化器需求超出预期"
        old = plans.element(s, plans.get_version(s, None, 1), "T1.M1.TG1")
        new = plans.element(s, plans.get_version(s, None, 2), "T1.M1.TG1")
        assert (old.attrs["value_max"], new.attrs["value_max"]) == (3, 5)
        diffs = {d.code: d for d in plans.diff_versions(s, 1, 2)}
        assert set(diffs) == {"T1.M1.TG1", "T1.M1"}
        assert diffs["T1.M1"].fields == {"title_en": ("Build incubators", "Build more incubators")}
        assert diffs["T1.M1.TG1"].fields["attrs"][0]["value_max"] == 3
        assert diffs["T1.M1.TG1"].fields["attrs"][1]["value_max"] == 5
        assert plans.latest_version(s).document["areas"][0]["tasks"][0]["measures"][0]["title"]["en"] == \
            "Build more incubators"


@pytest.mark.parametrize(("change", "message"), [
    (plans.Change("NOPE", "title.zh", "x"), "no element with code 'NOPE'"),
    (plans.Change("T1.M1", "colour", "x"), "T1.M1: no field 'colour'"),
    (plans.Change("T1.M1.TG1", "value_min", 9), "value_min 9.0 > value_max 3.0"),
    (plans.Change("T1.M1.TG1", "value_max", 3), "the adjustment changes nothing"),
])
def test_bad_adjustment_is_refused_and_writes_nothing(sessions: sessionmaker[Session], change: plans.Change,
                                                       message: str) -> None:
    _load(sessions)
    before = _counts(sessions)
    with pytest.raises((plans.AdjustmentError, PlanFileError), match=message), transaction(sessions) as s:
        plans.adjust_plan(s, [change], by="a", reason="b")
    assert _counts(sessions) == before


def test_adjustment_needs_who_and_why(sessions: sessionmaker[Session]) -> None:
    _load(sessions)
    with pytest.raises(plans.AdjustmentError, match="who made it"), transaction(sessions) as s:
        plans.adjust_plan(s, [plans.Change("T1.M1.TG1", "value_max", 4)], by=" ", reason="x")


def test_reloading_a_changed_file_makes_a_new_version(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    _load(sessions)
    changed = _broken(tmp_path, lambda d: d["facts"][0].update(value=121))
    res = _load(sessions, changed)
    assert (res.created, res.version) == (True, 2)
    with sessions() as s:
        assert s.scalars(select(Observation.value)).all() == [121.0]
        assert plans.get_version(s, None, 1).document["facts"][0]["value"] == 120
