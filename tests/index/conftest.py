"""Shared fixtures: the COINr ASEM reference case (tests/fixtures/reference/coinr-asem, COINr's example, MIT)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from kechuang.index.io import read_idata, read_imeta
from kechuang.index.pipeline import Result, build
from kechuang.index.spec import example_spec

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures/reference/coinr-asem"


@pytest.fixture(scope="session")
def ref_dir() -> Path:
    assert REFERENCE.is_dir(), f"COINr reference case not found at {REFERENCE}"
    return REFERENCE


@pytest.fixture(scope="session")
def asem_meta(ref_dir: Path) -> pd.DataFrame:
    return read_imeta(ref_dir / "ASEM_iMeta.csv")


@pytest.fixture(scope="session")
def asem_data(ref_dir: Path, asem_meta: pd.DataFrame) -> pd.DataFrame:
    return read_idata(ref_dir / "ASEM_iData.csv", asem_meta)


@pytest.fixture(scope="session")
def asem_panel(ref_dir: Path, asem_meta: pd.DataFrame) -> pd.DataFrame:
    return read_idata(ref_dir / "ASEM_iData_panel.csv", asem_meta)


@pytest.fixture(scope="session")
def variant_a(asem_data: pd.DataFrame, asem_meta: pd.DataFrame) -> Result:
    return build(asem_data, asem_meta, example_spec("asem_variant_a"))


@pytest.fixture(scope="session")
def reference(ref_dir: Path) -> Callable[[str], pd.DataFrame]:
    """Reader of a reference CSV, indexed by uCode or iCode when present."""

    def read(name: str) -> pd.DataFrame:
        frame = pd.read_csv(ref_dir / name)
        for key in ("uCode", "iCode"):
            if key in frame.columns:
                return frame.set_index(key)
        return frame

    return read
