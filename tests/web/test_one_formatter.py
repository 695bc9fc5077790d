"""One number formatter (kechuang.core.numbers, on Babel's zh_CN/en data): a share of 0.1225 prints the same —
12.3 %, rounded half up as people round — on a page (the pages' Jinja filter, both languages), in a progress
reason (序时进度 A = 12.25/100) and in a report (a percent cell and a prose sentence). Control: Python's own
rounding of the same share gives 12.2 %, so a second copy of the formatting would show here."""

from __future__ import annotations

import datetime as dt

from kechuang.core import numbers
from kechuang.progress import Series, assess_elapsed
from kechuang.reports.fmt import cell_text, prose
from kechuang.reports.model import Column
from kechuang.web.pages import templates


def page_text(source: str, lang: str, **values: object) -> str:
    return templates.env.from_string(source).render(lang=lang, **values)


def test_a_share_prints_the_same_on_the_page_in_the_reason_and_in_the_report() -> None:
    share = 0.1225
    on_page = {lang: page_text("{{ share|pct }}", lang, share=share) for lang in ("zh", "en")}
    assert on_page == {"zh": "12.3%", "en": "12.3%"}

    reading = assess_elapsed(Series(baseline=(2020, 0.0), observations=[(2025, 12.25)], target=(2030, 100.0)))
    assert "= 12.3%" in reading.reason_zh and "= 12.3%" in reading.reason_en

    assert cell_text(share, Column("share", "完成率", "percent")) == "12.3%"
    sentence = prose("eval_index", **_index_sentence(share))
    assert "占变动的 12.3%" in sentence

    # control: a copy formatting with Python's rounding writes the same share differently
    assert f"{share * 100:.1f}%" == "12.2%"
    assert numbers.pct(0.1235) == "12.4%" and page_text("{{ x|pct }}", "zh", x=0.1235) == "12.4%"


def test_numbers_and_dates_follow_the_page_language() -> None:
    assert page_text("{{ x|num }}", "zh", x=12345.678) == "12,345.68"
    assert page_text("{{ x|num }}", "en", x=1320.0) == "1,320"
    assert page_text("{{ x|signed(2) }}", "zh", x=-0.125) == "−0.13"
    assert page_text("{{ x|fixed(1) }}", "en", x=2.25) == "2.3"
    assert page_text("{{ d|day }}", "zh", d=dt.date(2026, 12, 3)) == "2026年12月3日"
    assert page_text("{{ d|day }}", "en", d=dt.date(2026, 12, 3)) == "December 3, 2026"
    assert numbers.num(None) == "—" and page_text("{{ x|num }}", "zh", x=None) == ""
    assert numbers.num(-0.00001, 2) == "0.00"  # no "-0.00"


class _Scores:
    """An index with two years of scores, as the report's index section reads it."""

    root = "Index"

    def value(self, code: str, year: int) -> float:
        return {2023: 108.0, 2024: 110.0}[year]

    def name(self, code: str) -> str:
        return "杨浦双创综合指数"


def _index_sentence(share: float) -> dict[str, object]:
    """The context of the report's index sentence with the top contribution's share ``share``."""
    top = {"name": "创新投入", "contribution": 1.5, "share_pct": share * 100}
    return {"view": _Scores(), "y0": 2023, "y1": 2024, "year": 2024, "top": top, "demo": False, "demo_label": "",
            "published": None}
