"""Validation of submitted values: pure functions from values and rules to problems.

Rules per indicator (set by the plan office in its monitoring profile): required, range
(``valid_min ≤ x ≤ valid_max``), change against the previous period (``|x − p| / |p| ≤ max_change_pct``
unless the note explains it); between indicators: consistency rules ``left ⟨op⟩ factor × right``.
Each problem names the indicator and the field; the Excel reader adds the sheet and cell.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

PROVISIONAL_WORDS = {"初步数", "provisional", "初步", ""}
FINAL_WORDS = {"正式数", "final", "正式"}


@dataclass(frozen=True)
class Problem:
    """One reason a value is refused; ``sheet``/``cell`` are set when it comes from an uploaded workbook."""

    code: str
    field: str
    reason_zh: str
    reason_en: str
    sheet: str | None = None
    cell: str | None = None

    def at(self, sheet: str, cell: str) -> Problem:
        return replace(self, sheet=sheet, cell=cell)

    def reason(self, lang: str) -> str:
        return self.reason_en if lang == "en" else self.reason_zh

    @property
    def where(self) -> str:
        """``填报!E5`` for a workbook cell, else the indicator code and field."""
        return f"{self.sheet}!{self.cell}" if self.sheet and self.cell else f"{self.code}.{self.field}"


@dataclass(frozen=True)
class Previous:
    """The value of the period before, with its year and where it comes from."""

    year: int
    value: float
    source: str


@dataclass(frozen=True)
class Entry:
    """One indicator's proposed value with the rules that apply to it."""

    code: str
    name: str
    value: float | None
    note: str
    previous: Previous | None
    name_en: str = ""
    valid_min: float | None = None
    valid_max: float | None = None
    max_change_pct: float | None = None
    required: bool = True


def num(value: float) -> str:
    """A value as typed: up to 4 decimals without trailing zeros (125.0 → "125", 99.04 → "99.04")."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def parse_final(raw: object) -> bool:
    """初步数 (provisional, also empty) → False, 正式数 (final) → True; ValueError otherwise."""
    text = "" if raw is None else str(raw).strip().lower()
    if text in PROVISIONAL_WORDS:
        return False
    if text in FINAL_WORDS:
        return True
    raise ValueError(raw)


def check_entry(entry: Entry, *, complete: bool) -> list[Problem]:
    """Problems of one value. ``complete`` (when submitting) makes required values mandatory."""
    name_en = entry.name_en or entry.name
    if entry.value is None:
        if complete and entry.required:
            return [Problem(entry.code, "value", f"{entry.name}：必填，不能为空。",
                            f"{name_en}: a value is required.")]
        return []
    x = entry.value
    out: list[Problem] = []
    if entry.valid_min is not None and x < entry.valid_min:
        out.append(Problem(entry.code, "value", f"{entry.name}：{num(x)} 小于允许的最小值 {num(entry.valid_min)}。",
                           f"{name_en}: {num(x)} is below the minimum {num(entry.valid_min)}."))
    if entry.valid_max is not None and x > entry.valid_max:
        out.append(Problem(entry.code, "value", f"{entry.name}：{num(x)} 大于允许的最大值 {num(entry.valid_max)}。",
                           f"{name_en}: {num(x)} is above the maximum {num(entry.valid_max)}."))
    prev = entry.previous
    if entry.max_change_pct is not None and prev is not None and prev.value != 0 and not entry.note.strip():
        change = (x - prev.value) / abs(prev.value) * 100
        if abs(change) > entry.max_change_pct:
            out.append(Problem(
                entry.code, "value",
                f"{entry.name}：较上期（{prev.year} 年 {num(prev.value)}）变动 {change:+.1f}%，"
                f"超过 ±{num(entry.max_change_pct)}%；请核实，或在“说明”中写明原因。",
                f"{name_en}: {change:+.1f}% against the previous period ({prev.year}: {num(prev.value)}) exceeds "
                f"±{num(entry.max_change_pct)}%; check it or explain it in the note.",
            ))
    return out


@dataclass(frozen=True)
class Consistency:
    """``left ⟨op⟩ factor × right`` between two indicators (codes, names) of the same period."""

    left: str
    left_name: str
    op: str
    factor: float
    right: str
    right_name: str
    message_zh: str = ""
    left_name_en: str = ""
    right_name_en: str = ""
    message_en: str = ""


_OPS = {"<=": (lambda a, b: a <= b + 1e-9, "≤"), ">=": (lambda a, b: a >= b - 1e-9, "≥"),
        "==": (lambda a, b: abs(a - b) <= 1e-9 * max(1.0, abs(b)), "=")}


def check_consistency(values: dict[str, float], rules: list[Consistency]) -> list[Problem]:
    """Problems of the consistency rules whose two values are both known (reported on the left indicator)."""
    out = []
    for rule in rules:
        a, b = values.get(rule.left), values.get(rule.right)
        if a is None or b is None:
            continue
        holds, symbol = _OPS[rule.op]
        if holds(a, rule.factor * b):
            continue
        rhs = rule.right_name if rule.factor == 1 else f"{num(rule.factor)} × {rule.right_name}"
        right_en = rule.right_name_en or rule.right_name
        rhs_en = right_en if rule.factor == 1 else f"{num(rule.factor)} × {right_en}"
        extra_zh = f"（{rule.message_zh}）" if rule.message_zh else ""
        extra_en = f" ({rule.message_en})" if rule.message_en else ""
        out.append(Problem(
            rule.left, "value",
            f"{rule.left_name} {num(a)} 应 {symbol} {rhs}（{num(rule.factor * b)}）{extra_zh}。",
            f"{rule.left_name_en or rule.left_name} {num(a)} should be {symbol} {rhs_en} ({num(rule.factor * b)})"
            f"{extra_en}.",
        ))
    return out
