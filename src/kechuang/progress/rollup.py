"""Roll indicator (or supervision) assessments up to tasks and areas."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from kechuang.progress._text import pct
from kechuang.progress.assessment import Assessment, Colour, Standing

COLOUR_RANK = {Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}
STANDING_RANK = {Standing.MET: 0, Standing.ON_TRACK: 1, Standing.PARTIAL: 2, Standing.BEHIND: 3}


class Leaf(BaseModel):
    """One assessed item inside a roll-up, with its path (area, task, indicator)."""

    model_config = ConfigDict(frozen=True)

    path: tuple[str, ...]
    assessment: Assessment

    @property
    def name(self) -> str:
        """The path joined with " / "."""
        return " / ".join(self.path)


class RollUp(BaseModel):
    """Aggregate of the leaves under one task or area (see ``roll_up`` for the rule)."""

    model_config = ConfigDict(frozen=True)

    name: str
    leaves: tuple[Leaf, ...]
    colour: Colour
    standing: Standing
    counts_by_colour: dict[Colour, int]
    counts_by_standing: dict[Standing, int]
    counts_by_status: dict[str, int]
    applicable: int
    on_track: int
    share_on_track: float | None
    warnings: tuple[str, ...]
    drivers: tuple[str, ...]
    reason_zh: str
    reason_en: str


def _key(leaf: Leaf) -> tuple[int, int]:
    return COLOUR_RANK[leaf.assessment.colour], STANDING_RANK[leaf.assessment.standing]


def roll_up(name: str, children: Mapping[str, Assessment | RollUp]) -> RollUp:
    """Aggregate assessments (indicators → task) or roll-ups (tasks → area); counts are always over leaves.

    Rule: not-applicable leaves are counted but do not vote. ``colour`` = the worst colour among applicable
    leaves (red > yellow > green; grey when none is applicable); ``standing`` = the worst standing
    (behind > partial > on track > met). ``share_on_track = (met + on track) / applicable``.
    ``drivers`` = the applicable leaves with the worst (colour, standing) pair, listed in input order — none
    when that pair is (green, on track) or better, i.e. when everything is fine; when a less red leaf has a worse
    standing (a green 滞后 beside a yellow ➚), the reason names it too. ``warnings`` = leaves whose
    assessment carries the 预警 flag. ``counts_by_status`` is keyed ``"rule:status"``.
    """
    leaves: list[Leaf] = []
    for child_name, child in children.items():
        if isinstance(child, RollUp):
            leaves.extend(Leaf(path=(child_name, *leaf.path), assessment=leaf.assessment) for leaf in child.leaves)
        else:
            leaves.append(Leaf(path=(child_name,), assessment=child))
    scored = [leaf for leaf in leaves if leaf.assessment.standing is not Standing.NOT_APPLICABLE]
    colours = Counter(leaf.assessment.colour for leaf in leaves)
    standings = Counter(leaf.assessment.standing for leaf in leaves)
    statuses = Counter(f"{leaf.assessment.rule.value}:{leaf.assessment.status.value}" for leaf in leaves)
    warnings = tuple(leaf.name for leaf in leaves if leaf.assessment.warning)
    on_track = standings[Standing.MET] + standings[Standing.ON_TRACK]
    tally_zh = (
        f"{name}：共 {len(leaves)} 项，可评 {len(scored)} 项；绿 {colours[Colour.GREEN]}、黄 {colours[Colour.YELLOW]}、"
        f"红 {colours[Colour.RED]}、不适用 {colours[Colour.GREY]}"
    )
    tally_en = (
        f"{name}: {len(leaves)} item(s), {len(scored)} assessable; green {colours[Colour.GREEN]}, yellow "
        f"{colours[Colour.YELLOW]}, red {colours[Colour.RED]}, not applicable {colours[Colour.GREY]}"
    )
    if scored:
        worst = max(_key(leaf) for leaf in scored)
        colour = max((leaf.assessment.colour for leaf in scored), key=COLOUR_RANK.__getitem__)
        standing = max((leaf.assessment.standing for leaf in scored), key=STANDING_RANK.__getitem__)
        fine = worst <= (COLOUR_RANK[Colour.GREEN], STANDING_RANK[Standing.ON_TRACK])
        drivers = () if fine else tuple(leaf for leaf in scored if _key(leaf) == worst)
        share: float | None = on_track / len(scored)
        summary_zh = f"；达成或正常 {on_track} 项，占 {pct(on_track / len(scored))}。总体{colour.zh}色、{standing.zh}"
        summary_en = (
            f"; {on_track} met or on track ({pct(on_track / len(scored))}). Overall {colour.value}, {standing.value}"
        )
        if drivers:
            listed_zh = "、".join(
                f"{leaf.name}（{leaf.assessment.status_zh}，{leaf.assessment.colour.zh}）" for leaf in drivers
            )
            listed_en = "; ".join(
                f"{leaf.name} ({leaf.assessment.status_en}, {leaf.assessment.colour.value})" for leaf in drivers
            )
            summary_zh += f"，由 {listed_zh} 决定。"
            summary_en += f", driven by {listed_en}."
            if drivers[0].assessment.standing is not standing:
                worse = [leaf.name for leaf in scored if leaf.assessment.standing is standing]
                summary_zh += f"另有 {'、'.join(worse)} 为{standing.zh}。"
                summary_en += f" Also {standing.value}: {'; '.join(worse)}."
        else:
            summary_zh += "，全部可评项目为绿色且正常。"
            summary_en += ": every assessable item is green and on track."
    else:
        colour, standing, drivers, share = Colour.GREY, Standing.NOT_APPLICABLE, (), None
        summary_zh, summary_en = "。没有可评项目，总体不适用。", ". Nothing is assessable: not applicable."
    warning_zh = f"预警：{'、'.join(warnings)}。" if warnings else ""
    warning_en = f" Early warning (预警): {'; '.join(warnings)}." if warnings else ""
    return RollUp(
        name=name,
        leaves=tuple(leaves),
        colour=colour,
        standing=standing,
        counts_by_colour=dict(colours),
        counts_by_standing=dict(standings),
        counts_by_status=dict(statuses),
        applicable=len(scored),
        on_track=on_track,
        share_on_track=share,
        warnings=warnings,
        drivers=tuple(leaf.name for leaf in drivers),
        reason_zh=f"{tally_zh}{summary_zh}{warning_zh}",
        reason_en=f"{tally_en}{summary_en}{warning_en}",
    )
