"""Group ranks, strengths and weaknesses, correlation flags and the effect of removing an element,
on small hand-checkable cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kechuang.index.analysis import correlation_flags
from kechuang.index.removal import removal_effects
from kechuang.index.results import group_ranks, ranks, strengths_weaknesses

META = pd.DataFrame({
    "Level": [1, 1, 2], "iCode": ["A", "B", "Index"], "iName": ["A", "B", "Index"], "Direction": [1, 1, 1],
    "Weight": [1.0, 1.0, 1.0], "Parent": ["Index", "Index", None], "Type": ["Indicator", "Indicator", "Aggregate"],
})
DATA = pd.DataFrame({"uCode": ["u1", "u2", "u3"], "A": [1.0, 2.0, 3.0], "B": [3.0, 3.0, 0.0]})
SPEC = {"steps": [{"step": "normalise", "method": "n_minmax"}, {"step": "aggregate", "method": "a_amean"}]}


def test_removal_effect_by_hand() -> None:
    # min-max: A → 0, 50, 100; B → 100, 100, 0; means 50, 75, 50 → ranks 2, 1, 2.
    # Without A (ranks by B): 1, 1, 3 → shifts 1, 0, 1. Without B (ranks by A): 3, 2, 1 → shifts 1, 1, 1.
    out = removal_effects(DATA, META, SPEC, level=1).set_index("iCode")
    assert out.loc["A", "MeanAbsRankShift"] == pytest.approx(2 / 3)
    assert out.loc["B", "MeanAbsRankShift"] == pytest.approx(1.0)
    assert out["MaxAbsRankShift"].tolist() == [1.0, 1.0]


def test_group_ranks_rank_within_each_group() -> None:
    scores = pd.DataFrame({"uCode": ["a", "b", "c", "d"], "X": [10.0, 20.0, 5.0, 7.0]})
    out = group_ranks(scores, ["g1", "g1", "g2", "g2"], ["X"])
    assert out["X"].tolist() == [2, 1, 2, 1]
    assert ranks(scores, ["X"])["X"].tolist() == [2, 1, 4, 3]


def test_strengths_and_weaknesses() -> None:
    table = pd.DataFrame({"uCode": ["u"], "P": [3], "Q": [1], "R": [9], "S": [5]})
    best, worst = strengths_weaknesses(table, "u", ["P", "Q", "R", "S"], n=2)
    assert best.to_dict("list") == {"iCode": ["Q", "P"], "Rank": [1, 3]}
    assert worst.to_dict("list") == {"iCode": ["R", "S"], "Rank": [9, 5]}
    with pytest.raises(ValueError, match="unit 'nobody' has 0 rows"):
        strengths_weaknesses(table, "nobody", ["P"])


def test_correlation_flags_only_between_siblings() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=50)
    frame = pd.DataFrame({"uCode": [f"u{i}" for i in range(50)], "A": x, "B": x + rng.normal(scale=0.01, size=50),
                          "C": -x + rng.normal(scale=0.5, size=50), "D": x})
    parent = {"A": "P1", "B": "P1", "C": "P1", "D": "P2"}
    flags = correlation_flags(frame, parent, ["A", "B", "C", "D"])
    pairs = {(r.A, r.B): r.Flag for r in flags.itertuples()}
    assert pairs == {("A", "B"): "Collinear", ("A", "C"): "Negative", ("B", "C"): "Negative"}
    assert ("A", "D") not in pairs, "A and D are perfectly correlated but have different parents"
