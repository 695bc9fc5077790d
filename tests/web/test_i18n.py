"""Every UI string exists in both languages; every place type has a label."""

from __future__ import annotations

from typing import get_args

from kechuang.plan.schemas import PlaceType
from kechuang.web.i18n import STRINGS


def test_every_string_is_bilingual() -> None:
    missing = [k for k, v in STRINGS.items() if set(v) != {"zh", "en"} or not v["zh"] or not v["en"]]
    assert missing == []


def test_every_place_type_has_a_label() -> None:
    assert [p for p in get_args(PlaceType) if f"ptype_{p}" not in STRINGS] == []
