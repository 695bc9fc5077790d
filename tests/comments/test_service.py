"""Public comments on SQLite and PostgreSQL: spam checks, rate limit, duplicates, moderation, replies,
campaigns and the summary by topic."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kechuang.accounts import service as accounts
from kechuang.audit.models import AuditRecord
from kechuang.comments import service as comments
from kechuang.comments.models import Comment
from kechuang.comments.schemas import CampaignIn, CommentForm
from kechuang.core.access import SYSTEM, Forbidden, NotFound, Principal, Role
from kechuang.core.settings import Settings
from kechuang.plan import service as plans
from kechuang.plan.loader import read_plan_file
from kechuang.store.db import transaction
from kechuang.supervision import service as supervision
from tests.conftest import FIXTURES

SETTINGS = Settings(secret_key="test-secret", comment_min_seconds=3, comment_rate_limit=3,
                           comment_rate_window_minutes=10)
NOW = dt.datetime(2023, 6, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
IP = "203.0.113.7"


@pytest.fixture
def db(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as s:
        plans.load_plan(s, read_plan_file(FIXTURES / "mini_plan.yaml"), source="mini", by="test")
    return sessions


def plan_id(s: Session) -> int:
    return plans.get_plan(s).id


def form(body: str, kind: str = "task", code: str = "T1", *, issued: dt.datetime | None = None,
         **extra: str) -> CommentForm:
    token = comments.issue_token(SETTINGS, kind, code, issued or NOW - dt.timedelta(seconds=20))
    return CommentForm(target_kind=kind, target_code=code, body=body, token=token, **extra)  # type: ignore[arg-type]


def send(s: Session, f: CommentForm, ip: str = IP, now: dt.datetime = NOW) -> Comment:
    return comments.submit(s, SETTINGS, plan_id(s), f, client_ip=ip, now=now)


def admin(s: Session) -> Principal:
    account = accounts.create_account(s, SYSTEM, username="office", display_name="规划办", password="x" * 12,
                                      role=Role.ADMIN)
    return accounts.principal_of(account)


def test_a_comment_is_stored_pending_with_a_salted_ip_hash_not_the_ip(db: sessionmaker[Session]) -> None:
    with transaction(db) as s:
        c = send(s, form("  建议增加孵化器的\r\n开放时间  ", author_name="  张  三 "))
        cid = c.id
    with db() as s:
        c = s.get(Comment, cid)
        assert c is not None
        assert (c.status, c.body, c.author_name, c.target_kind, c.target_code) == (
            "pending", "建议增加孵化器的\n开放时间", "张 三", "task", "T1")
        assert IP not in c.ip_hash and len(c.ip_hash) == 64
        assert c.ip_hash == comments.hash_client(SETTINGS, IP)
        assert c.ip_hash != comments.hash_client(Settings(secret_key="other"), IP), "salted by the secret"
        assert comments.published(s, plan_id(s), "task", "T1") == []


@pytest.mark.parametrize(("change", "code", "field"), [
    ({"website": "http://spam.example"}, "spam", "website"),
    ({"token": ""}, "spam", "token"),
    ({"token": "1685584000." + "0" * 64}, "spam", "token"),
    ({"issued": NOW - dt.timedelta(seconds=1)}, "spam", "token"),
    ({"issued": NOW - dt.timedelta(hours=13)}, "spam", "token"),
    ({"body": "好"}, "invalid", "body"),
    ({"body": "长" * 1001}, "invalid", "body"),
    ({"body": "see http://a.example http://b.example www.c.example"}, "spam", "body"),
    ({"body": "bell\x07character"}, "invalid", "body"),
    ({"author_name": "名" * 41}, "invalid", "author_name"),
    ({"code": "T99"}, "unknown_target", "target_code"),
    ({"kind": "measure", "code": "T1"}, "unknown_target", "target_code"),
])
def test_refused_comments_say_why_and_store_nothing(db: sessionmaker[Session], change: dict[str, object],
                                                    code: str, field: str) -> None:
    args: dict[str, object] = {"body": "一条正常的意见，内容足够长。", "kind": "task", "code": "T1"}
    args.update(change)
    extra = {k: v for k, v in args.items() if k in ("website", "author_name")}
    f = form(str(args["body"]), str(args["kind"]), str(args["code"]), issued=args.get("issued"),  # type: ignore[arg-type]
             **extra)  # type: ignore[arg-type]
    if "token" in args:
        f = f.model_copy(update={"token": args["token"]})
    with db() as s:
        with pytest.raises(comments.CommentError) as err:
            send(s, f)
        assert (err.value.code, err.value.field) == (code, field)
        s.rollback()
        assert s.scalars(select(Comment)).all() == []


def test_the_token_is_bound_to_its_target(db: sessionmaker[Session]) -> None:
    other = form("为项目提建议，内容足够长。", "project", "T1.M1.P1")
    with db() as s, pytest.raises(comments.SuspectedSpam):
        send(s, other.model_copy(update={"target_code": "T1.M1"}))


def test_every_target_kind_is_accepted(db: sessionmaker[Session]) -> None:
    with transaction(db) as s:
        for i, (kind, code) in enumerate([("task", "T1"), ("measure", "T1.M1"), ("project", "T1.M1.P1"),
                                           ("indicator", "IND_HTE")]):
            send(s, form(f"第{i}条意见，关于{code}。", kind, code), ip=f"198.51.100.{i}")
        assert [(c.target_kind, c.target_code) for c in s.scalars(select(Comment).order_by(Comment.id))] == [
            ("task", "T1"), ("measure", "T1.M1"), ("project", "T1.M1.P1"), ("indicator", "IND_HTE")]


def test_rate_limit_per_client_and_window(db: sessionmaker[Session]) -> None:
    with transaction(db) as s:
        for i in range(3):
            send(s, form(f"第{i}条不同的意见内容"), now=NOW + dt.timedelta(minutes=i))
    with db() as s:
        with pytest.raises(comments.RateLimited) as err:
            send(s, form("第四条意见，超过限额"), now=NOW + dt.timedelta(minutes=3))
        assert err.value.until == NOW + dt.timedelta(minutes=10), "when the first of the three leaves the window"
        s.rollback()
        send(s, form("另一个客户端不受影响"), ip="198.51.100.9", now=NOW + dt.timedelta(minutes=3))
        send(s, form("十分钟后又可以提交了"), now=NOW + dt.timedelta(minutes=10, seconds=1))


def test_duplicates_on_the_same_item_and_from_the_same_client(db: sessionmaker[Session]) -> None:
    with transaction(db) as s:
        send(s, form("建议  增加开放时间"))
    with db() as s:
        with pytest.raises(comments.DuplicateComment, match="on this item"):
            send(s, form("建议 增加开放时间 ", "task", "T1"), ip="198.51.100.1")  # another client, same item
        with pytest.raises(comments.DuplicateComment, match="from here today"):
            send(s, form("建议 增加开放时间", "measure", "T1.M1"))  # same client, other item, same day
        later = NOW + dt.timedelta(days=2)
        send(s, form("建议 增加开放时间", "measure", "T1.M1", issued=later - dt.timedelta(seconds=20)), now=later)


def test_moderation_publish_reject_and_audit(db: sessionmaker[Session]) -> None:
    with transaction(db) as s:
        office = admin(s)
        first, second = send(s, form("第一条意见内容")), send(s, form("第二条意见内容"))
        ids = first.id, second.id
    with transaction(db) as s:
        comments.publish(s, office, ids[0])
        with pytest.raises(comments.ModerationError, match="needs a reason"):
            comments.reject(s, office, ids[1], "  ")
        comments.reject(s, office, ids[1], "与规划无关")
    with db() as s:
        shown = comments.published(s, plan_id(s), "task", "T1")
        assert [c.body for c in shown] == ["第一条意见内容"]
        rejected = s.get(Comment, ids[1])
        assert rejected is not None and (rejected.status, rejected.reject_reason, rejected.moderated_by) == (
            "rejected", "与规划无关", "office")
        trail = s.scalars(select(AuditRecord).where(AuditRecord.entity == "public_comment")
                          .order_by(AuditRecord.id)).all()
        assert [(a.action, a.entity_id, a.old, a.new, a.reason, a.actor) for a in trail] == [
            ("publish", str(ids[0]), "pending", "published", "", "office"),
            ("reject", str(ids[1]), "pending", "rejected", "与规划无关", "office")]
        assert [c.id for c in comments.queue(s, office, plan_id(s), "rejected")] == [ids[1]]
        with pytest.raises(comments.ModerationError, match="already published"):
            comments.publish(s, office, ids[0])
        with pytest.raises(NotFound):
            comments.publish(s, office, 9999)


def test_only_the_plan_office_moderates(db: sessionmaker[Session]) -> None:
    with transaction(db) as s:
        dept = accounts.create_department(s, SYSTEM, code="KW", name_zh="区科委")
        acc = accounts.create_account(s, SYSTEM, username="rev", display_name="审核", password="x" * 12,
                                      role=Role.REVIEWER, department_id=dept.id)
        reviewer = accounts.principal_of(acc)
        cid = send(s, form("一条待审核的意见")).id
    with db() as s:
        with pytest.raises(Forbidden):
            comments.publish(s, reviewer, cid)
        with pytest.raises(Forbidden):
            comments.queue(s, reviewer, plan_id(s))


def test_replies_by_the_plan_office_and_the_responsible_department(db: sessionmaker[Session]) -> None:
    with transaction(db) as s:
        office = admin(s)
        kw = accounts.create_department(s, SYSTEM, code="KW", name_zh="区科委", name_en="Science Commission")
        fgw = accounts.create_department(s, SYSTEM, code="FGW", name_zh="区发改委")
        rev_kw = accounts.principal_of(accounts.create_account(
            s, SYSTEM, username="kw", display_name="科委审核", password="x" * 12, role=Role.REVIEWER,
            department_id=kw.id))
        rev_fgw = accounts.principal_of(accounts.create_account(
            s, SYSTEM, username="fgw", display_name="发改审核", password="x" * 12, role=Role.REVIEWER,
            department_id=fgw.id))
        supervision.create_item(s, office, plan_id=plan_id(s), element_code="T1.M1", title_zh="建设孵化载体",
                                lead_department_id=kw.id, deadline=dt.date(2025, 12, 31))
        on_project = send(s, form("孵化园什么时候开放？", "project", "T1.M1.P1"))
        pending = send(s, form("还没有审核的意见"))
        cid, pending_id = on_project.id, pending.id
    with transaction(db) as s:
        with pytest.raises(comments.ModerationError, match="only published"):
            comments.reply(s, office, pending_id, "答复")
        comments.publish(s, office, cid)
    with transaction(db) as s:
        with pytest.raises(Forbidden, match="not responsible"):
            comments.reply(s, rev_fgw, cid, "发改委答复")
        comments.reply(s, rev_kw, cid, "孵化园计划于2024年开放。", now=NOW)
    with transaction(db) as s:
        comments.reply(s, office, cid, "孵化园已于2024年3月开放。", department_id=kw.id, now=NOW)
    with db() as s:
        [shown] = comments.published(s, plan_id(s), "project", "T1.M1.P1")
        assert shown.reply is not None
        assert (shown.reply.body, shown.reply.author, shown.reply.department.name_zh) == (
            "孵化园已于2024年3月开放。", "office", "区科委")
        replies = s.scalars(select(AuditRecord).where(AuditRecord.action == "reply").order_by(AuditRecord.id)).all()
        assert [(a.actor, a.old, a.new, a.department_id) for a in replies] == [
            ("kw", None, "孵化园计划于2024年开放。", kw.id),
            ("office", "孵化园计划于2024年开放。", "孵化园已于2024年3月开放。", kw.id)]


def test_campaigns_collect_comments_and_the_summary_counts_by_topic(db: sessionmaker[Session]) -> None:
    with transaction(db) as s:
        office = admin(s)
        with pytest.raises(ValueError, match="ends"):
            CampaignIn(title_zh="x", starts_on=dt.date(2023, 6, 30), ends_on=dt.date(2023, 6, 1))
        mid = comments.create_campaign(s, office, plan_id(s), CampaignIn(
            title_zh="中期评估意见征集", title_en="Mid-term evaluation consultation",
            starts_on=dt.date(2023, 6, 1), ends_on=dt.date(2023, 6, 30)))
        mid_id = mid.id
        earlier = NOW - dt.timedelta(days=3)
        before = send(s, form("征集开始前的意见", issued=earlier - dt.timedelta(seconds=20)), now=earlier)
        a = send(s, form("关于任务的意见"), ip="198.51.100.1")
        b = send(s, form("关于举措的意见", "measure", "T1.M1"), ip="198.51.100.2")
        c = send(s, form("关于项目的意见", "project", "T1.M1.P1"), ip="198.51.100.3")
        d = send(s, form("关于指标的意见", "indicator", "IND_HTE"), ip="198.51.100.4")
        assert before.campaign_id is None and {x.campaign_id for x in (a, b, c, d)} == {mid_id}
        assert comments.open_campaign(s, plan_id(s), dt.date(2023, 6, 30)).id == mid_id  # type: ignore[union-attr]
        assert comments.open_campaign(s, plan_id(s), dt.date(2023, 7, 1)) is None
    with transaction(db) as s:
        comments.publish(s, office, a.id)
        comments.publish(s, office, b.id)
        comments.reject(s, office, c.id, "重复")
        comments.reply(s, office, a.id, "已采纳")
    with db() as s:
        rows = comments.summary(s, plan_id(s), mid_id)
        assert [(r.topic_kind, r.topic_code, r.received, r.published, r.pending, r.rejected, r.replied)
                for r in rows] == [("task", "T1", 3, 2, 0, 1, 1), ("indicator", "IND_HTE", 1, 0, 1, 0, 0)]
        assert rows[0].title_zh == "培育创新主体" and rows[0].number == 1
        everything = comments.summary(s, plan_id(s))
        assert everything[0].received == 4, "without a campaign: every comment received"
        audit = s.scalars(select(AuditRecord).where(AuditRecord.entity == "opinion_campaign")).all()
        assert [(x.action, x.new["title_zh"], x.new["starts_on"]) for x in audit] == [
            ("create", "中期评估意见征集", "2023-06-01")]


def test_state_changes_are_transactional(db: sessionmaker[Session]) -> None:
    with transaction(db) as s:
        office = admin(s)
        cid = send(s, form("这条意见的发布会回滚")).id
    with pytest.raises(RuntimeError), transaction(db) as s:
        comments.publish(s, office, cid)
        raise RuntimeError("the request failed after publishing")
    with db() as s:
        assert s.get(Comment, cid).status == "pending"  # type: ignore[union-attr]
        assert s.scalars(select(AuditRecord).where(AuditRecord.action == "publish")).all() == []
