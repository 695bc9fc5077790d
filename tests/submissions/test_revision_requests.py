"""申请修订 is a request the plan office decides: the submission stays approved and locked until an approver
approves it (then it reopens as a draft, revision + 1) or refuses it with a reason; every step is audited.
A reviewer's return comment is shown as history, not as the submission's current comment, once the
submission has moved on."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from kechuang.audit.service import RecordedRefusal
from kechuang.core.access import Forbidden
from kechuang.submissions import service as submissions
from tests.monitoring.helpers import who
from tests.submissions.test_web import kw_submission_id
from tests.submissions.test_workflow import approve_all, kw_submission

ClientAs = Callable[[str], tuple[TestClient, str]]


def test_revision_waits_for_the_plan_office(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        sub_id = kw_submission(s).id
    approve_all(seeded, sub_id, {"IND_PATENTS_PER_10K": 125, "IND_HNTE": 1100})
    with seeded() as s:
        rep, approver, reviewer = who(s, "demo-kw-reporter"), who(s, "demo-approver"), who(s, "demo-kw-reviewer")
        with pytest.raises(submissions.SubmissionError, match="reopened only when the plan office approves"):
            submissions.transition(s, rep, sub_id, "revise", comment="直接改")
        submissions.request_revision(s, rep, sub_id, "统计局年报更正")
        s.commit()
        assert submissions.get_submission(s, rep, sub_id).state == "approved", "still locked"
        with pytest.raises(RecordedRefusal):
            submissions.save_values(s, rep, sub_id, [submissions.ValueChange("IND_HNTE", 1090, True,
                                                                             expected_version=2)])
        s.commit()  # what the web layer does: keep the refusal on record
        with pytest.raises(submissions.SubmissionError, match="already waits"):
            submissions.request_revision(s, rep, sub_id, "再次申请")
        with pytest.raises(Forbidden):
            submissions.decide_revision(s, reviewer, sub_id, approve=True)
        with pytest.raises(submissions.SubmissionError, match="needs a reason"):
            submissions.decide_revision(s, approver, sub_id, approve=False)
        refused = submissions.decide_revision(s, approver, sub_id, approve=False, reason="年报尚未发布，请待正式数")
        assert (refused.state, refused.decided_by) == ("refused", "demo-approver")
        assert submissions.get_submission(s, rep, sub_id).state == "approved", "a refusal changes nothing"
        submissions.request_revision(s, rep, sub_id, "年报已发布，更正为正式数")
        submissions.decide_revision(s, approver, sub_id, approve=True)
        sub = submissions.get_submission(s, rep, sub_id)
        assert (sub.state, sub.revision, sub.comment) == ("draft", 1, "年报已发布，更正为正式数")
        s.commit()
        assert [(r.state, r.reason) for r in submissions.revision_requests(s, sub_id)] == [
            ("refused", "统计局年报更正"), ("approved", "年报已发布，更正为正式数")]
        steps = [(r.actor, r.action, r.reason) for r in submissions.comment_history(s, approver, sub)]
        assert steps == [("demo-kw-reporter", "request_revision", "统计局年报更正"),
                         ("demo-approver", "refuse_revision", "年报尚未发布，请待正式数"),
                         ("demo-kw-reporter", "request_revision", "年报已发布，更正为正式数"),
                         ("demo-approver", "approve_revision", "年报已发布，更正为正式数")]


def test_pages_request_decide_and_show_comments_as_history(client_as: ClientAs) -> None:
    rep, rep_token = client_as("demo-kw-reporter")
    sub_id = kw_submission_id(rep)
    api, h = f"/api/v1/submissions/{sub_id}", {"X-CSRF-Token": rep_token}
    rep.put(f"{api}/values/IND_PATENTS_PER_10K", json={"value": 125, "version": 1}, headers=h)
    rep.put(f"{api}/values/IND_HNTE", json={"value": 1100, "version": 1}, headers=h)
    rep.post(f"{api}/transitions", json={"action": "submit"}, headers=h)
    rev, rev_token = client_as("demo-kw-reviewer")
    rev.post(f"{api}/transitions", json={"action": "return", "comment": "请用年末口径"},
             headers={"X-CSRF-Token": rev_token})
    page = rep.get(f"/submissions/{sub_id}").text
    assert '<dd id="comment">请用年末口径</dd>' in page, "returned: the comment is current"
    rep.post(f"{api}/transitions", json={"action": "submit"}, headers=h)
    rev.post(f"{api}/transitions", json={"action": "dept_approve"}, headers={"X-CSRF-Token": rev_token})
    app_, app_token = client_as("demo-approver")
    app_.post(f"{api}/transitions", json={"action": "approve"}, headers={"X-CSRF-Token": app_token})
    page = rep.get(f"/submissions/{sub_id}").text
    assert 'id="comment"' not in page, "once approved the return comment is no longer shown as the current one"
    assert '<tr data-action="return">' in page and "请用年末口径" in page[page.index('id="comment-history"'):]
    r = rep.post(f"/submissions/{sub_id}/revision-request", data={"csrf_token": rep_token, "reason": "统计局更正"},
                 follow_redirects=False)
    assert r.status_code == 303
    page = rep.get(r.headers["location"]).text
    assert "修订申请已提交，等待规划办决定。" in page and "规划办已审批（锁定）" in page
    assert 'id="action-revise"' not in page, "one request at a time"
    queue = app_.get("/review").text
    assert f'<tr data-submission="{sub_id}">' in queue[queue.index('id="revision-requests"'):]
    decided = app_.post(f"{api}/revision-requests/decision", json={"approve": True},
                        headers={"X-CSRF-Token": app_token})
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    got = rep.get(api).json()
    assert (got["state"], got["revision"]) == ("draft", 1)
    assert [r["state"] for r in got["revision_requests"]] == ["approved"]
    assert rep.post(f"{api}/revision-requests/decision", json={"approve": True}, headers=h).status_code == 403
