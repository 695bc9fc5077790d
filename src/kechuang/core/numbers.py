"""Numbers as people type and paste them, read one way everywhere (web form, JSON API, Excel template,
indicator settings), and written back into input boxes so that they read the same again; and numbers, shares
and dates as every page, report and progress reason writes them (:func:`num`, :func:`pct`, :func:`signed`,
:func:`date_text`: the one formatter, on Babel's zh_CN/en locale data).

Accepted (after Unicode NFKC, which turns full-width ``１３２０``, ``．``, ``，``, ``％``, ``＋``, ``－`` and the
ideographic space into their ASCII forms):

- a plain decimal ``1320``, ``-3.5``, ``+0.25``, ``.5``, or with an exponent ``1.2e4``;
- thousands separators — commas or spaces, in groups of three: ``1,320``, ``1 320 000``, ``12,345.6``
  (``1,32`` is refused: a comma that does not group thousands is more likely a decimal comma);
- ``。`` typed between digits by a Chinese input method as the decimal point: ``13。2`` = 13.2;
- the signs ``−`` (U+2212) and ``－`` for minus;
- the indicator's unit after the number: ``8000家`` for unit 家, ``13.2%`` for unit %, ``3.5亿元`` for 亿元;
  a ``%`` when the unit is not % is refused (the value would be off by the factor the user meant);
- ``万`` (10⁴) and ``亿`` (10⁸) where the unit counts things or money (家, 人, 个, 元, 亿元 …): the number is
  converted into the unit, ``value = n × 10^k(typed) / 10^k(unit)`` — for unit 亿元 ``5000万`` = 0.5, for unit
  家 ``1.2万`` = 12000. Ratios, scores and durations (%, ‰, 分, 倍, 年 …) refuse 万/亿.

Refused with a reason in both languages: NaN, ±Infinity (also ``∞``), words, booleans. Empty text is
``None`` (no value). The arithmetic is decimal (``Decimal``), so ``1.2万`` is exactly 12000.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

MAGNITUDES = {"万": 4, "亿": 8}
"""Chinese magnitude words and their powers of ten."""

COUNTING_UNITS = ("家", "人", "个", "件", "项", "所", "名", "位", "支", "人次", "户", "台", "套", "篇", "座", "元",
                  "平方米", "米", "吨", "千瓦时")
"""Units (possibly after a magnitude, e.g. 亿元, 万人) that count things or money: 万/亿 may be typed."""

_GROUPED = re.compile(r"^\d{1,3}(?P<sep>[, ])\d{3}(?:(?P=sep)\d{3})*(?:\.\d+)?$")
_PLAIN = re.compile(r"^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_NOT_FINITE = re.compile(r"^[+-]?(?:nan|inf|infinity|∞)$", re.IGNORECASE)
_IME_POINT = re.compile(r"(?<=\d)。(?=\d)")
_MINUS = str.maketrans({"−": "-", "﹣": "-", "‐": "-", "‑": "-"})


class NumberError(ValueError):
    """Text that is not a number in the indicator's unit; ``reason_zh`` / ``reason_en`` say why."""

    def __init__(self, raw: object, reason_zh: str, reason_en: str):
        self.raw, self.reason_zh, self.reason_en = raw, reason_zh, reason_en
        super().__init__(reason_en)

    def reason(self, lang: str) -> str:
        return self.reason_en if lang == "en" else self.reason_zh


def unit_magnitude(unit: str) -> int | None:
    """The power of ten a unit is counted in (亿元 → 8, 万人 → 4, 家 → 0), or None when 万/亿 do not apply
    (%, 分, 年 …: not a count of things or money)."""
    unit = unit.strip()
    power = 0
    if unit[:1] in MAGNITUDES:
        power, unit = MAGNITUDES[unit[0]], unit[1:]
    return power if unit in COUNTING_UNITS else None


def _not_a_number(raw: object, text: str) -> NumberError:
    return NumberError(raw, f"“{text}”不是数值。", f"{text!r} is not a number")


def parse_number(raw: object, unit: str = "") -> float | None:
    """``raw`` (text, or a number from JSON or a cell) as a finite float in ``unit``; None when empty.

    Raises NumberError with the reason (see the module docstring for what is accepted).
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise _not_a_number(raw, str(raw))
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise _not_finite(raw, str(raw))
        return float(raw)
    shown = str(raw).strip()
    text = unicodedata.normalize("NFKC", shown).translate(_MINUS).strip()
    if text == "":
        return None
    if _NOT_FINITE.match(text.replace(" ", "")):
        raise _not_finite(raw, shown)
    text = _IME_POINT.sub(".", text)
    unit = unicodedata.normalize("NFKC", unit).strip()
    magnitude = unit_magnitude(unit)
    base = unit[1:] if magnitude else unit  # 亿元 → 元; 家 → 家; % → %
    if text == base:
        raise _not_a_number(raw, shown)
    in_base = bool(base) and text.endswith(base) and text != base
    if in_base:
        text = text[: -len(base)].rstrip()
    typed = 0
    while text[-1:] in MAGNITUDES and len(text) > 1:
        word, text = text[-1], text[:-1].rstrip()
        if magnitude is None:
            raise NumberError(
                raw, f"“{shown}”用了“{word}”，但本指标的单位是“{unit or '无'}”，不能用万/亿；请直接填写数值。",
                f"{shown!r} uses {word} (10^{MAGNITUDES[word]}), which the unit {unit or '(none)'!r} does not "
                "allow; enter the number itself")
        typed += MAGNITUDES[word]
    exponent = typed - (magnitude or 0) if typed or in_base else 0
    if text.endswith("%"):
        raise NumberError(
            raw, f"“{shown}”带百分号，但本指标的单位是“{unit or '无'}”；请填写以该单位计的数值。",
            f"{shown!r} has a % sign but the unit is {unit or '(none)'!r}; enter the value in that unit")
    sign = ""
    if text[:1] in "+-":
        sign, text = text[0], text[1:].lstrip()
    if _GROUPED.match(text):
        text = text.replace(",", "").replace(" ", "")
    elif not _PLAIN.match(text):
        raise _not_a_number(raw, shown)
    try:
        number = Decimal(sign + text).scaleb(exponent)
    except InvalidOperation:
        raise _not_a_number(raw, shown) from None
    value = float(number)
    if not math.isfinite(value):
        raise _not_finite(raw, shown)
    return value


def _not_finite(raw: object, text: str) -> NumberError:
    return NumberError(raw, f"“{text}”不是有限数值；请填写具体数字，没有数据时留空。",
                       f"{text!r} is not a finite number; enter a number, or leave it empty when there is none")


def percent_cell(value: float, unit: str) -> float:
    """A spreadsheet cell formatted as a percentage holds the fraction (13.2% → 0.132); the value in the
    unit % is ``value × 100``. NumberError when the indicator's unit is not %."""
    if unicodedata.normalize("NFKC", unit).strip() != "%":
        shown = f"{Decimal(repr(value)).scaleb(2).normalize():f}%"
        raise NumberError(value, f"单元格是百分比格式（{shown}），但本指标的单位是“{unit or '无'}”；"
                                 "请填写以该单位计的数值。",
                          f"the cell is formatted as a percentage ({shown}) but the unit is {unit or '(none)'!r}; "
                          "enter the value in that unit")
    return float(Decimal(repr(value)).scaleb(2))


def input_value(value: float | None) -> str:
    """A stored number as an input box's value: exact and without grouping, so that saving the form
    unchanged stores the same number (``parse_number(input_value(x)) == x``): 1320.0 → "1320", 99.04 → "99.04"."""
    if value is None:
        return ""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


# --- writing numbers: the one formatter of pages, reports and progress texts ------------------------------------
#
# Babel's CLDR data for zh_CN and en give the symbols (decimal point, grouping, percent sign) and the date
# patterns; the rounding is done first, on the decimal representation of the value and half up, as people round
# (0.1225 → 12.3 %, 2.5 → 3), so that Babel's own rounding (half even on the binary value) never applies.

_LOCALES = {"zh": "zh_CN", "en": "en"}
MINUS = "−"
"""The minus sign of a signed change (U+2212), as the plan's tables print it."""


def locale_of(lang: str) -> str:
    """The Babel locale of a page language: zh → zh_CN, en → en."""
    return _LOCALES.get(lang, "zh_CN")


def round_half_up(value: float, digits: int) -> float:
    """Round as people do (2.5 → 3, 0.125 → 0.13), on the decimal representation of ``value``
    (``Decimal(repr(value))``, so 0.1225 is 0.1225 and not the binary 0.12249999…)."""
    return float(_half_up(value, digits))


def _half_up(value: float, digits: int) -> Decimal:
    with localcontext() as context:
        context.prec = 420  # every double has at most 309 integer digits: exact for all of them
        return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _pattern(digits: int | None, max_digits: int, group: bool) -> str:
    head = "#,##0" if group else "0"
    if digits is not None:
        return head + ("." + "0" * digits if digits else "")
    return head + "." + "#" * max_digits


def num(value: float | int | None, digits: int | None = None, *, lang: str = "zh", max_digits: int = 4,
        group: bool = False, empty: str = "—") -> str:
    """A number as written in the plan's tables: ``digits`` decimals when given, else up to ``max_digits``
    with trailing zeros dropped (99.04, 973, 1.8); thousands grouped only with ``group`` (pages: 12,345;
    statistical tables and reasons: 12345); outside 0.001 ≤ |x| < 10⁹ (with ``digits``: from 10¹⁵) four
    significant digits (1.235e+09).
    ``None`` is ``empty``."""
    if value is None:
        return empty
    value = float(value)
    if not math.isfinite(value) or abs(value) >= 1e15 or digits is None and value != 0 and not 1e-3 <= abs(value) < 1e9:
        return f"{value:.4g}"
    rounded = _half_up(value, max_digits if digits is None else digits)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0"
    return format_decimal(rounded, format=_pattern(digits, max_digits, group), locale=locale_of(lang),
                          decimal_quantization=False)


def pct(share: float | None, digits: int = 1, *, lang: str = "zh", empty: str = "—") -> str:
    """A share as a percentage with ``digits`` decimals, rounded half up: 0.5094 → "50.9%", 0.1225 → "12.3%"."""
    if share is None:
        return empty
    if not math.isfinite(share) or abs(share) >= 1e13:
        return f"{share * 100:.4g}%"
    rounded = _half_up(float(share) * 100, digits) / 100
    return format_percent(rounded, format=_pattern(digits, 0, True) + "%", locale=locale_of(lang),
                          decimal_quantization=False)


def signed(value: float | None, digits: int = 1, *, lang: str = "zh", empty: str = "—") -> str:
    """A change with its sign: +7.4, −1.2 (the minus sign U+2212); zero is +0.0."""
    if value is None:
        return empty
    text = num(abs(float(value)), digits, lang=lang)
    if not math.isfinite(value):
        return ("+" if value > 0 else MINUS) + text
    return ("+" if _half_up(float(value), digits) >= 0 else MINUS) + text


def date_text(day: dt.date | str, lang: str = "zh") -> str:
    """A calendar day in the page language (Babel's long date): 2026年12月3日 / December 3, 2026."""
    day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
    return format_date(day, format="long", locale=locale_of(lang))
