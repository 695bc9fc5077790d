"""Index frameworks as data: a plan's bundle names its index (``index/framework.yaml``: codes, unit, files), and
registering it stores the framework and makes every node a plan indicator.

Each leaf of the framework becomes the indicator ``<indicator_prefix><iCode>`` with a monitoring profile of kind
``index`` (unit, direction and name from iMeta), so that departments report it through the same periods,
validation, two-step approval and audit as every other indicator. Each aggregate becomes an indicator too (it is
computed, not collected: its published figures are stored under it); the composite is the plan's own headline
indicator (``headline_indicator``) when the bundle names one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kechuang.core.yamlfile import YamlFileError, read_yaml
from kechuang.index.io import read_imeta, read_table
from kechuang.index.spec import Spec, load_spec
from kechuang.index_results.models import IndexFramework
from kechuang.indicators.models import Indicator
from kechuang.indicators.profiles import IndicatorProfile


class FrameworkError(ValueError):
    """A framework file that cannot be used (names the file and the reason)."""


class _Text(BaseModel):
    model_config = ConfigDict(extra="forbid")
    zh: str
    en: str = ""


class _Unit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    name: _Text


class FrameworkFile(BaseModel):
    """``framework.yaml`` of a bundle (see the bundled one for every field with a comment)."""

    model_config = ConfigDict(extra="forbid")
    code: str
    title: _Text
    index_code: str
    unit: _Unit
    indicator_prefix: str
    headline_indicator: str = ""
    growth_fact_indicator: str = ""
    meta: str
    spec: str
    published: str = ""
    demo_data: str = ""
    demo_unit: str = ""
    uncertainty: str = ""
    units_en: dict[str, str] = {}
    published_series: list[str] = []
    aggregate_unit: _Text = _Text(zh="指数", en="index")
    method_note: _Text | None = None


@dataclass(frozen=True)
class Bundle:
    """A framework file with the folder its other files are in."""

    folder: Path
    file: FrameworkFile

    def path(self, name: str) -> Path | None:
        return self.folder / name if name else None

    @property
    def meta_table(self) -> pd.DataFrame:
        return read_table(self.folder / self.file.meta)

    @property
    def spec(self) -> Spec:
        return load_spec(self.folder / self.file.spec)


def read_bundle(folder: Path | None = None) -> Bundle:
    """Read and validate ``folder/framework.yaml`` (errors name the file, the field and the reason); without a
    folder, the index folder of the configured district bundle (``KECHUANG_BUNDLE``)."""
    if folder is None:
        from kechuang.plan.bundle import configured_bundle

        district = configured_bundle()
        if district.index_folder is None:
            raise FrameworkError(f"{district.folder}: the bundle has no index framework")
        folder = district.index_folder
    path = folder / "framework.yaml"
    try:
        spec = FrameworkFile.model_validate(read_yaml(path))
    except YamlFileError as exc:
        raise FrameworkError(str(exc)) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise FrameworkError(f"{path}: {where}: {first['msg']}") from exc
    for name in (spec.meta, spec.spec, spec.published, spec.demo_data, spec.uncertainty):
        if name and not (folder / name).is_file():
            raise FrameworkError(f"{path}: names {name}, which is not in {folder}")
    return Bundle(folder, spec)


def _content_hash(meta: list[dict[str, Any]], spec: dict[str, Any], file: FrameworkFile) -> str:
    blob = json.dumps([meta, spec, file.model_dump()], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in table.to_dict("records")]


def register(session: Session, plan_id: int, bundle: Bundle) -> IndexFramework:
    """Store the framework of ``bundle`` for the plan (updated when its files changed) and upsert its
    indicators (see the module docstring). Idempotent."""
    table = bundle.meta_table
    read_imeta(bundle.folder / bundle.file.meta)  # validated by the engine's own reader (errors name row/column)
    meta = _records(table)
    spec = bundle.spec.to_dict()
    digest = _content_hash(meta, spec, bundle.file)
    fw = session.scalar(select(IndexFramework).where(IndexFramework.plan_id == plan_id,
                                                     IndexFramework.code == bundle.file.code))
    if fw is None:
        fw = IndexFramework(plan_id=plan_id, code=bundle.file.code)
        session.add(fw)
    if fw.content_hash != digest:  # the framework file's fields (units_en among them) are part of the hash
        f = bundle.file
        fw.title_zh, fw.title_en = f.title.zh, f.title.en
        fw.index_code, fw.unit_code = f.index_code, f.unit.code
        fw.unit_name_zh, fw.unit_name_en = f.unit.name.zh, f.unit.name.en
        fw.indicator_prefix, fw.headline_indicator = f.indicator_prefix, f.headline_indicator
        fw.growth_fact_indicator = f.growth_fact_indicator
        fw.meta, fw.spec, fw.source, fw.content_hash = meta, spec, str(bundle.folder.name), digest
    session.flush()
    _sync_indicators(session, plan_id, fw, bundle.file)
    return fw


def indicator_code(fw: IndexFramework, icode: str) -> str:
    """The plan indicator a framework node is stored as."""
    if icode == fw.index_code and fw.headline_indicator:
        return fw.headline_indicator
    return fw.indicator_prefix + icode


def leaves(fw: IndexFramework) -> list[dict[str, Any]]:
    """The iMeta rows of the framework's indicators (Level 1, Type Indicator), in iMeta order."""
    return [r for r in fw.meta if int(r["Level"]) == 1 and str(r.get("Type", "Indicator")) == "Indicator"]


def _sync_indicators(session: Session, plan_id: int, fw: IndexFramework, file: FrameworkFile) -> None:
    units_en = file.units_en
    existing = {i.code: i for i in session.scalars(select(Indicator).where(Indicator.plan_id == plan_id))}
    leaf_codes = {r["iCode"] for r in leaves(fw)}
    for row in fw.meta:
        if str(row.get("Type", "")) not in ("Indicator", "Aggregate"):
            continue
        code = indicator_code(fw, str(row["iCode"]))
        ind = existing.get(code)
        if ind is None:
            ind = Indicator(plan_id=plan_id, code=code)
            session.add(ind)
            existing[code] = ind
        elif code == fw.headline_indicator:
            continue  # the plan's own indicator keeps the plan's name and unit
        ind.name_zh = str(row["iName"])
        ind.name_en = str(row.get("iName_en") or row["iName"])
        is_leaf = row["iCode"] in leaf_codes
        unit = str(row.get("Unit") or "")
        ind.unit_zh = unit if is_leaf else file.aggregate_unit.zh
        ind.unit_en = (units_en.get(unit) or unit) if is_leaf else (file.aggregate_unit.en or file.aggregate_unit.zh)
        ind.direction = int(row.get("Direction") or 1)
        ind.description_zh = f"{fw.title_zh}的{'指标' if is_leaf else '分项指数'}（{row['iCode']}）"
        ind.description_en = f"{'Indicator' if is_leaf else 'Sub-index'} {row['iCode']} of the {fw.title_en}"
        session.flush()
        if is_leaf and session.scalar(select(IndicatorProfile).where(IndicatorProfile.indicator_id == ind.id)) is None:
            session.add(IndicatorProfile(indicator_id=ind.id, kind="index", frequency="annual"))
    session.flush()


def frameworks(session: Session, plan_id: int) -> list[IndexFramework]:
    return list(session.scalars(select(IndexFramework).where(IndexFramework.plan_id == plan_id)
                                .order_by(IndexFramework.id)))


def get_framework(session: Session, plan_id: int, code: str | None = None) -> IndexFramework:
    """The framework ``code`` of the plan (the first registered when no code is given)."""
    stmt = select(IndexFramework).where(IndexFramework.plan_id == plan_id)
    if code is not None:
        stmt = stmt.where(IndexFramework.code == code)
    fw = session.scalar(stmt.order_by(IndexFramework.id).limit(1))
    if fw is None:
        raise FrameworkError(f"no index framework {code!r}" if code else "the plan has no index framework")
    return fw

