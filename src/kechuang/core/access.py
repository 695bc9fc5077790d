"""Who may do what: roles, the acting principal, the checks every service applies and the errors every layer
shares (forbidden, not found, a stale edit), each turned into its HTTP status at the edge (``web.security``).

Roles: ``admin`` (plan office: accounts, indicators, periods, supervision items), ``reporter`` (enters
data for their department), ``reviewer`` (department's first approval), ``approver`` (plan office's
second approval), ``viewer`` (leadership: reads everything, changes nothing). Reporters and reviewers
see only what belongs to their own department; the plan-office roles see every department.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    REPORTER = "reporter"
    REVIEWER = "reviewer"
    APPROVER = "approver"
    VIEWER = "viewer"

    @property
    def zh(self) -> str:
        """Chinese label of the role."""
        return _ROLE_ZH[self]

    @property
    def en(self) -> str:
        """English label of the role."""
        return _ROLE_EN[self]

    @property
    def department_bound(self) -> bool:
        """Reporters and reviewers act for one department and need one."""
        return self in (Role.REPORTER, Role.REVIEWER)


_ROLE_ZH = {Role.ADMIN: "规划办管理员", Role.REPORTER: "部门填报员", Role.REVIEWER: "部门审核人",
            Role.APPROVER: "规划办审批人", Role.VIEWER: "领导查看"}
_ROLE_EN = {Role.ADMIN: "plan-office administrator", Role.REPORTER: "department reporter",
            Role.REVIEWER: "department reviewer", Role.APPROVER: "plan-office approver",
            Role.VIEWER: "leadership viewer"}

PLAN_OFFICE = frozenset({Role.ADMIN, Role.APPROVER, Role.VIEWER})


class Forbidden(PermissionError):
    """The acting account may not read or change this (HTTP 403)."""


class NotFound(LookupError):
    """No such plan, indicator, submission, item, file … (HTTP 404): the one not-found error of every service."""


class StaleEdit(Exception):
    """The row was changed by someone else since it was read (HTTP 409)."""


class NotAuthenticated(PermissionError):
    """Nobody is logged in (HTTP 401, or a redirect to the login page)."""


@dataclass(frozen=True)
class Principal:
    """The account a request or command acts as (a plain value, safe to keep beyond a session)."""

    id: int | None
    username: str
    display_name: str
    role: Role
    department_id: int | None = None

    def sees_department(self, department_id: int | None) -> bool:
        """Plan-office roles see every department; reporters and reviewers only their own."""
        return self.role in PLAN_OFFICE or (department_id is not None and department_id == self.department_id)

    def require_department(self, department_id: int | None, what: str) -> None:
        """Raise Forbidden unless this principal sees ``department_id``'s data."""
        if not self.sees_department(department_id):
            raise Forbidden(f"{self.username} ({self.role.value}) may not access {what} of another department")

    def require_role(self, *roles: Role, action: str) -> None:
        """Raise Forbidden unless this principal has one of ``roles``."""
        if self.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise Forbidden(f"{action} needs the role {allowed}; {self.username} is {self.role.value}")


SYSTEM = Principal(id=None, username="system", display_name="system", role=Role.ADMIN)
