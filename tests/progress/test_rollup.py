"""Roll-up: worst colour and standing, counts, share on track, and the drivers named in the reason."""

import pytest

from kechuang.progress import Assessment, Colour, Series, Standing, assess_elapsed, assess_sdsn, roll_up


def elapsed(xt: float, binding: str = "guiding") -> Assessment:
    """x0 = 0 (2020), X = 100 (2030), observed in 2025 (E = 0.5)."""
    return assess_elapsed(
        Series(baseline=(2020, 0.0), observations=[(2025, xt)], target=(2030, 100.0), binding=binding)
    )


AHEAD, ON_SCHEDULE, LAG_GREEN, LAG_YELLOW, LAG_RED = elapsed(60), elapsed(50), elapsed(42), elapsed(30), elapsed(10)
NOT_APPLICABLE = assess_elapsed(Series(baseline=(2020, 1.0), observations=[(2021, 2.0)]))


def test_task_roll_up() -> None:
    task = roll_up(
        "任务一", {"指标甲": AHEAD, "指标乙": LAG_YELLOW, "指标丙": elapsed(10, "binding"), "指标丁": NOT_APPLICABLE}
    )
    assert (task.colour, task.standing) == (Colour.RED, Standing.BEHIND)
    assert task.drivers == ("指标丙",)
    assert (len(task.leaves), task.applicable, task.on_track) == (4, 3, 1)
    assert task.share_on_track == pytest.approx(1 / 3)
    assert task.counts_by_colour == {Colour.GREEN: 1, Colour.YELLOW: 1, Colour.RED: 1, Colour.GREY: 1}
    assert task.counts_by_status == {"elapsed:ahead": 1, "elapsed:lagging": 2, "elapsed:not_applicable": 1}
    assert task.warnings == ("指标丙",)
    assert "指标丙（滞后，红）" in task.reason_zh
    assert "预警：指标丙" in task.reason_zh
    assert "driven by 指标丙 (behind schedule, red)" in task.reason_en


def test_area_roll_up_counts_leaves_and_qualifies_names() -> None:
    first = roll_up("任务一", {"甲": AHEAD, "乙": LAG_RED})
    second = roll_up("任务二", {"丙": ON_SCHEDULE, "丁": LAG_RED})
    area = roll_up("领域", {"任务一": first, "任务二": second})
    assert area.colour is Colour.RED
    assert area.drivers == ("任务一 / 乙", "任务二 / 丁")
    assert (area.applicable, area.on_track, area.share_on_track) == (4, 2, 0.5)


def test_all_fine_has_no_drivers() -> None:
    task = roll_up("任务", {"甲": AHEAD, "乙": ON_SCHEDULE})
    assert (task.colour, task.standing, task.drivers, task.share_on_track) == (
        Colour.GREEN,
        Standing.ON_TRACK,
        (),
        1.0,
    )
    assert "全部可评项目为绿色且正常" in task.reason_zh


def test_green_but_lagging_still_drives() -> None:
    task = roll_up("任务", {"甲": AHEAD, "乙": LAG_GREEN})
    assert (task.colour, task.standing, task.drivers) == (Colour.GREEN, Standing.BEHIND, ("乙",))


def test_worst_colour_wins_over_worse_standing() -> None:
    task = roll_up("任务", {"甲": LAG_GREEN, "乙": LAG_YELLOW})
    assert (task.colour, task.drivers) == (Colour.YELLOW, ("乙",))


def test_nothing_assessable() -> None:
    for children in ({}, {"甲": NOT_APPLICABLE}):
        task = roll_up("任务", children)
        assert (task.colour, task.standing, task.share_on_track, task.drivers) == (
            Colour.GREY,
            Standing.NOT_APPLICABLE,
            None,
            (),
        )
        assert "没有可评项目" in task.reason_zh


def test_a_worse_standing_behind_a_milder_colour_is_named() -> None:
    improving = assess_sdsn(Series(baseline=(2020, 0.0), observations=[(2024, 30.0)], target=(2030, 100.0)))
    task = roll_up("任务", {"甲": improving, "乙": LAG_GREEN})
    assert (task.colour, task.standing, task.drivers) == (Colour.YELLOW, Standing.BEHIND, ("甲",))
    assert "另有 乙 为滞后" in task.reason_zh
    assert "Also behind: 乙" in task.reason_en
