"""Generate the DEMO panel of the Yangpu innovation index: ``demo_iData.csv`` and ``demo_sources.csv``.

演示数据 / DEMO DATA. The real indicator data of the 杨浦创新指数 are not public. This script builds a
COINr-style iData panel (2013–2024) so that the index engine, charts and tests have something to run on:

* unit ``YP`` (杨浦区): every cell for which a published value exists (``published.csv``, series
  ``Yangpu indicator`` with an ``iCode``) carries that value, status ``published``; a value the reference
  marks as implied by a published growth rate carries status ``derived``; every other cell is a seeded,
  smooth synthetic series (status ``demo``) which passes exactly through the published/derived values;
* units ``DEMO_A`` … ``DEMO_D`` (演示区A … D): fully synthetic comparison units, so that cross-unit ranks
  and normalisations have more than one unit to work on.

``demo_sources.csv`` has one row per indicator cell of ``demo_iData.csv`` (uCode, Time, iCode) with its
status and source. Inputs: ``iMeta.csv`` (the Level-1 iCodes, their units) and ``published.csv`` (the
published values) in this folder. Pure numpy/pandas; the random stream is numpy's legacy ``RandomState``
(its stream is frozen across numpy versions) and all numbers are written with fixed decimals, so the output
is identical on every run.

Usage::

    python make_demo.py            # (re)write demo_iData.csv and demo_sources.csv next to this file
    python make_demo.py --out DIR  # write them into DIR instead
    python make_demo.py --check    # exit 1 if the files next to this file are not what this script makes

Synthetic series (documented parameters in ``PARAMS``; t = year − 2013):

* ``geom`` (counts, money, rates): log x_t = log base + t·log(1 + g) + e_t. With published anchors the
  curve is shifted in log space by a correction that is linear between anchor years, so it passes exactly
  through every anchor; before the first and after the last anchor it grows at ``g`` (plus noise).
* ``lin`` (survey scores 0–100, shares in %): x_t = base + slope·t + e_t, clipped to [0, 100].
* e_t: seeded normal noise (sd ``NOISE_SD``), smoothed with the kernel (¼, ½, ¼), so the series is smooth.
* Demo units: YP's synthetic 2013 level × a seeded scale (0.45–1.25, and 0.8–1.2 per indicator), YP's growth
  × a seeded factor (0.6–1.3); for ``lin`` a seeded offset of −6 … +4 points.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SEED = 2013
YEARS = tuple(range(2013, 2025))
DEMO_SOURCE = f"演示数据 DEMO (synthetic): make_demo.py, seed {SEED}"

# uCode, uName. The names carry the demo label because most cells are synthetic.
UNITS = (
    ("YP", "杨浦区（演示数据）"),
    ("DEMO_A", "演示区A（演示数据）"),
    ("DEMO_B", "演示区B（演示数据）"),
    ("DEMO_C", "演示区C（演示数据）"),
    ("DEMO_D", "演示区D（演示数据）"),
)

# Invented demo parameters (演示参数), one per Level-1 iCode: (kind, level in 2013, growth).
# geom: growth = annual rate; lin: growth = points a year. ``None`` level: the level comes from the
# published anchors of the indicator (see published.csv).
PARAMS: dict[str, tuple[str, float | None, float]] = {
    "HiTal": ("geom", None, 0.12),
    "RDFTE": ("geom", None, 0.10),
    "TalRec": ("lin", 66.0, 1.0),
    "RDExp": ("geom", 35.0, 0.11),
    "VCFin": ("geom", 20.0, 0.16),
    "CarArea": ("geom", None, 0.08),
    "Incub": ("geom", None, 0.08),
    "Platf": ("geom", 60.0, 0.08),
    "PolSat": ("lin", 70.0, 0.9),
    "BizEnv": ("lin", 72.0, 0.8),
    "TechCon": ("geom", 120.0, 0.15),
    "FinAcc": ("lin", 62.0, 1.1),
    "SvcSat": ("lin", 68.0, 0.9),
    "EntAtm": ("lin", 70.0, 1.0),
    "LivCost": ("lin", 60.0, 0.5),
    "EnvEval": ("lin", 69.0, 1.0),
    "PatInv": ("geom", None, 0.12),
    "PatApp": ("geom", 5000.0, 0.08),
    "NewFirm": ("geom", 4000.0, 0.07),
    "Listed": ("geom", None, 0.05),
    "SRDI": ("geom", None, 0.22),
    "HTOut": ("geom", 250.0, 0.12),
    "EmpStart": ("geom", 15000.0, 0.06),
    "BizConf": ("lin", 64.0, 0.7),
    "News": ("geom", 1500.0, 0.14),
    "WebAtt": ("geom", 100.0, 0.13),
    "Sentim": ("lin", 72.0, 0.9),
    "HTE": ("geom", None, 0.10),
    "Events": ("geom", 40.0, 0.08),
    "BrandRec": ("lin", 65.0, 1.0),
}
NOISE_SD = {"geom": 0.02, "lin": 0.6}

# Decimals written for each unit of measure (iMeta ``Unit``).
DECIMALS = {
    "人": 0, "家": 0, "件": 0, "条": 0, "场": 0,
    "人年/万人": 2, "件/万人": 2, "亿元": 2,
    "万平方米": 1, "分(0-100)": 1, "%": 1, "指数": 1,
}

SOURCE_COLUMNS = ["uCode", "Time", "iCode", "value", "status", "source", "quote", "ref", "note"]


def _smooth(e: np.ndarray) -> np.ndarray:
    padded = np.concatenate([e[:1], e, e[-1:]])
    return 0.25 * padded[:-2] + 0.5 * padded[1:-1] + 0.25 * padded[2:]


def _fmt(x: float, decimals: int) -> str:
    # fixed decimals; "+ 0.0" turns a rounded "-0.0" into "0.0"
    value = float(np.round(x, decimals)) + 0.0
    return f"{value:.{decimals}f}"


def load_inputs(folder: Path = HERE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Level-1 rows of iMeta.csv and the published anchors (series 'Yangpu indicator' with an iCode)."""
    meta = pd.read_csv(folder / "iMeta.csv", dtype=str, keep_default_na=False)
    indicators = meta[meta["Level"] == "1"].reset_index(drop=True)
    published = pd.read_csv(folder / "published.csv", dtype=str, keep_default_na=False)
    anchors = published[
        (published["series"] == "Yangpu indicator") & published["iCode"].isin(set(indicators["iCode"]))
    ].reset_index(drop=True)
    return indicators, anchors


def _geom(t: np.ndarray, base: float, g: float, noise: np.ndarray, anchors: dict[int, float]) -> np.ndarray:
    log_x = np.log(base) + t * np.log1p(g) + noise
    if not anchors:
        return np.exp(log_x)
    years = sorted(anchors)
    at = np.array([y - YEARS[0] for y in years], dtype=float)
    residual = np.log([anchors[y] for y in years]) - log_x[[y - YEARS[0] for y in years]]
    correction = np.interp(t, at, residual)
    return np.exp(log_x + correction)


def build(folder: Path = HERE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The demo iData panel and its cell-by-cell source table (both all-text, ready to write)."""
    indicators, anchors = load_inputs(folder)
    codes = list(indicators["iCode"])
    missing = sorted(set(codes) ^ set(PARAMS))
    if missing:
        raise SystemExit(f"PARAMS and iMeta.csv Level-1 codes differ: {missing}")
    decimals = {c: DECIMALS[u] for c, u in zip(indicators["iCode"], indicators["Unit"], strict=True)}
    anchor_rows: dict[tuple[str, int], pd.Series] = {}
    for _, row in anchors.iterrows():
        key = (row["iCode"], int(row["data_year"]))
        if key in anchor_rows:
            raise SystemExit(f"two published values for {key} in published.csv")
        anchor_rows[key] = row

    rng = np.random.RandomState(SEED)
    t = np.arange(len(YEARS), dtype=float)
    series: dict[str, dict[str, np.ndarray]] = {}
    yp: dict[str, np.ndarray] = {}
    for code in codes:
        kind, base, g = PARAMS[code]
        noise = _smooth(rng.normal(0.0, NOISE_SD[kind], len(YEARS)))
        if kind == "geom":
            given = {y: float(r["value"]) for (c, y), r in anchor_rows.items() if c == code}
            yp[code] = _geom(t, 1.0 if base is None else base, g, noise, given)
        elif base is None:
            raise SystemExit(f"{code}: a linear series needs a level in PARAMS")
        else:
            yp[code] = np.clip(base + g * t + noise, 0.0, 100.0)
    series["YP"] = yp
    for ucode, _ in UNITS[1:]:
        scale = rng.uniform(0.45, 1.25)
        speed = rng.uniform(0.6, 1.3)
        offset = rng.uniform(-6.0, 4.0)
        unit: dict[str, np.ndarray] = {}
        for code in codes:
            kind, base, g = PARAMS[code]
            jitter = rng.uniform(0.8, 1.2)
            noise = _smooth(rng.normal(0.0, NOISE_SD[kind], len(YEARS)))
            if kind == "geom":
                unit[code] = _geom(t, yp[code][0] * scale * jitter, g * speed, noise, {})
            else:
                unit[code] = np.clip(yp[code][0] + offset + g * speed * t + noise, 0.0, 100.0)
        series[ucode] = unit

    data_rows, source_rows = [], []
    for ucode, uname in UNITS:
        for i, year in enumerate(YEARS):
            row = {"uCode": ucode, "uName": uname, "Time": str(year)}
            for code in codes:
                pub = anchor_rows.get((code, year)) if ucode == "YP" else None
                if pub is not None:
                    value = pub["value"]
                    derived = pub["derived"] == "true"
                    source_rows.append({
                        "uCode": ucode, "Time": str(year), "iCode": code, "value": value,
                        "status": "derived" if derived else "published",
                        "source": pub["source_url"], "quote": pub["quote"], "ref": pub["ref"],
                        "note": " | ".join(
                            x for x in (pub["derivation"] if derived else "", pub["measure"], pub["note"]) if x
                        ),
                    })
                else:
                    value = _fmt(series[ucode][code][i], decimals[code])
                    if ucode == "YP":
                        years = sorted(y for (c, y) in anchor_rows if c == code)
                        listed = ", ".join(map(str, years))
                        how = (
                            f"curve shaped to pass through the published/derived values of {listed}"
                            if years
                            else f"{PARAMS[code][0]} series, parameters {PARAMS[code][1:]}"
                        )
                    else:
                        how = "fully synthetic demo comparison unit"
                    source_rows.append({
                        "uCode": ucode, "Time": str(year), "iCode": code, "value": value, "status": "demo",
                        "source": DEMO_SOURCE, "quote": "", "ref": "",
                        "note": f"演示数据, not a real figure; {how}",
                    })
                row[code] = value
            data_rows.append(row)
    idata = pd.DataFrame(data_rows, columns=["uCode", "uName", "Time", *codes], dtype=str)
    sources = pd.DataFrame(source_rows, columns=SOURCE_COLUMNS, dtype=str)
    return idata, sources


def render(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: next to this script)")
    parser.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    args = parser.parse_args(argv)
    idata, sources = build(HERE)
    outputs = {"demo_iData.csv": render(idata), "demo_sources.csv": render(sources)}
    if args.check:
        stale = [n for n, b in outputs.items() if not (args.out / n).exists() or (args.out / n).read_bytes() != b]
        for name in stale:
            print(f"{name} is not what make_demo.py produces", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, content in outputs.items():
        (args.out / name).write_bytes(content)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
