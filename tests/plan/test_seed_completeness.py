"""The bundled Yangpu plan file against the plan's own text.

Everything expected here is read from the seed document (tests/fixtures/seed/000_493cfe87ad3832fb.txt), not
copied from the YAML: the chapters, sections, tasks and paragraphs are parsed from the text, the numbers
of chapter 一 are extracted with a regular expression, and the YAML must account for each of them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from kechuang.plan.schemas import PlanDocument

ROOT = Path(__file__).resolve().parents[2]
SEED_FILE = ROOT / "tests/fixtures/seed/000_493cfe87ad3832fb.txt"
PLAN_FILE = ROOT / "src/kechuang/data/yangpu/plan.yaml"

CN_DIGITS = "一二三四五六七八九十"
YANGPU_BBOX = (121.49, 121.57, 31.24, 31.34)  # lon_min, lon_max, lat_min, lat_max (district outline ± margin)


# --- the seed, parsed -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    title: str
    paras: list[str]


@dataclass(frozen=True)
class Seed:
    raw: str
    paras: list[str]  # non-empty lines, whitespace (incl. no-break spaces) stripped
    preamble: list[str]
    chapters: dict[str, list[str]]  # '一' … '六' -> paragraphs of the chapter (headings included)
    glossary: list[str]

    def sections(self, chapter: str) -> tuple[list[str], list[Section]]:
        """The paragraphs of a chapter before its first '(一)' heading, and its (一)(二)… sections."""
        lead: list[str] = []
        out: list[Section] = []
        for p in self.chapters[chapter]:
            m = re.fullmatch(rf"\(([{CN_DIGITS}])\)(.+)", p)
            if m:
                out.append(Section(m.group(2), []))
            elif out:
                out[-1].paras.append(p)
            else:
                lead.append(p)
        return lead, out

    def tasks(self) -> list[tuple[int, str, str, list[str]]]:
        """(number, title, area title, measure paragraphs) for every task of chapter 五."""
        out: list[tuple[int, str, str, list[str]]] = []
        for area in self.sections("五")[1]:
            for p in area.paras:
                m = re.fullmatch(r"(\d+)\.(.+)", p)
                if m:
                    out.append((int(m.group(1)), m.group(2), area.title, []))
                else:
                    out[-1][3].append(p)
        return out

    def span(self, section: str) -> str:
        """The text of a section reference: '一', '一(三)', '五(三)6' or '附件5'."""
        m = re.fullmatch(r"附件(\d)", section)
        if m:
            return self.glossary[int(m.group(1)) - 1]
        m = re.fullmatch(rf"([{CN_DIGITS}])(?:\(([{CN_DIGITS}])\)(\d+)?)?", section)
        assert m, f"unknown section reference {section!r}"
        chapter, sec, task = m.groups()
        if sec is None:
            return "\n".join(self.chapters[chapter])
        paras = self.sections(chapter)[1][CN_DIGITS.index(sec)].paras
        if task is not None:
            paras = next(ps for n, _, _, ps in self.tasks() if n == int(task))
        return "\n".join(paras)


@cache
def seed() -> Seed:
    assert SEED_FILE.is_file(), f"seed document missing: {SEED_FILE} (kept in tests/fixtures/seed)"
    raw = SEED_FILE.read_text(encoding="utf-8")
    paras = [p for p in (line.strip().strip("\xa0").strip() for line in raw.splitlines()) if p]
    title = paras.index("杨浦区提升科技创新能级“十四五”规划")  # the plan's own title line, after the notice
    end = paras.index("附件")
    body = paras[title + 1:end]
    heads = [i for i, p in enumerate(body) if re.fullmatch(rf"[{CN_DIGITS}]、.+", p)]
    assert [body[i][0] for i in heads] == list("一二三四五六")
    chapters = {body[a][0]: body[a + 1:b] for a, b in zip(heads, heads[1:] + [len(body)], strict=True)}
    glossary = []
    for p in paras[paras.index("名词解释") + 1:]:
        if not re.match(r"\d+\.", p):
            break
        glossary.append(p)
    return Seed(raw, paras, body[:heads[0]], chapters, glossary)


@cache
def raw_plan() -> dict[str, Any]:
    with PLAN_FILE.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@cache
def plan() -> PlanDocument:
    return PlanDocument.model_validate(raw_plan())


def heading(paragraph: str) -> str:
    """A paragraph's lead phrase: everything up to its first '。'."""
    return paragraph.split("。")[0]


# --- numbers in a text ------------------------------------------------------------------------------------

NUMBER = re.compile(r"(?P<pre>超过|约)?(?P<num>\d+(?:\.\d+)?)(?:/(?P<den>\d+))?(?P<wan>万)?(?P<post>余|多)?")
CN_NUMBER = re.compile(rf"连续(?P<a>[{CN_DIGITS}])年|(?P<b>[{CN_DIGITS}])[大项]|第(?P<c>[{CN_DIGITS}])(?=[。;,]|$)")


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    value: float
    qualifier: str  # exact | more_than | about
    share_of_city: bool


def quantities(text: str) -> list[Quantity]:
    """Every quantity written in ``text``: Arabic numbers (1/3 read as 33.33 %, 1.8万 as 18000, 10余 as
    'more than 10') and the small Chinese numerals of 连续三年, 四大, 十项, 第一."""
    out = []
    for m in NUMBER.finditer(text):
        value = float(m["num"])
        if m["den"]:
            value = 100 * value / float(m["den"])
        elif m["wan"]:
            value *= 10_000
        qualifier = "about" if m["pre"] == "约" else "more_than" if (m["pre"] or m["post"]) else "exact"
        share = text[max(0, m.start() - 3):m.start()] == "占全市"
        out.append(Quantity(m.start("num"), m.end(), value, qualifier, share))
    for m in CN_NUMBER.finditer(text):
        digit = m["a"] or m["b"] or m["c"]
        out.append(Quantity(m.start(), m.end(), CN_DIGITS.index(digit) + 1, "exact", False))
    return out


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.01 * max(1.0, abs(b) / 100)


# --- the document -----------------------------------------------------------------------------------------


def test_document_validates_and_metadata_matches_the_notice():
    doc = plan()
    s = seed()
    notice = "\n".join(s.paras[: s.paras.index("杨浦区提升科技创新能级“十四五”规划")])
    meta = doc.plan
    assert meta.code == "yangpu-sti-14fyp"
    assert f"《{meta.title.zh}》" in notice
    assert meta.district.zh == "杨浦区"
    assert meta.document_number in notice
    assert meta.issuer.zh in notice
    y, mo, d, meeting = re.search(r"已经(\d{4})年(\d+)月(\d+)日(区政府第\d+次常务会议)通过", notice).groups()
    assert meta.approved_on == dt.date(int(y), int(mo), int(d))
    assert meta.approved_by.zh == meeting
    y, mo, d = re.search(r"\n(\d{4})年(\d+)月(\d+)日$", notice).groups()
    assert meta.issued_on == dt.date(int(y), int(mo), int(d))
    assert meta.preamble.zh.split("\n") == s.preamble
    first, basis_para = s.preamble
    assert re.search(rf"到{meta.period_end}年初步建成.*{meta.vision_year}年全面建成", first)
    assert (meta.period_start, meta.period_end) == (2021, 2025)  # the 14th five-year period
    cited = [f"《{t}》" for t in re.findall(r"《(.+?)》", basis_para) if t != meta.title.zh]
    assert [b.zh for b in meta.based_on] == cited
    assert len(cited) == 4


def test_every_text_has_an_english_translation():
    missing = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            if "zh" in node and not str(node.get("en", "")).strip():
                missing.append(path)
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                code = value.get("code", i) if isinstance(value, dict) else i
                walk(value, f"{path}[{code}]")

    walk(raw_plan(), "")
    assert missing == []
    cjk = re.compile(r"[\u4e00-\u9fff]")
    doc = plan()
    titles = [doc.plan.title, doc.plan.district, doc.plan.issuer, *doc.plan.based_on]
    titles += [e.title for e in doc.shortcomings + doc.trends + doc.principles + doc.safeguards]
    titles += [s.title for g in doc.goals for s in g.sub_goals]
    titles += [s.title for s in doc.basis.sections] + [p.title for s in doc.basis.sections for p in s.paragraphs]
    titles += [a.title for a in doc.areas] + [t.title for a in doc.areas for t in a.tasks]
    titles += [m.title for m in doc.iter_measures()] + [p.name for m in doc.iter_measures() for p in m.projects]
    titles += [i.name for i in doc.indicators] + [i.unit for i in doc.indicators]
    titles += [g.term for g in doc.glossary] + [p.name for p in doc.places]
    untranslated = [t.zh for t in titles if cjk.search(t.en)]
    assert untranslated == []


# --- chapter 一: basis and facts --------------------------------------------------------------------------


def test_basis_sections_paragraphs_and_conclusion_are_the_seed_text():
    s = seed()
    lead, sections = s.sections("一")
    basis = plan().basis
    assert basis.summary.zh == lead[0] and len(lead) == 1
    # the last section ends with the chapter's conclusion and the paragraph of shortcomings (一是…四是)
    last = sections[-1].paras
    shortcomings_at = next(i for i, p in enumerate(last) if p.startswith("一是"))
    assert shortcomings_at == len(last) - 1
    assert basis.conclusion.zh == last[shortcomings_at - 1]
    sections[-1] = Section(sections[-1].title, last[: shortcomings_at - 1])
    assert [b.title.zh for b in basis.sections] == [sec.title for sec in sections]
    assert len(sections) == 5
    for b, sec in zip(basis.sections, sections, strict=True):
        assert [p.title.zh for p in b.paragraphs] == [heading(p) for p in sec.paras]
        assert [p.text.zh for p in b.paragraphs] == sec.paras
    assert basis.sections[0].paragraphs[0].title.zh == "创新机构高度集聚"


def _chapter_one_span() -> tuple[int, int]:
    raw = seed().raw
    return raw.index("一、发展基础"), raw.index("二、发展趋势")


def _fact_spans(fact) -> list[tuple[int, int]]:
    raw = seed().raw
    return [(m.start(), m.end()) for m in re.finditer(re.escape(fact.source.quote), raw)]


# Numbers of chapter 一 that are not quantities, so no fact is expected for them:
#   - years (2019年, 2020年底, 2017年 …): they date the facts, they are not facts themselves;
#   - months (2019年11月, 2018年4月);
#   - the names "1+6+4" (a policy system, see glossary 4) and "20+4+4+1" (the spatial structure, glossary 5);
#     its "20 science parks" is a fact of its own (20家科技园区).
NOT_QUANTITIES = [
    re.compile(r"(?:19|20)\d\d(?=年)"),
    re.compile(r"(?<!\d)\d{1,2}(?=月)"),
    re.compile(r"\d+(?:\+\d+)+"),
]
# Quantities of chapter 一 written in Chinese numerals (the regex above would not find them on its own).
CHINESE_QUANTITIES = {"第一": 1, "连续三年": 3, "连续五年": 5, "四大创新创业街区": 4, "十项首创性举措": 10}


def test_every_number_of_chapter_one_is_a_fact():
    raw = seed().raw
    start, end = _chapter_one_span()
    chapter = raw[start:end]
    skipped = set()
    for pattern in NOT_QUANTITIES:
        for m in pattern.finditer(chapter):
            skipped.update(range(m.start(), m.end()))
    wanted = [q for q in quantities(chapter) if re.match(r"\d", chapter[q.start:q.end])]
    wanted = [q for q in wanted if q.start not in skipped]
    for phrase, value in CHINESE_QUANTITIES.items():
        hits = [m.start() for m in re.finditer(phrase, chapter)]
        assert hits, phrase
        wanted += [Quantity(i, i + len(phrase), value, "exact", False) for i in hits]
    assert len(wanted) == 50  # 44 written in digits, 6 in Chinese numerals
    facts = plan().facts
    uncovered = []
    for q in wanted:
        a, b = start + q.start, start + q.end
        covering = [
            f for f in facts
            if close(f.value, q.value) and any(s0 <= a and b <= s1 for s0, s1 in _fact_spans(f))
        ]
        if not covering:
            uncovered.append(chapter[max(0, q.start - 10):q.end + 4])
    assert uncovered == []


def test_each_fact_quotes_the_seed_and_reads_its_value_from_the_quote():
    s = seed()
    doc = plan()
    units = {i.code: i.unit.zh for i in doc.indicators}
    for f in doc.facts:
        quote = f.source.quote
        assert quote in s.raw, f.code
        assert quote in s.span(f.source.section), (f.code, f.source.section)
        matches = [q for q in quantities(quote) if close(f.value, q.value)]
        assert matches, (f.code, f.value, quote)
        assert f.qualifier in {q.qualifier for q in matches}, (f.code, f.qualifier)
        if any(q.share_of_city for q in matches):
            assert f.scope is not None and "全市" in f.scope.zh, f.code
            assert units[f.indicator] == "%", f.code
        years = {int(y) for y in re.findall(r"((?:19|20)\d\d)年", quote)}
        if years:
            assert f.year in years, (f.code, f.year, years)
        if f.period:
            first, last = (int(x) for x in f.period.split("-"))
            assert first < last == f.year, f.code
    shares = [f for f in doc.facts if f.scope is not None and "全市" in f.scope.zh]
    assert sorted(f.value for f in shares) == pytest.approx([10, 20, 20, 33.33, 54], abs=0.01)


def _fact(value: float, unit: str):
    units = {i.code: i.unit.zh for i in plan().indicators}
    found = [f for f in plan().facts if close(f.value, value) and units[f.indicator] == unit]
    assert len(found) == 1, (value, unit, found)
    return found[0]


@pytest.mark.parametrize(
    ("value", "unit", "year", "period", "qualifier"),
    [
        (99.04, "件", 2020, None, "exact"),  # 每万人发明专利拥有量
        (973, "家", 2020, None, "exact"),  # 高新技术企业
        (261.4, "分", 2019, None, "exact"),  # 双创综合指数
        (100, "分", 2013, None, "exact"),  # its base year (glossary 2)
        (17.4, "%", 2019, "2013-2019", "exact"),  # 年均增长率
        (7, "家", 2020, None, "exact"),  # 国家级大学科技园
        (54, "%", 2020, None, "exact"),  # … 占全市54%
        (66, "名", 2020, None, "exact"),  # “两院”院士
        (96.48, "亿元", 2020, None, "exact"),  # 母基金规模
        (276, "亿元", 2020, None, "more_than"),  # 子基金规模超过
        (130, "亿元", 2020, None, "more_than"),  # 产业基金规模超过
        (64, "亿元", 2020, None, "exact"),  # 引入区内投资额
        (12.8, "%", 2020, "2016-2020", "exact"),  # 智力密集型现代服务业年均增速
        (16.2, "%", 2020, "2016-2020", "exact"),  # 战略性新兴产业年均增速
        (43.9, "%", 2020, None, "exact"),  # 占第三产业增加值比重
        (8000, "家", 2020, None, "more_than"),  # 科技型中小企业 8000余家
        (18000, "家", 2020, None, "about"),  # 约1.8万家中小型设计企业
        (88, "个", 2020, None, "exact"),  # “跨省通办”事项
        (150000, "人次", 2017, None, "exact"),  # 2017年双创活动周参观人次
        (1000, "家", 2020, None, "more_than"),  # 创业之星大赛参赛企业
        (25, "家", 2020, None, "exact"),  # 长三角双创示范基地联盟成员 (glossary 7)
    ],
)
def test_named_fact(value, unit, year, period, qualifier):
    f = _fact(value, unit)
    assert (f.year, f.period, f.qualifier) == (year, period, qualifier)


def test_consecutive_years_and_counts_in_chinese_numerals():
    units = {i.code: i.unit.zh for i in plan().indicators}
    years = sorted(f.value for f in plan().facts if units[f.indicator] == "年")
    assert years == [3, 5, 5]  # 连续三年 (营商环境行动方案), 连续五年 ×2 (双创活动周, 创业之星大赛)
    assert _fact(4, "个").source.quote.endswith("四大创新创业街区影响力不断增强")
    rank = _fact(1, "位")
    assert "中心城区第一" in rank.source.quote
    assert next(i for i in plan().indicators if i.code == rank.indicator).direction == -1


def test_indicators_are_all_used():
    doc = plan()
    used = {f.indicator for f in doc.facts} | {t.indicator for m in doc.iter_measures() for t in m.targets}
    assert {i.code for i in doc.indicators} == used


def test_shortcomings_are_the_four_points_of_the_seed():
    last = seed().sections("一")[1][-1].paras[-1]
    points = [p for p in re.split(r"(?:^|(?<=。))[一二三四]是", last) if p]
    assert len(points) == 4
    got = plan().shortcomings
    assert [e.title.zh for e in got] == [heading(p) for p in points]
    assert [e.text.zh for e in got] == points
    assert got[0].title.zh == "创新要素流动仍存障碍"


# --- chapters 二 to 四, 六 --------------------------------------------------------------------------------


def test_trends_are_the_four_sections_of_chapter_two():
    lead, sections = seed().sections("二")
    assert lead == [] and len(sections) == 4
    got = plan().trends
    assert [(e.title.zh, e.text.zh) for e in got] == [(s.title, "\n".join(s.paras)) for s in sections]


def test_guiding_thought_and_five_principles():
    lead, (thought, principles) = seed().sections("三")
    assert thought.title == "指导思想" and principles.title == "基本原则"
    doc = plan()
    assert doc.guiding_thought.zh == "\n".join(thought.paras)
    dashed = [p.removeprefix("——") for p in principles.paras]
    assert all(p.startswith("——") for p in principles.paras) and len(dashed) == 5
    assert [e.title.zh for e in doc.principles] == [heading(p) for p in dashed]
    assert [e.text.zh for e in doc.principles] == dashed
    assert doc.principles[0].title.zh == "坚持区校联动,强化创新策源"


def test_goals_2025_with_four_sub_goals_and_2035():
    paras = seed().chapters["四"]
    statements = [p for p in paras if re.match(r"到\d{4}年", p)]
    dashed = [p.removeprefix("——") for p in paras if p.startswith("——")]
    assert len(statements) == 2 and len(dashed) == 4
    goals = plan().goals
    assert [(g.year, g.statement.zh) for g in goals] == [(int(p[1:5]), p) for p in statements]
    g2025, g2035 = goals
    assert g2025.code == "G2025" and g2035.code == "G2035" and g2035.sub_goals == []
    assert [s.title.zh for s in g2025.sub_goals] == [heading(p) for p in dashed]
    assert [s.text.zh for s in g2025.sub_goals] == dashed
    assert g2025.sub_goals[0].title.zh == "知识型创业的生态活力显著增强"


def test_safeguards_are_the_four_sections_of_chapter_six():
    _, sections = seed().sections("六")
    got = plan().safeguards
    assert len(sections) == 4
    assert [(e.title.zh, e.text.zh) for e in got] == [(s.title, "\n".join(s.paras)) for s in sections]


# --- chapter 五: areas, tasks, measures, projects, targets ------------------------------------------------

# Tasks 11 and 12 are one paragraph each without a lead phrase: their first sentence is a full sentence,
# so the measure is untitled and named by its opening clause (up to the first comma).
UNTITLED_TASKS = {11, 12}


def test_five_areas_and_twelve_tasks_with_the_seed_titles():
    _, areas = seed().sections("五")
    doc = plan()
    assert [(a.number, a.title.zh) for a in doc.areas] == [(i, a.title) for i, a in enumerate(areas, 1)]
    tasks = seed().tasks()
    got = [(t.number, t.title.zh, a.title.zh) for a in doc.areas for t in a.tasks]
    assert got == [(n, title, area) for n, title, area, _ in tasks]
    assert [n for n, *_ in tasks] == list(range(1, 13))
    assert [t.code for a in doc.areas for t in a.tasks] == [f"T{n}" for n in range(1, 13)]


def test_every_measure_is_a_paragraph_of_its_task_in_order():
    doc = plan()
    by_number = {t.number: t for a in doc.areas for t in a.tasks}
    tasks = seed().tasks()
    lead_phrases = [heading(p) for n, _, _, ps in tasks if n not in UNTITLED_TASKS for p in ps]
    count = 0
    for number, _, _, paras in tasks:
        measures = by_number[number].measures
        assert [m.text.zh for m in measures] == paras, number
        for m, p in zip(measures, paras, strict=True):
            if number in UNTITLED_TASKS:
                assert len(heading(p)) > max(map(len, lead_phrases))  # a whole sentence, not a lead phrase
                assert not m.titled
                assert m.title.zh == p.split(",")[0]
            else:
                assert m.titled and m.title.zh == heading(p)
            assert m.text.zh.startswith(m.title.zh)
            count += 1
    assert count == len(doc.iter_measures()) == 28
    assert by_number[6].measures[0].title.zh == "对标世界会客厅,争创滨江人民城市建设示范区"


# Projects named by combining a shared phrase of the text; each maps to the phrase of the measure text.
COMPOSED_PROJECT_NAMES = {
    "长阳创谷四期": "长阳创谷一期、四期",
    "赤峰路公共空间更新改造": "赤峰路、国康路、彰武路等公共空间更新改造",
    "国康路公共空间更新改造": "赤峰路、国康路、彰武路等公共空间更新改造",
    "彰武路公共空间更新改造": "赤峰路、国康路、彰武路等公共空间更新改造",
}


def test_projects_are_named_in_their_measure():
    doc = plan()
    for m in doc.iter_measures():
        for p in m.projects:
            assert COMPOSED_PROJECT_NAMES.get(p.name.zh, p.name.zh) in m.text.zh, (p.code, p.name.zh)
            assert p.code.startswith(m.code + ".P")
    assert sum(len(m.projects) for m in doc.iter_measures()) >= 100


@pytest.mark.parametrize(
    ("task", "name", "place"),
    [
        (2, "上海技术交易所", "上海技术交易所"),
        (3, "类脑芯片与片上智能系统研发与转化平台", None),
        (4, "“长阳秀带”在线新经济生态园", "“长阳秀带”在线新经济生态园"),
        (6, "“长阳秀带”在线新经济生态园", "“长阳秀带”在线新经济生态园"),
        (6, "世界技能博物馆", "世界技能博物馆"),
        (6, "大桥公共空间一期", "大桥公共空间一期"),
        (6, "复旦创新走廊", "复旦创新走廊"),
        (6, "长阳创谷一期", "长阳创谷"),
        (6, "长阳创谷四期", "长阳创谷"),
        (6, "互联宝地二期", "互联宝地"),
        (6, "赤峰路公共空间更新改造", "环同济知识经济圈"),
        (6, "国康路公共空间更新改造", "环同济知识经济圈"),
        (6, "彰武路公共空间更新改造", "环同济知识经济圈"),
        (7, "环上理工创新创业街区", "环上海理工大学"),
        (7, "“NICE2035”未来生活原型街", "“NICE2035”未来生活原型街"),
        (9, "世界技能博物馆", "世界技能博物馆"),
    ],
)
def test_key_project(task, name, place):
    doc = plan()
    places = {p.code: p.name.zh for p in doc.places}
    measures = next(t for a in doc.areas for t in a.tasks if t.number == task).measures
    found = [p for m in measures for p in m.projects if p.name.zh == name]
    assert len(found) == 1, (task, name)
    assert (places[found[0].place] if found[0].place else None) == place


# Numbers of chapter 五 that are names, not quantities: 5G, 知识经济圈2.0版, NICE2035.
NOT_TARGETS = re.compile(r"\d+G|\d+\.\d+版|NICE\d+")


def test_every_quantity_of_chapter_five_is_a_target():
    chapter = "\n".join(seed().chapters["五"])
    stated = []
    for m in re.finditer(r"(?P<lo>\d+)(?:-(?P<hi>\d+))?(?P<unit>[家个所项名])", NOT_TARGETS.sub("", chapter)):
        stated.append((float(m["lo"]), float(m["hi"] or m["lo"]), m["unit"]))
    targets = [t for m in plan().iter_measures() for t in m.targets]
    assert stated == [(2.0, 3.0, "家")]
    assert [(t.value_min, t.value_max, t.unit.zh, t.year) for t in targets] == [(2, 3, "家", 2025)]
    for m in plan().iter_measures():
        for t in m.targets:
            assert t.source.quote in m.text.zh and t.source.quote in seed().span(t.source.section)
            assert t.description.zh in m.text.zh


# --- glossary ---------------------------------------------------------------------------------------------


def _texts_outside_glossary(node: Any) -> list[str]:
    if isinstance(node, dict):
        if "zh" in node and isinstance(node["zh"], str):
            return [node["zh"]]
        return [t for k, v in node.items() if k != "glossary" for t in _texts_outside_glossary(v)]
    if isinstance(node, list):
        return [t for v in node for t in _texts_outside_glossary(v)]
    return []


def test_glossary_terms_definitions_and_links():
    s = seed()
    doc = plan()
    assert len(s.glossary) == 8
    parsed = [re.fullmatch(r"(\d+)\.(.+?):(.+)", p).groups() for p in s.glossary]
    assert [(g.number, g.term.zh, g.definition.zh) for g in doc.glossary] == [
        (int(n), term, definition) for n, term, definition in parsed
    ]
    body = "\n".join(s.preamble + [p for ch in s.chapters.values() for p in ch])
    yaml_texts = "\n".join(_texts_outside_glossary(raw_plan()))
    only_in_glossary = set()
    for g in doc.glossary:
        matches = g.matches or [g.term.zh]
        assert all(m in g.term.zh or m in g.definition.zh for m in matches), g.code
        if not any(m in body for m in matches):
            only_in_glossary.add(g.term.zh)
        else:
            assert any(m in yaml_texts for m in matches), g.code
    assert only_in_glossary == set()  # the plan uses all eight terms in its body
    assert [g.matches for g in doc.glossary][:3] == [["四高城区"], ["双创综合指数"], ["一廊一圈一谷一园"]]


# --- places -----------------------------------------------------------------------------------------------


def test_places_cite_the_seed_and_lie_in_yangpu():
    s = seed()
    doc = plan()
    by_code = {p.code: p for p in doc.places}
    lon0, lon1, lat0, lat1 = YANGPU_BBOX
    for p in doc.places:
        assert p.source.quote in s.span(p.source.section), p.code
        assert p.name.zh in p.source.quote, p.code
        if p.type != "group":
            assert p.lon is not None or p.code == "PL_STEX", p.code  # the plan gives no site for the exchange
        if p.lon is not None:
            assert lon0 <= p.lon <= lon1 and lat0 <= p.lat <= lat1 and p.approximate, p.code
        parent = by_code.get(p.parent) if p.parent else None
        if parent is not None and parent.zone and p.zone:
            assert parent.zone == p.zone, p.code


def _place(name: str):
    found = [p for p in plan().places if p.name.zh == name]
    assert len(found) == 1, name
    return found[0]


@pytest.mark.parametrize(
    ("name", "type_", "zone"),
    [
        ("西部核心区", "zone", "west"),
        ("中部提升区", "zone", "central"),
        ("东部战略区", "zone", "east"),
        ("复旦创新走廊", "corridor", "west"),
        ("环同济知识经济圈", "knowledge_circle", "west"),
        ("财大金融谷", "valley", "west"),
        ("上理工产业园", "industrial_park", "central"),
        ("创智天地", "innovation_street", "west"),
        ("国定东路", "innovation_street", "west"),
        ("长阳路", "innovation_street", "central"),
        ("环上海理工大学", "innovation_street", "central"),
        ("滨江国际创新带", "innovation_belt", "east"),
        ("杨浦滨江", "functional_area", "east"),
        ("大创智", "functional_area", "west"),
        ("大创谷", "functional_area", "central"),
        ("环同济", "functional_area", "west"),
        ("长阳创谷", "park", "central"),
        ("世界技能博物馆", "landmark", "east"),
        ("“NICE2035”未来生活原型街", "landmark", "west"),
        ("20家科技园区", "group", None),
    ],
)
def test_place(name, type_, zone):
    p = _place(name)
    assert (p.type, p.zone) == (type_, zone)


def test_the_20_4_4_1_structure():
    """Glossary 5: 20 science parks, the 4 of 一廊一圈一谷一园, 4 innovation streets, 1 riverside belt."""
    s = seed()
    g5 = next(p for p in s.glossary if p.startswith("5."))
    parks, carriers, streets, belt = g5.split(";")
    assert parks.endswith("20是指20家科技园区")
    carriers = carriers.removeprefix("4是指").split("、")
    streets = re.fullmatch(r"4是指(.+)等四大创新创业街区", streets).group(1).replace("和", "、").split("、")
    belt = re.fullmatch(r"1是指(.+)。", belt).group(1)
    doc = plan()
    children: dict[str | None, set[str]] = {}
    for p in doc.places:
        children.setdefault(p.parent, set()).add(p.name.zh)
    groups = {p.name.zh: p.code for p in doc.places if p.type == "group"}
    assert children[groups["一廊一圈一谷一园"]] == set(carriers)
    # the glossary shortens 环上海理工大学 to 环上理工大学
    assert {n.replace("环上海理工", "环上理工") for n in children[groups["四大创新创业街区"]]} == set(streets)
    u_field = groups["“20+4+4+1”的创新“U”场"]
    assert children[u_field] == {"20家科技园区", "一廊一圈一谷一园", "四大创新创业街区", belt}
    assert _place("长阳创谷").parent == _place("大创谷").code
