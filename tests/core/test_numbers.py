"""The one parser of typed and pasted numbers (kechuang.core.numbers): what is accepted, what it means in the
indicator's unit, what is refused and why, and that an input box's value reads back as the same number."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kechuang.core.numbers import NumberError, input_value, parse_number, percent_cell, unit_magnitude


@pytest.mark.parametrize(("typed", "unit", "value"), [
    ("1320", "家", 1320), ("1,320", "家", 1320), ("１３２０", "家", 1320), ("１，３２０", "家", 1320),
    (" 1 320 000 ", "人", 1_320_000), ("12,345.6", "", 12345.6), ("-3.5", "", -3.5), ("－３．５", "", -3.5),
    ("−2", "", -2), ("+0.25", "", 0.25), (".5", "", 0.5), ("1.2e4", "", 12000), ("13。2", "%", 13.2),
    ("13.2%", "%", 13.2), ("13.2 ％", "%", 13.2), ("８０００家", "家", 8000), ("1.2万", "家", 12000),
    ("1.2万家", "家", 12000), ("3亿", "元", 300_000_000), ("5000万", "亿元", 0.5), ("3.5亿元", "亿元", 3.5),
    ("3.5亿", "亿元", 3.5), ("12", "亿元", 12), ("3万亿元", "亿元", 30000), ("", "家", None), ("  ", "%", None),
    (1320, "家", 1320), (99.04, "件", 99.04), (None, "", None),
])
def test_accepted_forms(typed: object, unit: str, value: float | None) -> None:
    assert parse_number(typed, unit) == value


@pytest.mark.parametrize(("typed", "unit", "reason"), [
    ("NaN", "", "“NaN”不是有限数值；请填写具体数字，没有数据时留空。"),
    ("Infinity", "家", "“Infinity”不是有限数值；请填写具体数字，没有数据时留空。"),
    ("-inf", "", "“-inf”不是有限数值；请填写具体数字，没有数据时留空。"),
    ("∞", "", "“∞”不是有限数值；请填写具体数字，没有数据时留空。"),
    (math.nan, "", "“nan”不是有限数值；请填写具体数字，没有数据时留空。"),
    (math.inf, "", "“inf”不是有限数值；请填写具体数字，没有数据时留空。"),
    ("13.2%", "家", "“13.2%”带百分号，但本指标的单位是“家”；请填写以该单位计的数值。"),
    ("1.2万", "%", "“1.2万”用了“万”，但本指标的单位是“%”，不能用万/亿；请直接填写数值。"),
    ("3亿", "分", "“3亿”用了“亿”，但本指标的单位是“分”，不能用万/亿；请直接填写数值。"),
    ("1,32", "", "“1,32”不是数值。"),
    ("1,3200", "", "“1,3200”不是数值。"),
    ("1,320 000", "", "“1,320 000”不是数值。"),
    ("一百二十五", "家", "“一百二十五”不是数值。"),
    ("12O", "", "“12O”不是数值。"),
    ("%", "%", "“%”不是数值。"),
    ("万", "家", "“万”不是数值。"),
    (True, "", "“True”不是数值。"),
])
def test_refused_with_a_reason(typed: object, unit: str, reason: str) -> None:
    with pytest.raises(NumberError) as caught:
        parse_number(typed, unit)
    assert caught.value.reason_zh == reason
    assert caught.value.reason_en and caught.value.reason("en") == caught.value.reason_en


def test_units_that_take_wan_and_yi() -> None:
    assert [unit_magnitude(u) for u in ("家", "人次", "亿元", "万人", "元", "%", "分", "年", "")] == [
        0, 0, 8, 4, 0, None, None, None, None]


def test_percent_formatted_cells() -> None:
    assert percent_cell(0.132, "%") == 13.2
    with pytest.raises(NumberError, match="formatted as a percentage"):
        percent_cell(0.132, "家")


@pytest.mark.parametrize(("stored", "shown"), [(1320.0, "1320"), (8000.0, "8000"), (50000.0, "50000"),
                                               (99.04, "99.04"), (-3.0, "-3"), (None, ""), (0.1 + 0.2,
                                                                                           "0.30000000000000004")])
def test_input_boxes_hold_the_raw_value(stored: float | None, shown: str) -> None:
    assert input_value(stored) == shown
    assert parse_number(input_value(stored)) == stored


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_an_input_box_reads_back_as_the_same_number(x: float) -> None:
    assert parse_number(input_value(x)) == x
