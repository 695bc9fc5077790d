"""Tables of public opinions.

A comment is about one task, measure, key project or indicator of a plan (``target_kind`` +
``target_code``). It is stored with a salted hash of the sender's IP address, never the address itself,
and with a hash of its normalised text (for duplicate detection). The plan office publishes or rejects it
(with a reason); a department may then post one official reply, shown under the comment. An opinion
campaign (意见征集) is a dated window, e.g. for the mid-term evaluation; comments received inside it are
counted for it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kechuang.accounts.models import Department
from kechuang.store.base import Base, utcnow

TARGET_KINDS = ("task", "measure", "project", "indicator")
STATUSES = ("pending", "published", "rejected")


class OpinionCampaign(Base):
    __tablename__ = "opinion_campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    title_zh: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text, default="")
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title_zh

    def description(self, lang: str) -> str:
        return self.description_en if lang == "en" and self.description_en else self.description_zh

    def is_open(self, today: dt.date) -> bool:
        """Whether ``today`` lies within the campaign (both dates included)."""
        return self.starts_on <= today <= self.ends_on


class Comment(Base):
    __tablename__ = "public_comment"
    __table_args__ = (
        Index("ix_public_comment_target", "plan_id", "target_kind", "target_code", "status"),
        Index("ix_public_comment_ip_at", "ip_hash", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    target_kind: Mapped[str] = mapped_column(String(20))
    target_code: Mapped[str] = mapped_column(String(100))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("opinion_campaign.id", ondelete="SET NULL"),
                                                    nullable=True, index=True)
    author_name: Mapped[str] = mapped_column(String(40), default="")
    body: Mapped[str] = mapped_column(Text)
    body_hash: Mapped[str] = mapped_column(String(64), index=True)
    ip_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    moderated_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    moderated_by: Mapped[str] = mapped_column(String(80), default="")
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    campaign: Mapped[OpinionCampaign | None] = relationship()
    reply: Mapped[OfficialReply | None] = relationship(back_populates="comment", cascade="all, delete-orphan",
                                                       uselist=False)


class OfficialReply(Base):
    """The official answer to a comment, signed by a department (or by the plan office when none)."""

    __tablename__ = "official_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("public_comment.id", ondelete="CASCADE"), unique=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), nullable=True)
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(80))
    replied_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="reply")
    department: Mapped[Department | None] = relationship()
