"""The grouped mean of imputation is pandas' grouped mean to the last bit (the same compensated sums in the
same order), for any doubles, gaps and groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kechuang.index.impute import impute

values = st.one_of(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
                   st.just(float("nan")), st.floats(width=64))


@settings(max_examples=80, deadline=None)
@given(st.data(), st.integers(2, 25), st.integers(1, 4))
def test_group_mean_fill_is_pandas_groupby_mean_bit_for_bit(data: st.DataObject, n: int, years: int) -> None:
    frame = pd.DataFrame({
        "uCode": [f"U{i}" for i in range(n)],
        "Time": data.draw(st.lists(st.integers(2000, 2000 + years - 1), min_size=n, max_size=n)),
        "a": data.draw(st.lists(values, min_size=n, max_size=n)),
        "b": data.draw(st.lists(values, min_size=n, max_size=n)),
    })
    groups = np.array(data.draw(st.lists(st.sampled_from(["x", "y", None]), min_size=n, max_size=n)), dtype=object)
    ours = impute(frame, ["a", "b"], "i_mean_grp", groups=groups)
    keys = [frame["Time"].to_numpy(), groups]
    if all(g is None for g in groups):  # no unit has a group: nothing can be filled (pandas' groupby cannot say)
        expected = frame[["a", "b"]] * np.nan
    else:
        expected = frame[["a", "b"]].groupby(keys, dropna=True).transform("mean")
    for c in ("a", "b"):
        want = np.where(frame[c].isna(), expected[c].to_numpy(dtype=float), frame[c].to_numpy())
        got = ours[c].to_numpy()
        same = (got.view(np.int64) == want.view(np.int64)) | (np.isnan(got) & np.isnan(want))
        assert same.all(), (c, got, want)


def test_the_check_sees_a_different_summation_order() -> None:
    """Control: a plain (uncompensated) sum of the same values differs in the last bits, so the test above
    would notice a change of algorithm."""
    x = np.array([0.1] * 10 + [1e16, -1e16, 0.3])
    kahan = pd.DataFrame({"v": x}).groupby(np.zeros(x.size)).mean()["v"].iloc[0]
    assert kahan != np.add.reduce(x) / x.size or kahan != sum(x.tolist()) / x.size
