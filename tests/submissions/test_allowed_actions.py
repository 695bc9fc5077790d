"""The submission page offers exactly the workflow steps the service takes (one table: ``STEPS``)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from kechuang.core.access import Principal, Role
from kechuang.submissions.service import STEPS, allowed_actions

STATES = ("draft", "submitted", "dept_approved", "approved", "returned")
EXPECTED = {  # role → state → buttons, as the page showed them before the table moved into the service
    Role.REPORTER: {"draft": ["submit"], "returned": ["submit"], "approved": ["revise"]},
    Role.REVIEWER: {"submitted": ["dept_approve", "return"]},
    Role.APPROVER: {"dept_approved": ["approve", "return"]},
    Role.ADMIN: {},
    Role.VIEWER: {},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("state", STATES)
def test_the_page_offers_the_steps_of_the_table(role: Role, state: str) -> None:
    who = Principal(id=1, username="u", display_name="u", role=role, department_id=1)
    sub: Any = SimpleNamespace(state=state)
    assert allowed_actions(who, sub) == EXPECTED[role].get(state, [])


def test_every_step_leads_somewhere_the_workflow_knows() -> None:
    assert {new for _, new in STEPS.values()} <= set(STATES)
    assert {state for _, state in STEPS} <= set(STATES)
