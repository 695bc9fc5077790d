"""Thresholds of the progress rules, kept beside every result (each Assessment copies the ones it used)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ProgressConfig(BaseModel):
    """All tunable thresholds; the defaults are the published rules in docs/progress.md."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    delta: float = Field(default=0.05, ge=0, description="序时进度 tolerance δ as a share (0.05 = 5 points).")
    green_max_gap_points: float = Field(
        default=10.0, ge=0, description="Gap E − A (points) up to which the colour is green."
    )
    yellow_max_gap_points: float = Field(
        default=30.0, ge=0, description="Gap E − A (points) up to which the colour is yellow."
    )
    sdsn_moderate_fraction: float = Field(
        default=0.5, gt=0, lt=1, description="SDSN: g above this fraction of r (and below r) is ➚ moderately improving."
    )
    cagr_substantial_ratio: float = Field(
        default=0.95, description="CAGR ratio at or above which progress is substantial."
    )
    cagr_moderate_ratio: float = Field(default=0.6, description="CAGR ratio at or above which progress is moderate.")
    cagr_substantial_growth: float = Field(
        default=0.015, description="No target: d·CAGR at or above which it is substantial."
    )
    cagr_moderate_growth: float = Field(
        default=0.005, description="No target: d·CAGR at or above which it is moderate."
    )
    projection_half_life_years: float = Field(
        default=3.0, gt=0, description="Projection: an observation h years older than the latest weighs half as much."
    )
    projection_yellow_points: float = Field(
        default=10.0, ge=0, description="Projection: a projected shortfall up to this many points of X − x0 is yellow."
    )

    @model_validator(mode="after")
    def _ordered(self) -> ProgressConfig:
        if self.green_max_gap_points > self.yellow_max_gap_points:
            raise ValueError("green_max_gap_points must not exceed yellow_max_gap_points")
        if not 0 <= self.cagr_moderate_ratio <= self.cagr_substantial_ratio:
            raise ValueError("need 0 <= cagr_moderate_ratio <= cagr_substantial_ratio")
        if not 0 <= self.cagr_moderate_growth <= self.cagr_substantial_growth:
            raise ValueError("need 0 <= cagr_moderate_growth <= cagr_substantial_growth")
        return self
