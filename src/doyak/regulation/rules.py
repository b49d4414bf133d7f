"""Who may do what in regulation innovation, composed of the shared predicates (doyak.accounts.rules) and the
agreements app's rules.

* The registry of tasks is read by every signed-in role that works on programs (not evaluators or investors);
  administrators import it; the ministry side and the liaison edit tasks and their status.
* A project's dependencies are read by the ministry side, the read-only roles, the liaison and the project's
  institution; the ministry side and the liaison record routes, dates and exemptions; the lead institution's
  applicants record applications and milestones of their own project.
* The liaison (and the ministry side) log notes and contacts; the council reads the tasks' progress.
* The regulatory agreement is recorded by the ministry side.
"""

from __future__ import annotations

from doyak.accounts.rules import (
    Actor,
    is_administrator,
    is_applicant_of,
    is_liaison,
    is_ministry,
    is_read_only,
    is_signed_in,
    reads_as_ministry,
)
from doyak.core.labels import audit_objects_register


def reads_registry(user: Actor) -> bool:
    return reads_as_ministry(user) or is_liaison(user) or (is_signed_in(user) and user.role == "applicant")


def can_import_tasks(user: Actor) -> bool:
    return is_administrator(user)


def can_edit_tasks(user: Actor) -> bool:
    return (is_ministry(user) and not is_read_only(user)) or is_liaison(user)


def reads_all_dependencies(user: Actor) -> bool:
    return reads_as_ministry(user) or is_liaison(user)


def is_project_applicant(user: Actor, proposal) -> bool:
    return is_applicant_of(user, proposal.lead_organization_id)


def can_view_dependency(user: Actor, dependency) -> bool:
    return reads_all_dependencies(user) or is_project_applicant(user, dependency.proposal)


def can_manage_dependency(user: Actor, dependency) -> bool:
    """Record the route, the dates, the exemption, extensions and the conversion."""
    return can_edit_tasks(user)


def can_add_milestone(user: Actor, dependency) -> bool:
    return can_edit_tasks(user) or is_project_applicant(user, dependency.proposal)


def can_log_notes(user: Actor) -> bool:
    return can_edit_tasks(user)


def can_record_regulatory_agreement(user: Actor) -> bool:
    return is_ministry(user) and not is_read_only(user)


def can_view_workspace(user: Actor) -> bool:
    return is_liaison(user) or reads_as_ministry(user)


def can_view_task(user: Actor, task) -> bool:
    return reads_registry(user)


audit_objects_register({
    "regulation.regulationtask": ("regulation:task", "task_id", can_view_task),
    "regulation.projectregulation": ("regulation:dependency", "dependency_id", can_view_dependency),
})
