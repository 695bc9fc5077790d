"""The plan file format: a declarative, bilingual description of one district plan.

A plan file (YAML) is validated against :class:`PlanDocument` before anything touches the
database. Every text is bilingual (:class:`Text`, Chinese required, English expected).
Every element carries a ``code`` unique within the document; codes are the stable identity
of an element across plan versions (an adjustment changes content, never codes).

The format is documented with an example in ``docs/plan-format.md``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9_.\-]*$"
#: codes the storage gives to the untitled texts (basis summary and conclusion, guiding thought)
RESERVED_CODES = frozenset({"BASIS", "BASIS_END", "GUIDING"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A bilingual text: Chinese (the authoritative wording) and its English translation."""

    zh: str = Field(min_length=1)
    en: str = ""

    def get(self, lang: str) -> str:
        """The text in ``lang`` ('zh' or 'en'), falling back to Chinese when no translation exists."""
        return self.en if lang == "en" and self.en else self.zh


class SourceRef(_Strict):
    """Where a statement comes from: a section of the plan text and the exact quote."""

    section: str = Field(description="Chapter/section of the plan, e.g. '一(一)'")
    quote: str = Field(min_length=1, description="The sentence of the plan text the figure is read from")


class Element(_Strict):
    """A titled paragraph of the plan (shortcoming, trend, principle, sub-goal, safeguard)."""

    code: str = Field(pattern=CODE_PATTERN)
    title: Text
    text: Text


#: how often an indicator is reported (the same values as ``kechuang.indicators.profiles.FREQUENCIES``)
Frequency = Literal["annual", "semiannual", "quarterly", "monthly"]


class Indicator(_Strict):
    """An indicator the plan quantifies: what is measured and in which unit. ``frequency``, when the plan states
    it, is how often departments report it (the indicator's monitoring profile starts with it)."""

    code: str = Field(pattern=CODE_PATTERN)
    name: Text
    unit: Text
    direction: Literal[1, -1] = 1
    description: Text | None = None
    frequency: Frequency | None = None


class Fact(_Strict):
    """A quantified fact of the plan's development basis: one observation of an indicator.

    ``qualifier`` keeps the wording of the text: 'exact' (达99.04件), 'more_than' (10余所, 超过276亿元,
    8000余家, 100多家, 1000余家), 'about' (约1.8万家).
    """

    code: str = Field(pattern=CODE_PATTERN)
    indicator: str = Field(description="code of an Indicator of this document")
    value: float
    year: int = Field(ge=1949, le=2100)
    period: str | None = Field(default=None, description="e.g. '2016-2020' for 十三五 averages or totals")
    qualifier: Literal["exact", "more_than", "about"] = "exact"
    scope: Text | None = Field(default=None, description="what the figure is relative to, e.g. 占全市")
    source: SourceRef


class Target(_Strict):
    """A quantity a measure states: e.g. 2-3家大学科技园示范园 by 2025."""

    code: str = Field(pattern=CODE_PATTERN)
    description: Text
    indicator: str | None = None
    value_min: float | None = None
    value_max: float | None = None
    unit: Text
    year: int
    source: SourceRef

    @model_validator(mode="after")
    def _bounds(self) -> Target:
        if self.value_min is None and self.value_max is None:
            raise ValueError("a target needs value_min or value_max")
        if self.value_min is not None and self.value_max is not None and self.value_min > self.value_max:
            raise ValueError(f"value_min {self.value_min} > value_max {self.value_max}")
        return self


ProjectKind = Literal["project", "place", "platform", "institution", "policy", "event", "product", "programme"]


class Project(_Strict):
    """A key project, place, platform or programme named inside a measure."""

    code: str = Field(pattern=CODE_PATTERN)
    name: Text
    kind: ProjectKind
    place: str | None = Field(default=None, description="code of a Place of this document")
    note: Text | None = None


class Measure(_Strict):
    """A measure: one paragraph of a task, named by its lead phrase (e.g. 打造区校融合升级版).

    ``titled`` is False where the paragraph has no lead phrase of its own (in the default bundle's plan,
    tasks 11 and 12): the title is then the paragraph's opening clause.
    """

    code: str = Field(pattern=CODE_PATTERN)
    title: Text
    titled: bool = True
    text: Text
    projects: list[Project] = []
    targets: list[Target] = []


class Task(_Strict):
    code: str = Field(pattern=CODE_PATTERN)
    number: int = Field(ge=1)
    title: Text
    measures: list[Measure] = Field(min_length=1)


class Area(_Strict):
    code: str = Field(pattern=CODE_PATTERN)
    number: int = Field(ge=1)
    title: Text
    tasks: list[Task] = Field(min_length=1)


class Goal(_Strict):
    code: str = Field(pattern=CODE_PATTERN)
    year: int
    statement: Text
    sub_goals: list[Element] = []


class GlossaryTerm(_Strict):
    """A term of the glossary (附件 名词解释). ``matches`` are the spellings searched for in the text
    to link the term to every element that uses it (default: the Chinese term itself)."""

    code: str = Field(pattern=CODE_PATTERN)
    number: int
    term: Text
    definition: Text
    matches: list[str] = []


class Label(_Strict):
    """A code the plan defines for itself with its label in both languages: a zone of the district
    (``zones``) or a kind of place (``place_types``). Places refer to these codes."""

    code: str = Field(pattern=CODE_PATTERN)
    name: Text


class Place(_Strict):
    """A place of the spatial structure. Coordinates are WGS84; ``approximate`` marks a point placed
    by hand at the area's centre rather than surveyed. ``type`` is a code of the plan's ``place_types``,
    ``zone`` one of its ``zones`` (none: the place belongs to the whole district)."""

    code: str = Field(pattern=CODE_PATTERN)
    name: Text
    type: str = Field(pattern=CODE_PATTERN)
    zone: str | None = Field(default=None, pattern=CODE_PATTERN)
    parent: str | None = Field(default=None, description="code of the containing place or group")
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    approximate: bool = True
    note: Text | None = None
    source: SourceRef


class BasisSection(_Strict):
    """A section of chapter 一 (发展基础): titled paragraphs (创新机构高度集聚 …)."""

    code: str = Field(pattern=CODE_PATTERN)
    title: Text
    paragraphs: list[Element]


class Basis(_Strict):
    summary: Text
    sections: list[BasisSection]
    conclusion: Text


class PlanMeta(_Strict):
    code: str = Field(pattern=CODE_PATTERN, description="stable identity of the plan, e.g. <district>-sti-14fyp")
    title: Text
    district: Text
    document_number: str
    issuer: Text
    approved_on: dt.date
    approved_by: Text
    issued_on: dt.date
    period_start: int
    period_end: int
    vision_year: int
    based_on: list[Text]
    preamble: Text
    source_url: str | None = None

    @model_validator(mode="after")
    def _years(self) -> PlanMeta:
        if not self.period_start <= self.period_end <= self.vision_year:
            raise ValueError("need period_start <= period_end <= vision_year")
        return self


class PlanDocument(_Strict):
    """The whole plan file."""

    format: Literal["kechuang-plan/1"]
    plan: PlanMeta
    basis: Basis
    indicators: list[Indicator]
    facts: list[Fact]
    shortcomings: list[Element]
    trends: list[Element]
    guiding_thought: Text
    principles: list[Element]
    goals: list[Goal]
    areas: list[Area] = Field(min_length=1)
    safeguards: list[Element]
    glossary: list[GlossaryTerm]
    zones: list[Label] = []
    place_types: list[Label] = []
    places: list[Place]

    @field_validator("areas")
    @classmethod
    def _numbers(cls, areas: list[Area]) -> list[Area]:
        tasks = [t.number for a in areas for t in a.tasks]
        if tasks != sorted(set(tasks)):
            raise ValueError(f"task numbers must be unique and increasing, got {tasks}")
        return areas

    @model_validator(mode="after")
    def _references(self) -> PlanDocument:
        problems = reference_problems(self)
        if problems:
            raise ReferenceProblems(problems)
        return self

    def iter_measures(self) -> list[Measure]:
        return [m for a in self.areas for t in a.tasks for m in t.measures]

    def iter_codes(self) -> list[tuple[str, str]]:
        """Every (kind, code) pair of the document, in document order."""
        out: list[tuple[str, str]] = []
        out += [("indicator", i.code) for i in self.indicators]
        out += [("fact", f.code) for f in self.facts]
        out += [("basis_section", s.code) for s in self.basis.sections]
        out += [("basis_paragraph", p.code) for s in self.basis.sections for p in s.paragraphs]
        out += [("shortcoming", e.code) for e in self.shortcomings]
        out += [("trend", e.code) for e in self.trends]
        out += [("principle", e.code) for e in self.principles]
        for g in self.goals:
            out.append(("goal", g.code))
            out += [("sub_goal", s.code) for s in g.sub_goals]
        for a in self.areas:
            out.append(("area", a.code))
            for t in a.tasks:
                out.append(("task", t.code))
                for m in t.measures:
                    out.append(("measure", m.code))
                    out += [("project", p.code) for p in m.projects]
                    out += [("target", tg.code) for tg in m.targets]
        out += [("safeguard", e.code) for e in self.safeguards]
        out += [("glossary_term", g.code) for g in self.glossary]
        out += [("place", p.code) for p in self.places]
        return out


class ReferenceProblems(ValueError):
    """Every broken reference of a plan document at once: ``problems`` lists (YAML path, reason) pairs."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{path}: {reason}" if path else reason for path, reason in problems))


def _at(field: str, index: int, code: str, sub: str = "") -> str:
    return f"{field}[{index}]({code})" + (f".{sub}" if sub else "")


def _listed(codes: set[str]) -> str:
    return ", ".join(sorted(codes)) or "none listed"


def reference_problems(doc: PlanDocument) -> list[tuple[str, str]]:
    """Every reference of ``doc`` that does not resolve, and every code used twice or reserved, as
    (YAML path, reason) pairs in document order (the path in the form ``places[3](PL_X).zone``)."""
    problems: list[tuple[str, str]] = []
    codes: dict[str, str] = {}
    for kind, code in doc.iter_codes():
        if code in RESERVED_CODES:
            problems.append(("", f"code {code!r} ({kind}) is reserved"))
        elif code in codes:
            problems.append(("", f"code {code!r} is used twice ({codes[code]} and {kind})"))
        else:
            codes[code] = kind
    for field, labels in (("zones", doc.zones), ("place_types", doc.place_types)):
        seen: set[str] = set()
        for i, lab in enumerate(labels):
            if lab.code in seen:
                problems.append((_at(field, i, lab.code), f"code {lab.code!r} is listed twice"))
            seen.add(lab.code)
    indicators = {i.code for i in doc.indicators}
    places = {p.code for p in doc.places}
    zones = {z.code for z in doc.zones}
    types = {t.code for t in doc.place_types}
    for i, f in enumerate(doc.facts):
        if f.indicator not in indicators:
            problems.append((_at("facts", i, f.code, "indicator"),
                             f"indicator {f.indicator!r} is not defined under indicators"))
    for i, p in enumerate(doc.places):
        if p.parent is not None and p.parent not in places:
            problems.append((_at("places", i, p.code, "parent"), f"parent {p.parent!r} is not a place code"))
        if p.type not in types:
            problems.append((_at("places", i, p.code, "type"),
                             f"place type {p.type!r} is not listed under place_types ({_listed(types)})"))
        if p.zone is not None and p.zone not in zones:
            problems.append((_at("places", i, p.code, "zone"),
                             f"zone {p.zone!r} is not listed under zones ({_listed(zones)})"))
    for a_i, a in enumerate(doc.areas):
        for t_i, t in enumerate(a.tasks):
            for m_i, m in enumerate(t.measures):
                where = f"{_at('areas', a_i, a.code)}.{_at('tasks', t_i, t.code)}.{_at('measures', m_i, m.code)}"
                for p_i, pr in enumerate(m.projects):
                    if pr.place is not None and pr.place not in places:
                        problems.append((f"{where}.{_at('projects', p_i, pr.code, 'place')}",
                                         f"place {pr.place!r} is not a place code"))
                for g_i, tg in enumerate(m.targets):
                    if tg.indicator is not None and tg.indicator not in indicators:
                        problems.append((f"{where}.{_at('targets', g_i, tg.code, 'indicator')}",
                                         f"indicator {tg.indicator!r} is not defined under indicators"))
    return problems
