"""Dependencies that load a department's resource named in the path and check that the principal may see
it. They run before the request body is read. A resource outside the principal's scope is answered exactly
like an id that does not exist (404, the same message), so the ids of other departments cannot be probed;
what the principal's role may do with a resource they do see is checked afterwards (403)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from kechuang.core.access import Forbidden, NotFound, Principal
from kechuang.submissions import service as submissions
from kechuang.submissions.models import Submission
from kechuang.supervision import service as supervision
from kechuang.supervision.models import EvidenceFile, Milestone, SupervisionItem
from kechuang.web.security import db, principal

T = TypeVar("T")


def _in_scope(load: Callable[[], T], missing: str) -> T:
    """``load()``, with "not yours" answered as ``missing`` (NotFound) — the answer for an id that does not exist."""
    try:
        return load()
    except Forbidden:
        raise NotFound(missing) from None


def visible_submission(submission_id: int, who: Principal = Depends(principal),
                       s: Session = Depends(db)) -> Submission:
    return _in_scope(lambda: submissions.get_submission(s, who, submission_id), f"no submission {submission_id}")


def visible_item(item_id: int, who: Principal = Depends(principal), s: Session = Depends(db)) -> SupervisionItem:
    return _in_scope(lambda: supervision.get_item(s, who, item_id), f"no supervision item {item_id}")


def visible_milestone(milestone_id: int, who: Principal = Depends(principal), s: Session = Depends(db)) -> Milestone:
    ms = s.get(Milestone, milestone_id)
    if ms is None:
        raise NotFound(f"no milestone {milestone_id}")
    _in_scope(lambda: supervision.get_item(s, who, ms.item_id), f"no milestone {milestone_id}")
    return ms


def visible_evidence(evidence_id: int, request: Request, who: Principal = Depends(principal),
                     s: Session = Depends(db)) -> tuple[EvidenceFile, Path]:
    return _in_scope(lambda: supervision.get_evidence(s, who, evidence_id, request.app.state.supervision_settings),
                     f"no evidence file {evidence_id}")
