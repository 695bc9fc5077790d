"""The index framework (hierarchy, directions, weights) read from a validated iMeta table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Structure:
    """Hierarchy of an index: level 1 = indicators, level ``max_level`` = the index.

    ``codes`` lists indicators and aggregates in iMeta order; ``children[p]`` lists the codes whose
    ``Parent`` is ``p``, in iMeta order; ``weight`` holds the iMeta weights (relative within each parent).
    """

    codes: tuple[str, ...]
    level: Mapping[str, int]
    parent: Mapping[str, str | None]
    children: Mapping[str, tuple[str, ...]]
    direction: Mapping[str, int]
    weight: Mapping[str, float]
    max_level: int

    @classmethod
    def from_meta(cls, meta: pd.DataFrame) -> Structure:
        """Build the structure from the Indicator and Aggregate rows of a validated iMeta table."""
        rows = meta[meta["Type"].isin(["Indicator", "Aggregate"])]
        codes = tuple(str(c) for c in rows["iCode"])
        level = {c: int(v) for c, v in zip(codes, rows["Level"], strict=True)}
        parent = {
            c: (None if pd.isna(p) or str(p) == "" else str(p)) for c, p in zip(codes, rows["Parent"], strict=True)
        }
        children: dict[str, list[str]] = {c: [] for c in codes if level[c] > 1}
        for c in codes:
            p = parent[c]
            if p is not None:
                children[p].append(c)
        return cls(
            codes=codes,
            level=level,
            parent=parent,
            children={p: tuple(ch) for p, ch in children.items()},
            direction={c: int(v) for c, v in zip(codes, rows["Direction"], strict=True)},
            weight={c: float(v) for c, v in zip(codes, rows["Weight"], strict=True)},
            max_level=max(level.values()),
        )

    @property
    def indicators(self) -> tuple[str, ...]:
        """Level-1 codes in iMeta order."""
        return self.at_level(1)

    @property
    def aggregates(self) -> tuple[str, ...]:
        """Codes of level ≥ 2, level by level (2, 3, …), iMeta order within a level."""
        return tuple(c for lev in range(2, self.max_level + 1) for c in self.at_level(lev))

    def at_level(self, level: int) -> tuple[str, ...]:
        """Codes of one level in iMeta order."""
        return tuple(c for c in self.codes if self.level[c] == level)

    def descendants(self, code: str, level: int) -> tuple[str, ...]:
        """Codes of ``level`` lying below ``code`` (``code`` itself if it is of that level)."""
        if self.level[code] == level:
            return (code,)
        if self.level[code] < level:
            return ()
        return tuple(d for child in self.children[code] for d in self.descendants(child, level))

    def lineage(self) -> pd.DataFrame:
        """One row per indicator, one column per level (``Level1`` … ``LevelN``): the chain of ancestors."""
        rows = []
        for ind in self.indicators:
            chain = [ind]
            while (p := self.parent[chain[-1]]) is not None:
                chain.append(p)
            rows.append(chain + [None] * (self.max_level - len(chain)))
        return pd.DataFrame(rows, columns=[f"Level{i}" for i in range(1, self.max_level + 1)])
