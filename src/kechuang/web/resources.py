"""Dependencies that load a department's resource named in the path and check that the principal may see
it. They run before the request body is read, so a principal without access gets 403 whatever they send."""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from kechuang.accounts.access import NotFound, Principal
from kechuang.submissions import service as submissions
from kechuang.submissions.models import Submission
from kechuang.supervision import service as supervision
from kechuang.supervision.models import EvidenceFile, Milestone, SupervisionItem
from kechuang.web.security import db, principal


def visible_submission(submission_id: int, who: Principal = Depends(principal),
                       s: Session = Depends(db)) -> Submission:
    return submissions.get_submission(s, who, submission_id)


def visible_item(item_id: int, who: Principal = Depends(principal), s: Session = Depends(db)) -> SupervisionItem:
    return supervision.get_item(s, who, item_id)


def visible_milestone(milestone_id: int, who: Principal = Depends(principal), s: Session = Depends(db)) -> Milestone:
    ms = s.get(Milestone, milestone_id)
    if ms is None:
        raise NotFound(f"no milestone {milestone_id}")
    supervision.get_item(s, who, ms.item_id)
    return ms


def visible_evidence(evidence_id: int, request: Request, who: Principal = Depends(principal),
                     s: Session = Depends(db)) -> tuple[EvidenceFile, Path]:
    return supervision.get_evidence(s, who, evidence_id, request.app.state.supervision_settings)
