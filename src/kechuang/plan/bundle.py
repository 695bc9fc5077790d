"""A district's bundle: the folder that holds everything district-specific, read through one path.

A bundle is a folder with a manifest ``bundle.yaml`` (format ``kechuang-bundle/1``) naming its files:

- ``plan``: the plan file (``docs/plan-format.md``) with the district's own zones and place types and their labels;
- ``index`` (optional): a folder with ``framework.yaml`` (the index framework, its specs and published series;
  :mod:`kechuang.index_results.frameworks`). A plan without a composite index has none;
- ``found_figures`` (optional): further sourced figures (:mod:`kechuang.indicators.found`);
- ``map`` (optional): the district outline (GeoJSON FeatureCollection) with the names of the district's own
  feature, the texts that describe the map and its source;
- ``places_term`` (optional): the code of the glossary term that explains the spatial structure (shown on the
  places and map pages).

The bundles shipped with the package live in ``kechuang/data/<name>/``; ``KECHUANG_BUNDLE`` selects the one
``kechuang init`` loads (a bundled name or a folder; default: ``default`` in ``kechuang/data/bundles.yaml``).
Nothing outside a bundle names a district: pages find the bundle of a plan with :func:`bundle_for_plan`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kechuang.core.settings import Settings
from kechuang.plan.schemas import Text

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MANIFEST = "bundle.yaml"
#: the prefix of a plan version's ``source`` when it was loaded from a bundle (followed by the folder)
SOURCE_PREFIX = "bundle:"


class BundleError(ValueError):
    """A bundle that cannot be used. ``problems`` lists (file, YAML path, reason) triples."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        self.problems = problems
        super().__init__("\n".join(_line(*p) for p in problems))


def _line(file: str, path: str, reason: str) -> str:
    return ": ".join(part for part in (file, path, reason) if part)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MapSettings(_Strict):
    """The map of a bundle: the outline file and how the pages describe it."""

    outline: str = Field(description="GeoJSON FeatureCollection, relative to the bundle folder")
    highlight: Text = Field(description="the district's own feature: its `name` (zh) and `name_en` (en)")
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = Field(
        default=None, description="[[west, north], [east, south]] in degrees; default: the whole outline")
    note: Text = Field(description="what the map shows and how precise it is")
    alt: Text = Field(description="the text alternative of the map image")
    source: Text = Field(description="where the outline comes from, with its licence")


class Manifest(_Strict):
    """``bundle.yaml``."""

    format: str = Field(pattern=r"^kechuang-bundle/1$")
    plan: str = "plan.yaml"
    index: str = ""
    found_figures: str = ""
    map: MapSettings | None = None
    places_term: str = ""


@dataclass(frozen=True)
class DistrictBundle:
    """A bundle folder with its validated manifest; paths of its files are absolute."""

    folder: Path
    manifest: Manifest

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def plan_file(self) -> Path:
        return self.folder / self.manifest.plan

    @property
    def index_folder(self) -> Path | None:
        return self.folder / self.manifest.index if self.manifest.index else None

    @property
    def found_figures(self) -> Path | None:
        return self.folder / self.manifest.found_figures if self.manifest.found_figures else None

    @property
    def map_outline(self) -> Path | None:
        return self.folder / self.manifest.map.outline if self.manifest.map else None

    @property
    def source(self) -> str:
        """What a plan version loaded from this bundle records as its source."""
        return SOURCE_PREFIX + (self.name if self.folder.parent == DATA_DIR else str(self.folder))


def _yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BundleError([(str(path), "", "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise BundleError([(str(path), "", f"not UTF-8 text (byte {exc.start})")]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise BundleError([(str(path), where, f"YAML syntax error: {exc.problem}")]) from None


def read_bundle(folder: Path | str) -> DistrictBundle:
    """Read and validate ``folder/bundle.yaml`` (every problem at once) and check that the files it names exist."""
    folder = Path(folder).resolve()
    path = folder / MANIFEST
    if not folder.is_dir():
        raise BundleError([(str(folder), "", "not a folder")])
    raw = _yaml(path)
    if not isinstance(raw, dict):
        raise BundleError([(str(path), "", "the file must contain a mapping at the top level")])
    try:
        manifest = Manifest.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            reason = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
            problems.append((str(path), ".".join(str(p) for p in err["loc"]), reason))
        raise BundleError(problems) from None
    bundle = DistrictBundle(folder, manifest)
    missing = []
    for field, target, want_dir in (("plan", bundle.plan_file, False), ("index", bundle.index_folder, True),
                                    ("found_figures", bundle.found_figures, False),
                                    ("map.outline", bundle.map_outline, False)):
        if target is not None and not (target.is_dir() if want_dir else target.is_file()):
            shown = target.relative_to(folder) if target.is_relative_to(folder) else target
            missing.append((str(path), field, f"names {shown}, which is not there"))
    if missing:
        raise BundleError(missing)
    return bundle


def default_name() -> str:
    """The bundle shipped as the default (``default`` in ``kechuang/data/bundles.yaml``)."""
    return str(_yaml(DATA_DIR / "bundles.yaml")["default"])


def resolve(name_or_folder: str) -> Path:
    """A bundle name shipped with the package (``kechuang/data/<name>``) or a folder path, as a folder."""
    shipped = DATA_DIR / name_or_folder
    if "/" not in name_or_folder and (shipped / MANIFEST).is_file():
        return shipped
    return Path(name_or_folder)


def configured_bundle(settings: Settings | None = None) -> DistrictBundle:
    """The bundle ``KECHUANG_BUNDLE`` selects (``Settings.bundle``: the name of a bundle shipped in
    ``kechuang/data/`` or the path of a bundle folder; default: ``default`` in ``kechuang/data/bundles.yaml``)."""
    chosen = (settings or Settings()).bundle or default_name()
    try:
        return read_bundle(resolve(chosen))
    except BundleError as exc:
        raise BundleError([("KECHUANG_BUNDLE", chosen, "")] + exc.problems) from None


def shipped_bundles() -> list[DistrictBundle]:
    """Every bundle in ``kechuang/data/``, by name."""
    return [read_bundle(p.parent) for p in sorted(DATA_DIR.glob(f"*/{MANIFEST}"))]


@lru_cache(maxsize=64)
def _plan_code(plan_file: Path, mtime: float) -> str:
    data = _yaml(plan_file)
    return str(((data or {}).get("plan") or {}).get("code", "")) if isinstance(data, dict) else ""


def plan_code(bundle: DistrictBundle) -> str:
    """The code of the plan in the bundle's plan file (read once per file version)."""
    return _plan_code(bundle.plan_file, bundle.plan_file.stat().st_mtime)


def bundle_for_plan(plan_code_: str, sources: list[str] | None = None) -> DistrictBundle | None:
    """The bundle a stored plan came from: a bundle named by one of its versions' ``sources`` (newest first),
    else the configured bundle or a shipped one whose plan has this code; None when no bundle has it."""
    for source in sources or []:
        if source.startswith(SOURCE_PREFIX):
            try:
                found = read_bundle(resolve(source.removeprefix(SOURCE_PREFIX)))
            except BundleError:
                continue
            if plan_code(found) == plan_code_:
                return found
    try:
        candidates = [configured_bundle()]
    except BundleError:  # a wrong KECHUANG_BUNDLE is reported by `kechuang init`; pages still find shipped bundles
        candidates = []
    candidates += shipped_bundles()
    return next((b for b in candidates if plan_code(b) == plan_code_), None)


def read_outline(bundle: DistrictBundle) -> dict[str, Any]:
    """The bundle's map outline as GeoJSON data (raises :class:`BundleError` naming what is wrong)."""
    path = bundle.map_outline
    if path is None:
        raise BundleError([(str(bundle.folder / MANIFEST), "map", "the bundle has no map")])
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError([(str(path), "", f"not a readable JSON file ({exc})")]) from None
    problems = []
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        problems.append((str(path), "type", "a GeoJSON FeatureCollection is expected"))
    else:
        features = data.get("features") or []
        names = [(f.get("properties") or {}).get("name") for f in features if isinstance(f, dict)]
        names_en = [(f.get("properties") or {}).get("name_en") for f in features if isinstance(f, dict)]
        assert bundle.manifest.map is not None
        hl = bundle.manifest.map.highlight
        if hl.zh not in names:
            problems.append((str(path), "features[].properties.name",
                             f"no feature is named {hl.zh!r} (map.highlight.zh of {MANIFEST})"))
        if hl.en and hl.en not in names_en:
            problems.append((str(path), "features[].properties.name_en",
                             f"no feature has name_en {hl.en!r} (map.highlight.en of {MANIFEST})"))
    if problems:
        raise BundleError(problems)
    return data
