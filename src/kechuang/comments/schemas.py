"""Input and output shapes of public opinions (validated at the edge, used by pages, API and exports)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

TargetKind = Literal["task", "measure", "project", "indicator"]


class CommentForm(BaseModel):
    """What the public comment form sends. ``website`` is the honeypot: people never see it, bots fill it."""

    model_config = ConfigDict(str_strip_whitespace=False)

    target_kind: TargetKind
    target_code: str = Field(max_length=100)
    body: str = ""
    author_name: str = ""
    token: str = ""
    website: str = ""


class CampaignIn(BaseModel):
    """A new opinion campaign (意见征集): a title, what it is about, and its first and last day."""

    title_zh: str = Field(min_length=1, max_length=200)
    title_en: str = Field("", max_length=200)
    description_zh: str = Field("", max_length=2000)
    description_en: str = Field("", max_length=2000)
    starts_on: dt.date
    ends_on: dt.date
    is_demo: bool = False

    @model_validator(mode="after")
    def _dates(self) -> CampaignIn:
        if self.ends_on < self.starts_on:
            raise ValueError(f"the campaign ends ({self.ends_on}) before it starts ({self.starts_on})")
        return self


class TopicSummary(BaseModel):
    """What was received on one topic (a task with its measures and projects, or an indicator)."""

    topic_kind: Literal["task", "indicator"]
    topic_code: str
    number: int | None = Field(None, description="task number")
    title_zh: str
    title_en: str
    received: int
    published: int
    pending: int
    rejected: int
    replied: int
