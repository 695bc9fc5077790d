"""Public opinions: receive a comment (with spam checks), moderate it, reply to it, run campaigns, summarise.

Anti-spam without a third-party captcha, in the order the checks run:

1. honeypot: the form's hidden ``website`` field must stay empty;
2. signed timestamp: the form carries ``<unix time>.<HMAC-SHA256(secret, time|kind|code)>`` issued when it
   was served; it must verify, be at least ``comment_min_seconds`` old and at most ``comment_token_hours``;
3. content: ``comment_min_length`` ≤ length ≤ ``comment_max_length`` characters after trimming, no control
   characters, at most ``comment_max_links`` web links;
4. rate limit: at most ``comment_rate_limit`` comments per client (salted IP hash) per
   ``comment_rate_window_minutes``;
5. duplicates: the same normalised text (NFKC, case-folded, whitespace collapsed) on the same target, or
   from the same client within 24 hours, is refused.

The client's IP address is never stored: only ``HMAC-SHA256(secret, "ip|" + address)``.

Every function takes a session; the caller owns the transaction. Moderation, replies and campaigns write
an audit record in the same transaction. A public submission needs none: the comment row is itself the
record of who (hashed), when and what.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kechuang.accounts.models import Department
from kechuang.audit.service import record
from kechuang.comments.models import STATUSES, TARGET_KINDS, Comment, OfficialReply, OpinionCampaign
from kechuang.comments.schemas import CampaignIn, CommentForm, TopicSummary
from kechuang.core import clock
from kechuang.core.access import Forbidden, NotFound, Principal, Role
from kechuang.core.settings import Settings
from kechuang.indicators.models import Indicator
from kechuang.indicators.profiles import IndicatorProfile
from kechuang.plan import service as plans
from kechuang.plan.models import Plan, PlanElement
from kechuang.store.base import utcnow
from kechuang.supervision.models import SupervisionItem

#: who moderates and may reply for any department: the plan office (规划办)
MODERATORS = (Role.ADMIN, Role.APPROVER)
#: the longest official reply
MAX_REPLY_LENGTH = 4000
#: the longest rejection reason and author name
MAX_REASON_LENGTH = 500
MAX_NAME_LENGTH = 40
#: how long the same text from the same client counts as a duplicate on another target
DUPLICATE_WINDOW = dt.timedelta(hours=24)

_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"^(\d{1,12})\.([0-9a-f]{64})$")


class CommentError(ValueError):
    """A comment that is refused. ``code`` says why (a key for the UI's message), ``field`` which form field."""

    code = "invalid"

    def __init__(self, message: str, field: str = ""):
        self.field = field
        super().__init__(message)


class InvalidComment(CommentError):
    code = "invalid"


class SuspectedSpam(CommentError):
    code = "spam"


class DuplicateComment(CommentError):
    code = "duplicate"


class UnknownTarget(CommentError):
    code = "unknown_target"


class RateLimited(CommentError):
    code = "rate_limited"

    def __init__(self, until: dt.datetime):
        self.until = until
        super().__init__(f"too many comments from this client; try again after {until.isoformat(timespec='minutes')}")


class ModerationError(ValueError):
    """A moderation or reply that cannot be done as asked (unknown comment, no reason, not published …)."""


# ---------------------------------------------------------------- hashing and tokens


def hash_client(settings: Settings, ip: str) -> str:
    """The stored stand-in for an IP address: hex HMAC-SHA256(secret, ``"ip|" + ip``)."""
    return hmac.new(settings.secret(), f"ip|{ip}".encode(), hashlib.sha256).hexdigest()


def normalise(text: str) -> str:
    """Text as compared for duplicates: NFKC, case-folded, runs of whitespace as one space, trimmed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def text_hash(text: str) -> str:
    """SHA-256 of :func:`normalise` (hex)."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def _signature(settings: Settings, issued: int, kind: str, code: str) -> str:
    msg = f"comment-form|{issued}|{kind}|{code}".encode()
    return hmac.new(settings.secret(), msg, hashlib.sha256).hexdigest()


def issue_token(settings: Settings, target_kind: str, target_code: str, now: dt.datetime | None = None) -> str:
    """The signed timestamp put in a comment form when it is served: ``<unix seconds>.<signature>``."""
    issued = int((now or utcnow()).timestamp())
    return f"{issued}.{_signature(settings, issued, target_kind, target_code)}"


def check_token(settings: Settings, token: str, target_kind: str, target_code: str,
                now: dt.datetime | None = None) -> None:
    """Raise :class:`SuspectedSpam` unless ``token`` was issued by us for this target, at least
    ``comment_min_seconds`` and at most ``comment_token_hours`` ago."""
    match = _TOKEN.match(token or "")
    if match is None:
        raise SuspectedSpam("the form's token is missing or malformed; reload the page", "token")
    issued = int(match.group(1))
    if not hmac.compare_digest(match.group(2), _signature(settings, issued, target_kind, target_code)):
        raise SuspectedSpam("the form's token does not verify; reload the page", "token")
    age = (now or utcnow()).timestamp() - issued
    if age < settings.comment_min_seconds:
        raise SuspectedSpam(f"sent {age:.1f} s after the form was served, faster than a person types", "token")
    if age > settings.comment_token_hours * 3600:
        raise SuspectedSpam("the form has expired; reload the page", "token")


# ---------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    """What a comment is about, resolved in the plan's newest version."""

    kind: str
    code: str
    title_zh: str
    title_en: str
    task_code: str | None

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title_zh


def _tree(session: Session, plan_id: int) -> dict[str, PlanElement]:
    """Tasks, measures and projects of the plan's newest version by code."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise plans.PlanNotFound(f"no plan with id {plan_id}")
    version = plans.latest_version(session, plan.code)
    return {e.code: e for e in plans.elements(session, version) if e.kind in ("task", "measure", "project")}


def _tasks(tree: dict[str, PlanElement]) -> dict[str, str | None]:
    """Each task, measure or project of ``tree`` → its task (:func:`kechuang.plan.service.task_of`)."""
    parent = {c: e.parent_code for c, e in tree.items()}
    tasks = {c for c, e in tree.items() if e.kind == "task"}
    return {c: plans.task_of(c, parent, tasks) for c in tree}


def resolve_target(session: Session, plan_id: int, kind: str, code: str) -> Target:
    """The task, measure, project or indicator ``code`` of the plan, or :class:`UnknownTarget`."""
    return resolve_targets(session, plan_id, [(kind, code)])[(kind, code)]


def resolve_targets(session: Session, plan_id: int, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], Target]:
    """Several (kind, code) targets at once, reading the plan tree and the indicators once."""
    tree = _tree(session, plan_id) if any(k != "indicator" for k, _ in pairs) else {}
    task_of = _tasks(tree)
    wanted = [c for k, c in pairs if k == "indicator"]
    names = {i.code: i for i in session.scalars(select(Indicator).where(
        Indicator.plan_id == plan_id, Indicator.code.in_(wanted)))} if wanted else {}
    out: dict[tuple[str, str], Target] = {}
    for kind, code in pairs:
        if kind not in TARGET_KINDS:
            raise UnknownTarget(f"comments are taken on {', '.join(TARGET_KINDS)}, not {kind!r}", "target_kind")
        if kind == "indicator":
            ind = names.get(code)
            if ind is None:
                raise UnknownTarget(f"no indicator {code!r}", "target_code")
            out[(kind, code)] = Target(kind, code, ind.name_zh, ind.name_en, None)
            continue
        el = tree.get(code)
        if el is None or el.kind != kind:
            raise UnknownTarget(f"no {kind} {code!r} in the plan's newest version", "target_code")
        out[(kind, code)] = Target(kind, code, el.title_zh, el.title_en, task_of.get(code))
    return out


# ---------------------------------------------------------------- campaigns


def create_campaign(session: Session, actor: Principal, plan_id: int, data: CampaignIn) -> OpinionCampaign:
    """Open an opinion campaign (plan office only)."""
    actor.require_role(*MODERATORS, action="creating an opinion campaign")
    campaign = OpinionCampaign(plan_id=plan_id, created_by=actor.username, **data.model_dump())
    session.add(campaign)
    session.flush()
    record(session, actor, "create", "opinion_campaign", campaign.id, department_id=None,
           new=data.model_dump(mode="json"))
    return campaign


def campaigns(session: Session, plan_id: int) -> list[OpinionCampaign]:
    """The plan's campaigns, the latest start first."""
    return list(session.scalars(select(OpinionCampaign).where(OpinionCampaign.plan_id == plan_id)
                                .order_by(OpinionCampaign.starts_on.desc(), OpinionCampaign.id.desc())))


def get_campaign(session: Session, campaign_id: int) -> OpinionCampaign:
    found = session.get(OpinionCampaign, campaign_id)
    if found is None:
        raise NotFound(f"no opinion campaign {campaign_id}")
    return found


def open_campaign(session: Session, plan_id: int, today: dt.date) -> OpinionCampaign | None:
    """The campaign running on ``today`` (the one started last when several overlap), or None."""
    return session.scalar(select(OpinionCampaign).where(
        OpinionCampaign.plan_id == plan_id, OpinionCampaign.starts_on <= today, OpinionCampaign.ends_on >= today,
    ).order_by(OpinionCampaign.starts_on.desc(), OpinionCampaign.id.desc()).limit(1))


# ---------------------------------------------------------------- receiving


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they are UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _clean_body(settings: Settings, raw: str) -> str:
    body = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(body) < settings.comment_min_length:
        raise InvalidComment(f"the comment needs at least {settings.comment_min_length} characters", "body")
    if len(body) > settings.comment_max_length:
        raise InvalidComment(f"the comment has {len(body)} characters; at most {settings.comment_max_length} "
                             "are accepted", "body")
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in body):
        raise InvalidComment("the comment contains control characters", "body")
    if len(_LINK.findall(body)) > settings.comment_max_links:
        raise SuspectedSpam(f"more than {settings.comment_max_links} web links", "body")
    return body


def submit(session: Session, settings: Settings, plan_id: int, form: CommentForm, *, client_ip: str,
           now: dt.datetime | None = None) -> Comment:
    """Receive a public comment: run the checks of the module docstring, then store it as ``pending``
    (attached to the campaign running today, if any). Raises a :class:`CommentError` subclass."""
    now = now or utcnow()
    if form.website.strip():
        raise SuspectedSpam("a field people cannot see was filled in", "website")
    check_token(settings, form.token, form.target_kind, form.target_code, now)
    target = resolve_target(session, plan_id, form.target_kind, form.target_code)
    body = _clean_body(settings, form.body)
    name = " ".join(form.author_name.split())
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidComment(f"the name has more than {MAX_NAME_LENGTH} characters", "author_name")
    client = hash_client(settings, client_ip)
    window_start = now - dt.timedelta(minutes=settings.comment_rate_window_minutes)
    recent = list(session.scalars(select(Comment.submitted_at).where(
        Comment.ip_hash == client, Comment.submitted_at > window_start).order_by(Comment.submitted_at)))
    if len(recent) >= settings.comment_rate_limit:
        oldest = _aware(recent[-settings.comment_rate_limit])
        raise RateLimited(oldest + dt.timedelta(minutes=settings.comment_rate_window_minutes))
    digest = text_hash(body)
    same_text = select(Comment.id).where(Comment.plan_id == plan_id, Comment.body_hash == digest)
    if session.scalar(same_text.where(Comment.target_kind == target.kind, Comment.target_code == target.code)
                      .limit(1)) is not None:
        raise DuplicateComment("the same comment was already received on this item", "body")
    if session.scalar(same_text.where(Comment.ip_hash == client, Comment.submitted_at > now - DUPLICATE_WINDOW)
                      .limit(1)) is not None:
        raise DuplicateComment("the same comment was already sent from here today", "body")
    campaign = open_campaign(session, plan_id, clock.today(now))
    comment = Comment(plan_id=plan_id, target_kind=target.kind, target_code=target.code,
                      campaign_id=campaign.id if campaign else None, author_name=name, body=body,
                      body_hash=digest, ip_hash=client, status="pending", submitted_at=now)
    session.add(comment)
    session.flush()
    return comment


# ---------------------------------------------------------------- moderating and replying


def get_comment(session: Session, comment_id: int) -> Comment:
    found = session.get(Comment, comment_id)
    if found is None:
        raise NotFound(f"no comment {comment_id}")
    return found


def _moderate(session: Session, actor: Principal, comment_id: int, status: str, reason: str,
              now: dt.datetime | None) -> Comment:
    actor.require_role(*MODERATORS, action="moderating comments")
    comment = get_comment(session, comment_id)
    if comment.status == status:
        raise ModerationError(f"comment {comment_id} is already {status}")
    old = comment.status
    comment.status = status
    comment.reject_reason = reason
    comment.moderated_at = now or utcnow()
    comment.moderated_by = actor.username
    record(session, actor, "publish" if status == "published" else "reject", "public_comment", comment.id,
           department_id=None, field="status", old=old, new=status, reason=reason)
    return comment


def publish(session: Session, actor: Principal, comment_id: int, now: dt.datetime | None = None) -> Comment:
    """Publish a comment (plan office only): it is shown on its item's page from now on."""
    return _moderate(session, actor, comment_id, "published", "", now)


def reject(session: Session, actor: Principal, comment_id: int, reason: str,
           now: dt.datetime | None = None) -> Comment:
    """Reject (or withdraw) a comment with a reason (plan office only); it is no longer shown."""
    reason = reason.strip()
    if not reason:
        raise ModerationError("a rejection needs a reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ModerationError(f"the reason has more than {MAX_REASON_LENGTH} characters")
    return _moderate(session, actor, comment_id, "rejected", reason, now)


def _related_codes(tree: dict[str, PlanElement], comment: Comment) -> set[str]:
    """The comment's target with its ancestors and descendants in the plan tree (for responsibility)."""
    codes = {comment.target_code}
    node = tree.get(comment.target_code)
    while node is not None and node.parent_code in tree:
        codes.add(node.parent_code or "")
        node = tree.get(node.parent_code or "")
    frontier = {comment.target_code}
    while frontier:
        frontier = {c for c, e in tree.items() if e.parent_code in frontier}
        codes |= frontier
    return codes


def responsible_departments(session: Session, comment: Comment,
                            tree: dict[str, PlanElement] | None = None) -> set[int]:
    """Departments answerable for a comment's target: lead and co-operating departments of the supervision
    items on the target, its task/measure above it or its measures/projects below it; for an indicator, the
    department that reports it (its monitoring profile's owner). ``tree``: the plan tree, when at hand."""
    if comment.target_kind == "indicator":
        owner = session.scalar(select(IndicatorProfile.owner_department_id).join(IndicatorProfile.indicator).where(
            Indicator.plan_id == comment.plan_id, Indicator.code == comment.target_code))
        return {owner} if owner is not None else set()
    codes = _related_codes(tree if tree is not None else _tree(session, comment.plan_id), comment)
    items = session.scalars(select(SupervisionItem).where(
        SupervisionItem.plan_id == comment.plan_id, SupervisionItem.element_code.in_(codes)))
    return {d for item in items for d in item.department_ids()}


def reply(session: Session, actor: Principal, comment_id: int, body: str, *, department_id: int | None = None,
          now: dt.datetime | None = None) -> OfficialReply:
    """Post (or replace) the official reply to a published comment.

    The plan office (admin, approver) may sign for any department or, with ``department_id=None``, for
    itself; a department reviewer signs for their own department, and only on items their department is
    responsible for (:func:`responsible_departments`).
    """
    comment = get_comment(session, comment_id)
    if actor.role in MODERATORS:
        if department_id is not None and session.get(Department, department_id) is None:
            raise ModerationError(f"no department {department_id}")
    elif actor.role == Role.REVIEWER:
        department_id = actor.department_id
        if department_id not in responsible_departments(session, comment):
            raise Forbidden(f"{actor.username}'s department is not responsible for {comment.target_kind} "
                            f"{comment.target_code}")
    else:
        raise Forbidden(f"official replies are posted by the plan office or a department reviewer; "
                        f"{actor.username} is {actor.role.value}")
    if comment.status != "published":
        raise ModerationError(f"comment {comment_id} is {comment.status}; only published comments get replies")
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise ModerationError("the reply is empty")
    if len(text) > MAX_REPLY_LENGTH:
        raise ModerationError(f"the reply has more than {MAX_REPLY_LENGTH} characters")
    existing = comment.reply
    old = existing.body if existing else None
    if existing is None:
        existing = OfficialReply(comment_id=comment.id, body=text, author=actor.username,
                                 department_id=department_id, replied_at=now or utcnow())
        session.add(existing)
        comment.reply = existing
    else:
        existing.body, existing.author, existing.department_id = text, actor.username, department_id
        existing.replied_at = now or utcnow()
    session.flush()
    record(session, actor, "reply", "public_comment", comment.id, department_id=department_id, field="reply",
           old=old, new=text)
    return existing


# ---------------------------------------------------------------- reading


def published(session: Session, plan_id: int, target_kind: str | None = None,
              target_code: str | None = None) -> list[Comment]:
    """Published comments (with their replies), oldest first; optionally of one target."""
    stmt = (select(Comment).where(Comment.plan_id == plan_id, Comment.status == "published")
            .options(selectinload(Comment.reply).selectinload(OfficialReply.department))
            .order_by(Comment.submitted_at, Comment.id))
    if target_kind is not None:
        stmt = stmt.where(Comment.target_kind == target_kind)
    if target_code is not None:
        stmt = stmt.where(Comment.target_code == target_code)
    return list(session.scalars(stmt))


def queue(session: Session, actor: Principal, plan_id: int, status: str = "pending",
          limit: int = 200) -> list[Comment]:
    """Comments of one status for the plan office to moderate, oldest first."""
    actor.require_role(*MODERATORS, action="reading the moderation queue")
    if status not in STATUSES:
        raise ModerationError(f"status must be one of {', '.join(STATUSES)}")
    return list(session.scalars(select(Comment).where(Comment.plan_id == plan_id, Comment.status == status)
                                .options(selectinload(Comment.reply)).order_by(Comment.submitted_at, Comment.id)
                                .limit(limit)))


def answerable(session: Session, actor: Principal, plan_id: int) -> list[Comment]:
    """Published comments ``actor`` may reply to: all of them for the plan office, those on items of their
    department's responsibility for a department reviewer, none for anyone else."""
    if actor.role in MODERATORS:
        return published(session, plan_id)
    if actor.role != Role.REVIEWER:
        return []
    tree = _tree(session, plan_id)
    return [c for c in published(session, plan_id)
            if actor.department_id in responsible_departments(session, c, tree)]


def published_counts(session: Session, plan_id: int) -> dict[tuple[str, str], int]:
    """Number of published comments per (target kind, target code)."""
    rows = session.execute(select(Comment.target_kind, Comment.target_code, func.count()).where(
        Comment.plan_id == plan_id, Comment.status == "published").group_by(Comment.target_kind, Comment.target_code))
    return {(k, c): n for k, c, n in rows}


def summary(session: Session, plan_id: int, campaign_id: int | None = None, *,
            keep: Callable[[Comment], bool] | None = None, status: Callable[[Comment], str] | None = None,
            answered: Callable[[Comment], bool] | None = None) -> list[TopicSummary]:
    """What was received, by topic: one row per task of the plan (comments on the task, its measures and
    its projects), then one row per indicator that received comments. Counts are of all comments received
    (in the campaign, when one is given), by status, and how many have an official reply. A report as of a
    cut-off passes ``keep`` (which comments count), ``status`` (a comment's status then) and ``answered``
    (whether it had a reply then)."""
    stmt = select(Comment).where(Comment.plan_id == plan_id).options(selectinload(Comment.reply))
    if campaign_id is not None:
        stmt = stmt.where(Comment.campaign_id == campaign_id)
    tree = _tree(session, plan_id)
    task_of = _tasks(tree)
    rows: dict[tuple[str, str], dict[str, int]] = {}
    for el in tree.values():
        if el.kind == "task":
            rows[("task", el.code)] = dict.fromkeys(("received", "replied", *STATUSES), 0)
    for c in session.scalars(stmt):
        if keep is not None and not keep(c):
            continue
        key = ("indicator", c.target_code) if c.target_kind == "indicator" else ("task", task_of.get(c.target_code)
                                                                                 or c.target_code)
        counts = rows.setdefault(key, dict.fromkeys(("received", "replied", *STATUSES), 0))
        counts["received"] += 1
        counts[c.status if status is None else status(c)] += 1
        counts["replied"] += (c.reply is not None) if answered is None else answered(c)
    names = {i.code: i for i in session.scalars(select(Indicator).where(Indicator.plan_id == plan_id))}
    out = []
    for (kind, code), counts in rows.items():
        if kind == "task":
            el = tree[code]
            out.append(TopicSummary(topic_kind="task", topic_code=code, number=el.attrs.get("number"),
                                    title_zh=el.title_zh, title_en=el.title_en, **counts))
        else:
            ind = names[code]
            out.append(TopicSummary(topic_kind="indicator", topic_code=code, title_zh=ind.name_zh,
                                    title_en=ind.name_en, **counts))
    return sorted(out, key=lambda r: (r.topic_kind != "task", r.number or 0, r.topic_code))
