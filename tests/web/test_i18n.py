"""Every UI string exists in both languages; every zone and place type of the bundled plans has a label in both."""

from __future__ import annotations

from kechuang.plan.bundle import shipped_bundles
from kechuang.plan.loader import read_plan_file
from kechuang.web.i18n import STRINGS


def test_every_string_is_bilingual() -> None:
    missing = [k for k, v in STRINGS.items() if set(v) != {"zh", "en"} or not v["zh"] or not v["en"]]
    assert missing == []


def test_every_zone_and_place_type_has_a_label_in_both_languages() -> None:
    docs = [read_plan_file(b.plan_file) for b in shipped_bundles()]
    labels = [lab for d in docs for lab in (*d.zones, *d.place_types)]
    assert len(labels) >= 16, "the default plan alone has 3 zones and 13 place types"
    assert [lab.code for lab in labels if not lab.name.zh or not lab.name.en] == []
